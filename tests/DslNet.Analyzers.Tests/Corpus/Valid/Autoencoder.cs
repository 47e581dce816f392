// An autoencoder: 28×28 down to 16 features and back to an image of the same shape, MSE on pixels.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Autoencoder
{
    [Input(1, 28, 28)]                      partial Tensor Image { get; }
    [Flatten, Dense(128), ReLU]             partial Tensor Encode { get; }
    [Dense(16)]                             partial Tensor Code { get; }
    [Dense(128), ReLU, Dense(784), Sigmoid] partial Tensor Decode { get; }
    [Reshape(1, 28, 28)]                    partial Tensor Reconstruction { get; }
}
