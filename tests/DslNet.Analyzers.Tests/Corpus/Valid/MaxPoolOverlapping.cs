// AlexNet-style overlapping max pooling: 3×3 windows with stride 2 on 27 → 13 tile exactly.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class OverlappingPooling
{
    [Input(3, 27, 27)]                                      partial Tensor Image { get; }
    [Conv2D(8, Kernel = 5, Padding = 2), ReLU]              partial Tensor C1 { get; }
    [MaxPool2D(3, Stride = 2)]                              partial Tensor P1 { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), ReLU]              partial Tensor C2 { get; }
    [MaxPool2D(3, Stride = 2)]                              partial Tensor P2 { get; }
    [Flatten, Dense(10)]                                    partial Tensor Logits { get; }
}
