// Two inputs, an image and a vector of metadata, joined after the image is flattened.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class MultiInput
{
    [Input(1, 16, 16)]                                      partial Tensor Image { get; }
    [Input(6)]                                              partial Tensor Metadata { get; }
    [From(nameof(Image)), Conv2D(4, Kernel = 3, Padding = 1), ReLU, MaxPool2D(2)] partial Tensor Features { get; }
    [Flatten]                                               partial Tensor Flat { get; }
    [From(nameof(Metadata)), Dense(16), ReLU]               partial Tensor Meta { get; }
    [Concat(nameof(Flat), nameof(Meta)), Dense(32), ReLU]   partial Tensor Joined { get; }
    [Dense(4)]                                              partial Tensor Logits { get; }
}
