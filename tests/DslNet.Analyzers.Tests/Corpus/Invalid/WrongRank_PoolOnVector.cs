// DSL0008: max pooling on a vector.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(64)]                                 partial Tensor X { get; }
    [{|DSL0008:MaxPool2D(2)|}]                  partial Tensor Pooled { get; }
    [Dense(10)]                                 partial Tensor Logits { get; }
}
