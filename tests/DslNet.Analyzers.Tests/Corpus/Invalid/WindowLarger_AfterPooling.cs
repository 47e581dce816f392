// DSL0007: after three poolings 28 → 14 → 7 → 3, a 5×5 convolution no longer fits (the size shrinks to nothing).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(1, 28, 28)]                                      partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), MaxPool2D(2)]      partial Tensor A { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), MaxPool2D(2)]      partial Tensor B { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), MaxPool2D(3, Stride = 2)]  partial Tensor C { get; }
    [Conv2D(8, Kernel = {|DSL0007:5|})]                      partial Tensor D { get; }
    [Flatten, Dense(10)]                                    partial Tensor Logits { get; }
}
