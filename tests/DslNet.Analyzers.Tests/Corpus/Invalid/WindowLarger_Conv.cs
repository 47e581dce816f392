// DSL0007: a 5×5 kernel on a 4×4 input.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(8, 4, 4)]                        partial Tensor Features { get; }
    [Conv2D(8, Kernel = {|DSL0007:5|})]      partial Tensor Conv { get; }
    [Flatten, Dense(10)]                    partial Tensor Logits { get; }
}
