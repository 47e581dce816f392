// Overlapping pooling: 3×3 windows, stride 2, padding 1 (as ResNet's stem), max and average.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class PaddedPooling
{
    [Input(3, 32, 32)]                                      partial Tensor Image { get; }
    [Conv2D(8, Kernel = 7, Stride = 2, Padding = 3), ReLU]  partial Tensor Stem { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                 partial Tensor Pool1 { get; }
    [AvgPool2D(3, Stride = 2, Padding = 1)]                 partial Tensor Pool2 { get; }
    [Flatten, Dense(10)]                                    partial Tensor Logits { get; }
}
