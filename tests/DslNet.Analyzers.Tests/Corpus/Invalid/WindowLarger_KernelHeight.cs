// DSL0007: a 7-high kernel on a 1-high signal.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(2, 1, 64)]                                                   partial Tensor Signal { get; }
    [Conv2D(4, KernelHeight = {|DSL0007:7|}, KernelWidth = 7)]           partial Tensor Conv { get; }
    [Flatten, Dense(10)]                                                partial Tensor Logits { get; }
}
