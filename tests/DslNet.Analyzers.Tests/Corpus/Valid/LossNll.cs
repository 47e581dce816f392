// Log-softmax output with the negative log-likelihood loss.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.NllLoss)]
public partial class LogSoftmaxClassifier
{
    [Input(20)]                 partial Tensor Features { get; }
    [Dense(16), ReLU]           partial Tensor Hidden { get; }
    [Dense(5), LogSoftmax]      partial Tensor LogProbabilities { get; }
}
