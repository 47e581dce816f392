// 3×3 stride-2 padding-1 convolutions on even sizes: 28 → 14 → 7. The last column read is padding.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class StridedEvenSizes
{
    [Input(1, 28, 28)]                                          partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Stride = 2, Padding = 1), ReLU]      partial Tensor Down1 { get; }
    [Conv2D(16, Kernel = 3, Stride = 2, Padding = 1), ReLU]     partial Tensor Down2 { get; }
    [Flatten, Dense(10)]                                        partial Tensor Logits { get; }
}
