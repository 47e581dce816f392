// Element-wise activations on feature maps, including a per-channel PReLU.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class ActivationsOnImages
{
    [Input(3, 8, 8)]                                            partial Tensor Image { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), PReLU(PerChannel = true)] partial Tensor C1 { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), ELU]                   partial Tensor C2 { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), GELU]                  partial Tensor C3 { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), SiLU]                  partial Tensor C4 { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), LeakyReLU(0.1)]        partial Tensor C5 { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), Softplus]              partial Tensor C6 { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), Sigmoid]               partial Tensor C7 { get; }
    [GlobalAvgPool2D, Dense(3)]                                 partial Tensor Logits { get; }
}
