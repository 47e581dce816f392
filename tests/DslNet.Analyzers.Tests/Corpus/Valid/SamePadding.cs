// Padding.Same with odd kernels (symmetric), and with stride 2 where the total padding is even.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class SamePadding
{
    [Input(3, 27, 27)]                                                  partial Tensor Image { get; }
    [Conv2D(8, Kernel = 5, Padding = Padding.Same), ReLU]               partial Tensor Keep { get; }
    [Conv2D(8, Kernel = 3, Stride = 2, Padding = Padding.Same), ReLU]   partial Tensor Half { get; }
    [Conv2D(8, Kernel = 7, Padding = Padding.Same), ReLU]               partial Tensor Wide { get; }
    [Flatten, Dense(10)]                                                partial Tensor Logits { get; }
}
