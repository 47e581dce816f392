// DSL0019: pooling padding larger than half the window.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(1, 8, 8)]                                            partial Tensor Image { get; }
    [MaxPool2D(2, Stride = 2, Padding = {|DSL0019:2|})]          partial Tensor Pool { get; }
    [Flatten, Dense(10)]                                        partial Tensor Logits { get; }
}
