// DSL0009: an element-wise product of 24 and 12 features.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Gating
{
    [Input(24)]                                             partial Tensor Features { get; }
    [Dense(12), Sigmoid]                                    partial Tensor Gate { get; }
    [Multiply(nameof(Features), {|DSL0009:nameof(Gate)|})]  partial Tensor Gated { get; }
    [Dense(4)]                                              partial Tensor Logits { get; }
}
