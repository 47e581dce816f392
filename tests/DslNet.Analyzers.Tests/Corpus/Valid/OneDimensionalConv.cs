// A 1-D signal as a [C, 1, W] image: kernels 1×5 along the width only.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class OneDimensionalConv
{
    [Input(2, 1, 64)]                                                           partial Tensor Signal { get; }
    [Conv2D(8, KernelHeight = 1, KernelWidth = 5, PaddingWidth = 2), ReLU]      partial Tensor C1 { get; }
    [MaxPool2D(2, KernelHeight = 1, KernelWidth = 2)]                           partial Tensor P1 { get; }
    [Conv2D(8, KernelHeight = 1, KernelWidth = 5, StrideWidth = 3), ReLU]       partial Tensor C2 { get; }
    [Flatten, Dense(4)]                                                         partial Tensor Logits { get; }
}
