// A flat input reshaped to an image for the convolutions.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class ReshapeToImage
{
    [Input(784)]                                        partial Tensor Pixels { get; }
    [Reshape(1, 28, 28)]                                partial Tensor Image { get; }
    [Conv2D(4, Kernel = 5), ReLU, MaxPool2D(4)]         partial Tensor Features { get; }
    [Flatten, Dense(10)]                                partial Tensor Logits { get; }
}
