// DSL0009: the main path downsamples to 16×16, the 1×1 shortcut forgot its stride 2.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Residual
{
    [Input(3, 32, 32)]                                                  partial Tensor Image { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), ReLU]                         partial Tensor Stem { get; }
    [Conv2D(32, Kernel = 3, Stride = 2, Padding = 1), ReLU]             partial Tensor A { get; }
    [From(nameof(Stem)), Conv2D(32, Kernel = 1)]                        partial Tensor Shortcut { get; }
    [Add(nameof(A), {|DSL0009:nameof(Shortcut)|})]                      partial Tensor Res { get; }
    [GlobalAvgPool2D, Dense(10)]                                        partial Tensor Logits { get; }
}
