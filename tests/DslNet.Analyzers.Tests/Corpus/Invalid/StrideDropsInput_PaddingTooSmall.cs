// DSL0006: 5×5 stride 3 with padding 1 on 30 rows: (30 + 2·1 − 5) / 3 + 1 = 10, remainder 0; on 31
// columns the remainder 1 is padding only; on 29 rows... (29 + 2 − 5) % 3 = 2 > 1: one real row is lost.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(1, 29, 30)]                                              partial Tensor Image { get; }
    [Conv2D(8, Kernel = 5, Stride = {|DSL0006:3|}, Padding = 1)]     partial Tensor Conv { get; }
    [Flatten, Dense(10)]                                            partial Tensor Logits { get; }
}
