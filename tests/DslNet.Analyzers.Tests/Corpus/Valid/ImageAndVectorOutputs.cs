// Two outputs of different ranks: a segmentation map and a class score vector.
using DslNet;

namespace Corpus;

[Network]
public partial class ImageAndVectorOutputs
{
    [Input(3, 16, 16)]                                          partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), ReLU]                  partial Tensor Trunk { get; }
    [Conv2D(2, Kernel = 1), Output]                             partial Tensor Mask { get; }
    [From(nameof(Trunk)), GlobalAvgPool2D, Dense(5), Output]    partial Tensor Scores { get; }
}
