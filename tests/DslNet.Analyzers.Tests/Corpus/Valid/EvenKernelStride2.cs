// A 4×4 kernel with stride 2 and padding 1 halves even sizes exactly (as in DCGAN discriminators).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.BinaryCrossEntropyWithLogits)]
public partial class Discriminator
{
    [Input(1, 32, 32)]                                                      partial Tensor Image { get; }
    [Conv2D(8, Kernel = 4, Stride = 2, Padding = 1), LeakyReLU(0.2)]        partial Tensor D1 { get; }
    [Conv2D(16, Kernel = 4, Stride = 2, Padding = 1), BatchNorm, LeakyReLU(0.2)] partial Tensor D2 { get; }
    [Conv2D(1, Kernel = 8)]                                                 partial Tensor Score { get; }
    [Flatten]                                                               partial Tensor Logit { get; }
}
