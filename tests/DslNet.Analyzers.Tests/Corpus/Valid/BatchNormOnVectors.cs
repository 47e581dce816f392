// BatchNorm on dense features, with its momentum and epsilon set.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class BatchNormOnVectors
{
    [Input(30)]                                                 partial Tensor Features { get; }
    [Dense(64), BatchNorm, ReLU]                                partial Tensor H1 { get; }
    [Dense(64), BatchNorm(Momentum = 0.01, Epsilon = 1e-3), ReLU] partial Tensor H2 { get; }
    [Dense(3)]                                                  partial Tensor Logits { get; }
}
