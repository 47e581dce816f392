// A ResNet basic block: two 3×3 convolutions with BatchNorm, added to the block's input.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class ResidualBlock
{
    [Input(3, 16, 16)]                                      partial Tensor Image { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm, ReLU]  partial Tensor Stem { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm, ReLU]  partial Tensor A { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm]        partial Tensor B { get; }
    [Add(nameof(Stem), nameof(B)), ReLU]                    partial Tensor Res { get; }
    [GlobalAvgPool2D, Dense(10)]                            partial Tensor Logits { get; }
}
