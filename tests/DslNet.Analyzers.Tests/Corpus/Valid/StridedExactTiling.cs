// Strides that tile exactly without padding: (29 − 3) / 2 + 1 = 14 and (17 − 5) / 3 + 1 = 5.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class StridedExactTiling
{
    [Input(2, 29, 17)]                                                          partial Tensor Image { get; }
    [Conv2D(4, KernelHeight = 3, KernelWidth = 5, StrideHeight = 2, StrideWidth = 3), ReLU] partial Tensor Conv { get; }
    [Flatten, Dense(3)]                                                         partial Tensor Logits { get; }
}
