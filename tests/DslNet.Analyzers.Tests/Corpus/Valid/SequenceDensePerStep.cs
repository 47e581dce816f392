// A sequence [T, F]: Dense applies to every time step, then the steps are flattened.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class SequenceDensePerStep
{
    [Input(20, 8)]              partial Tensor Steps { get; }
    [Dense(16), ReLU]           partial Tensor PerStep { get; }
    [Dense(4), Tanh]            partial Tensor Projected { get; }
    [Flatten, Dense(3)]         partial Tensor Logits { get; }
}
