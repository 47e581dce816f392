// Two identity residual blocks in a row, the second reading the first's sum.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class TwoResidualStages
{
    [Input(1, 28, 28)]                                      partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), BatchNorm, ReLU]   partial Tensor Stem { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), BatchNorm, ReLU]   partial Tensor A1 { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), BatchNorm]         partial Tensor B1 { get; }
    [Add(nameof(Stem), nameof(B1)), ReLU]                   partial Tensor Res1 { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), BatchNorm, ReLU]   partial Tensor A2 { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), BatchNorm]         partial Tensor B2 { get; }
    [Add(nameof(Res1), nameof(B2)), ReLU]                   partial Tensor Res2 { get; }
    [MaxPool2D(2), Flatten, Dense(10)]                      partial Tensor Logits { get; }
}
