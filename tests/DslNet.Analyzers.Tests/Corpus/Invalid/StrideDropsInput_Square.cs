// DSL0006: a square 3×3 stride-3 convolution on 28×28: one diagnostic for both axes.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(1, 28, 28)]                                      partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Stride = {|DSL0006:3|}), ReLU]    partial Tensor Down { get; }
    [Flatten, Dense(10)]                                    partial Tensor Logits { get; }
}
