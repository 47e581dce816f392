// DSL0016: BatchNorm epsilon 0 divides by zero on a constant feature.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(10)]                                         partial Tensor X { get; }
    [Dense(16), BatchNorm(Epsilon = {|DSL0016:0|})]      partial Tensor H { get; }
    [Dense(3)]                                          partial Tensor Logits { get; }
}
