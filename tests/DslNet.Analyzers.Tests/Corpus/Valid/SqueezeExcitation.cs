// A squeeze-and-excitation vector gate on a feature vector pooled from an image.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class SqueezeExcitation
{
    [Input(3, 8, 8)]                                        partial Tensor Image { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), ReLU]             partial Tensor Features { get; }
    [GlobalAvgPool2D]                                       partial Tensor Squeezed { get; }
    [Dense(4), ReLU, Dense(16), Sigmoid]                    partial Tensor Excite { get; }
    [Multiply(nameof(Squeezed), nameof(Excite))]            partial Tensor Scaled { get; }
    [Dense(10)]                                             partial Tensor Logits { get; }
}
