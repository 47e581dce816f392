// DSL0008: Dense on an image without Flatten (DslNet never flattens implicitly).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class LeNet
{
    [Input(1, 28, 28)]                          partial Tensor Image { get; }
    [Conv2D(6, Kernel = 5, Padding = 2), ReLU]  partial Tensor C1 { get; }
    [MaxPool2D(2)]                              partial Tensor S2 { get; }
    [{|DSL0008:Dense(120)|}, ReLU]              partial Tensor F5 { get; }
    [Dense(10)]                                 partial Tensor Logits { get; }
}
