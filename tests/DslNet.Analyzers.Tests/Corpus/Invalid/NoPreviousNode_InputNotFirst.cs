// DSL0023: the first node is not the input and reads nothing.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Dense(16)]                 partial Tensor {|DSL0023:Hidden|} { get; }
    [Input(10)]                 partial Tensor X { get; }
    [Dense(3)]                  partial Tensor Logits { get; }
}
