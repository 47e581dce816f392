// DSL0015: softmax cross-entropy over a single output unit.
using DslNet;

namespace Corpus;

[Network(Loss = {|DSL0015:Loss.SoftmaxCrossEntropy|})]
public partial class Net
{
    [Input(10)]                 partial Tensor X { get; }
    [Dense(1)]                  partial Tensor Score { get; }
}
