// Per-step class scores on a sequence: log-softmax over the last axis of [T, C], NLL loss.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.NllLoss)]
public partial class SequenceSoftmaxPerStep
{
    [Input(10, 5)]                  partial Tensor Steps { get; }
    [Dense(12), GELU]               partial Tensor Hidden { get; }
    [Dense(6), LogSoftmax]          partial Tensor LogProbabilities { get; }
}
