// Factorised 1×7 and 7×1 convolutions with per-axis padding, and a 2×1 pooling.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class RectangularKernels
{
    [Input(3, 20, 20)]                                                          partial Tensor Image { get; }
    [Conv2D(8, KernelHeight = 1, KernelWidth = 7, PaddingWidth = 3), ReLU]      partial Tensor Row { get; }
    [Conv2D(8, KernelHeight = 7, KernelWidth = 1, PaddingHeight = 3), ReLU]     partial Tensor Column { get; }
    [MaxPool2D(2, KernelHeight = 2, KernelWidth = 1)]                           partial Tensor Pool { get; }
    [Flatten, Dense(5)]                                                         partial Tensor Logits { get; }
}
