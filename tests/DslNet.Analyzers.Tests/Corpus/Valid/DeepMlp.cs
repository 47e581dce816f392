// A deeper MLP with dropout and batch normalisation between the layers, several ops per node.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class DeepMlp
{
    [Input(100)]                                        partial Tensor X { get; }
    [Dense(256), BatchNorm, ReLU, Dropout(0.3)]         partial Tensor H1 { get; }
    [Dense(128), BatchNorm, ReLU, Dropout(0.3)]         partial Tensor H2 { get; }
    [Dense(64), ReLU, Dense(32), ReLU, Dropout(0)]      partial Tensor H3 { get; }
    [Dense(10)]                                         partial Tensor Logits { get; }
}
