// DSL0019: padding 3 with a 3×3 kernel: the corner windows see only padding.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(1, 8, 8)]                                    partial Tensor Image { get; }
    [Conv2D(4, Kernel = 3, Padding = {|DSL0019:3|})]     partial Tensor Conv { get; }
    [Flatten, Dense(10)]                                partial Tensor Logits { get; }
}
