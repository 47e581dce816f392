// An Inception-style block: 1×1, 3×3 Same, 5×5 padded and pooled branches concatenated on channels.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Inception
{
    [Input(8, 12, 12)]                                                                  partial Tensor Image { get; }
    [Conv2D(4, Kernel = 1), ReLU]                                                       partial Tensor Branch1 { get; }
    [From(nameof(Image)), Conv2D(6, Kernel = 3, Padding = Padding.Same), ReLU]          partial Tensor Branch3 { get; }
    [From(nameof(Image)), Conv2D(2, Kernel = 1), ReLU, Conv2D(3, Kernel = 5, Padding = 2), ReLU] partial Tensor Branch5 { get; }
    [From(nameof(Image)), MaxPool2D(3, Stride = 1, Padding = 1), Conv2D(2, Kernel = 1)] partial Tensor Pool { get; }
    [Concat(nameof(Branch1), nameof(Branch3), nameof(Branch5), nameof(Pool))]           partial Tensor Mixed { get; }
    [GlobalAvgPool2D, Dense(10)]                                                        partial Tensor Logits { get; }
}
