// An all-convolutional net: downsampling by stride-2 convolutions (even sizes, padding 1) instead of pooling.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class AllConvolutional
{
    [Input(3, 32, 32)]                                                  partial Tensor Image { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), ReLU]                         partial Tensor C1 { get; }
    [Conv2D(16, Kernel = 3, Stride = 2, Padding = 1), ReLU]             partial Tensor D1 { get; }
    [Conv2D(32, Kernel = 3, Padding = 1), ReLU]                         partial Tensor C2 { get; }
    [Conv2D(32, Kernel = 3, Stride = 2, Padding = 1), ReLU]             partial Tensor D2 { get; }
    [Conv2D(10, Kernel = 1), GlobalAvgPool2D]                           partial Tensor Logits { get; }
}
