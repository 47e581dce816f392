// DSL0006: 3×3 stride 2 without padding on a 28-row input: (28 − 3) / 2 + 1 = 13.5, the last row is never
// read. The width 29 tiles: (29 − 3) / 2 + 1 = 14.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(1, 28, 29)]                                      partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Stride = {|DSL0006:2|}), ReLU]    partial Tensor Down { get; }
    [Flatten, Dense(10)]                                    partial Tensor Logits { get; }
}
