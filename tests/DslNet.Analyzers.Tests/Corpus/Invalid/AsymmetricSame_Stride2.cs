// DSL0018 (warning): Padding.Same with a 3×3 kernel and stride 2 on 28 needs 1 padding: 0 before, 1 after.
// The input is 28×27 so only the height is asymmetric.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(1, 28, 27)]                                                      partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Stride = 2, Padding = {|DSL0018:Padding.Same|})]  partial Tensor Down { get; }
    [Flatten, Dense(10)]                                                    partial Tensor Logits { get; }
}
