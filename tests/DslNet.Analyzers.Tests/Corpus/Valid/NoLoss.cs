// No loss declared: a feature extractor used with a loss passed at training time.
using DslNet;

namespace Corpus;

[Network]
public partial class FeatureExtractor
{
    [Input(3, 16, 16)]                                  partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), ReLU]          partial Tensor Conv { get; }
    [GlobalAvgPool2D]                                   partial Tensor Embedding { get; }
}
