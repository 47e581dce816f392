// DSL0015: class scores must be a vector, not an image (the classifier head is missing).
using DslNet;

namespace Corpus;

[Network(Loss = {|DSL0015:Loss.SoftmaxCrossEntropy|})]
public partial class Net
{
    [Input(3, 8, 8)]                                partial Tensor Image { get; }
    [Conv2D(10, Kernel = 3, Padding = 1)]           partial Tensor Maps { get; }
}
