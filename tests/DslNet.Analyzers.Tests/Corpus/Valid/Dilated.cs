// Dilated 3×3 convolutions (extents 5 and 9) padded to keep 28×28.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Dilated
{
    [Input(1, 28, 28)]                                              partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Dilation = 2, Padding = 2), ReLU]        partial Tensor D2 { get; }
    [Conv2D(8, Kernel = 3, Dilation = 4, Padding = 4), ReLU]        partial Tensor D4 { get; }
    [Conv2D(8, Kernel = 3, Dilation = 2, Padding = Padding.Same)]   partial Tensor DSame { get; }
    [GlobalAvgPool2D, Dense(10)]                                    partial Tensor Logits { get; }
}
