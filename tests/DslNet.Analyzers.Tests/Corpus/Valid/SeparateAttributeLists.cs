// Ops written in several attribute lists, and on several lines: applied top to bottom, left to right.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class SeparateAttributeLists
{
    [Input(1, 28, 28)]
    partial Tensor Image { get; }

    [Conv2D(8, Kernel = 3, Padding = 1)]
    [BatchNorm]
    [ReLU]
    partial Tensor Conv { get; }

    [MaxPool2D(2)][Flatten]
    [Dense(32), ReLU]
    partial Tensor Hidden { get; }

    [Dense(10)]
    partial Tensor Logits { get; }
}
