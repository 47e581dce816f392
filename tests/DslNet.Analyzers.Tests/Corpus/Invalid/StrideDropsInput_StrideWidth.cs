// DSL0006: a width stride of 4 with a 5-wide window on 30 columns: (30 − 5) / 4 + 1 = 7.25.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(1, 9, 30)]                                                           partial Tensor Image { get; }
    [Conv2D(8, KernelHeight = 1, KernelWidth = 5, StrideWidth = {|DSL0006:4|})]  partial Tensor Conv { get; }
    [Flatten, Dense(10)]                                                        partial Tensor Logits { get; }
}
