// DSL0008: a convolution after Flatten.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(1, 28, 28)]                          partial Tensor Image { get; }
    [Flatten]                                   partial Tensor Flat { get; }
    [{|DSL0008:Conv2D(8, Kernel = 3)|}]         partial Tensor Conv { get; }
    [Dense(10)]                                 partial Tensor Logits { get; }
}
