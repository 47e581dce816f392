// DSL0008: Softmax on an image.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(3, 8, 8)]                                    partial Tensor Image { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), {|DSL0008:Softmax|}]  partial Tensor Maps { get; }
}
