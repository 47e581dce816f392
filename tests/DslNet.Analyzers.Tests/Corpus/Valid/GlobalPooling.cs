// A fully convolutional classifier: 1×1 convolution to classes, then global average pooling.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class FullyConvolutional
{
    [Input(3, 24, 24)]                                          partial Tensor Image { get; }
    [Conv2D(16, Kernel = 3, Stride = 2, Padding = 1), ReLU]     partial Tensor Down { get; }
    [Conv2D(10, Kernel = 1)]                                    partial Tensor ClassMaps { get; }
    [GlobalAvgPool2D]                                           partial Tensor Logits { get; }
}
