// DSL0009: a residual branch without padding shrinks 28×28 to 26×26 and cannot be added to the stem.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Residual
{
    [Input(3, 28, 28)]                                      partial Tensor Image { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm, ReLU]  partial Tensor Stem { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm, ReLU]  partial Tensor A { get; }
    [Conv2D(16, Kernel = 3), BatchNorm]                     partial Tensor B { get; }
    [Add(nameof(Stem), {|DSL0009:nameof(B)|}), ReLU]        partial Tensor Res { get; }
    [GlobalAvgPool2D, Dense(10)]                            partial Tensor Logits { get; }
}
