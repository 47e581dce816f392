// A downsampling residual block: the main path halves 32×32 with a 3×3 stride-2 padding-1 convolution
// (a remainder made only of padding), the shortcut with a 1×1 stride-2 convolution (a stride larger
// than the window skips input by design).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class ResidualDownsample
{
    [Input(3, 32, 32)]                                                  partial Tensor Image { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm, ReLU]              partial Tensor Stem { get; }
    [Conv2D(32, Kernel = 3, Stride = 2, Padding = 1), BatchNorm, ReLU]  partial Tensor A { get; }
    [Conv2D(32, Kernel = 3, Padding = 1), BatchNorm]                    partial Tensor B { get; }
    [From(nameof(Stem)), Conv2D(32, Kernel = 1, Stride = 2), BatchNorm] partial Tensor Shortcut { get; }
    [Add(nameof(B), nameof(Shortcut)), ReLU]                            partial Tensor Res { get; }
    [GlobalAvgPool2D, Dense(10)]                                        partial Tensor Logits { get; }
}
