// DSL0010: an Inception branch without padding is 8×8 while the others are 12×12.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Inception
{
    [Input(8, 12, 12)]                                              partial Tensor Image { get; }
    [Conv2D(4, Kernel = 1), ReLU]                                   partial Tensor Branch1 { get; }
    [From(nameof(Image)), Conv2D(6, Kernel = 5), ReLU]              partial Tensor Branch5 { get; }
    [Concat(nameof(Branch1), {|DSL0010:nameof(Branch5)|})]          partial Tensor Mixed { get; }
    [GlobalAvgPool2D, Dense(10)]                                    partial Tensor Logits { get; }
}
