// DSL0021: an input without a shape.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [{|DSL0021:Input|}]                     partial Tensor X { get; }
    [Dense(3)]                  partial Tensor Logits { get; }
}
