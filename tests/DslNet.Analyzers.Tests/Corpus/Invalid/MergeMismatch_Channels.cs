// DSL0009: a shortcut with 16 channels added to a branch with 32.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Residual
{
    [Input(3, 16, 16)]                                      partial Tensor Image { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), ReLU]             partial Tensor Stem { get; }
    [Conv2D(32, Kernel = 3, Padding = 1)]                   partial Tensor Branch { get; }
    [Add(nameof(Stem), {|DSL0009:nameof(Branch)|}), ReLU]   partial Tensor Res { get; }
    [GlobalAvgPool2D, Dense(10)]                            partial Tensor Logits { get; }
}
