// DSL0016: BatchNorm momentum above 1.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(10)]                                         partial Tensor X { get; }
    [Dense(16), BatchNorm(Momentum = {|DSL0016:1.5|})]   partial Tensor H { get; }
    [Dense(3)]                                          partial Tensor Logits { get; }
}
