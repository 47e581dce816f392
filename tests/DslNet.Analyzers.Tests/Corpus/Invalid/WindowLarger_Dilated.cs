// DSL0007: a 3×3 kernel dilated by 4 spans 9 pixels, more than the 8×8 input.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(2, 8, 8)]                                    partial Tensor Features { get; }
    [Conv2D(4, Kernel = {|DSL0007:3|}, Dilation = 4)]    partial Tensor Conv { get; }
    [Flatten, Dense(10)]                                partial Tensor Logits { get; }
}
