// VGG style: stacks of 3×3 Same convolutions and 2×2 max pooling, then a classifier.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Vgg
{
    [Input(3, 32, 32)]                                          partial Tensor Image { get; }
    [Conv2D(16, Kernel = 3, Padding = Padding.Same), ReLU]      partial Tensor B1C1 { get; }
    [Conv2D(16, Kernel = 3, Padding = Padding.Same), ReLU]      partial Tensor B1C2 { get; }
    [MaxPool2D(2)]                                              partial Tensor B1Pool { get; }
    [Conv2D(32, Kernel = 3, Padding = 1), ReLU]                 partial Tensor B2C1 { get; }
    [Conv2D(32, Kernel = 3, Padding = 1), ReLU]                 partial Tensor B2C2 { get; }
    [MaxPool2D(2)]                                              partial Tensor B2Pool { get; }
    [Conv2D(64, Kernel = 3, Padding = 1), ReLU]                 partial Tensor B3C1 { get; }
    [Conv2D(64, Kernel = 3, Padding = 1), ReLU]                 partial Tensor B3C2 { get; }
    [Conv2D(64, Kernel = 3, Padding = 1), ReLU]                 partial Tensor B3C3 { get; }
    [MaxPool2D(2)]                                              partial Tensor B3Pool { get; }
    [Flatten, Dense(128), ReLU, Dropout(0.5)]                   partial Tensor Fc1 { get; }
    [Dense(10)]                                                 partial Tensor Logits { get; }
}
