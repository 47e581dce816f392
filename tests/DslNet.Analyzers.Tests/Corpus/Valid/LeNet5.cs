// LeNet-5 as in DESIGN.md: 28×28 padded by 2 to act as the classic 32×32.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class LeNet5
{
    [Input(1, 28, 28)]                          partial Tensor Image { get; }
    [Conv2D(6, Kernel = 5, Padding = 2), ReLU]  partial Tensor C1 { get; }
    [MaxPool2D(2)]                              partial Tensor S2 { get; }
    [Conv2D(16, Kernel = 5), ReLU]              partial Tensor C3 { get; }
    [MaxPool2D(2)]                              partial Tensor S4 { get; }
    [Flatten, Dense(120), ReLU]                 partial Tensor F5 { get; }
    [Dense(84), ReLU]                           partial Tensor F6 { get; }
    [Dense(10)]                                 partial Tensor Logits { get; }
}
