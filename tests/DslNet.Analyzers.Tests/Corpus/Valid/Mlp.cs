// A multilayer perceptron on flattened 28×28 images.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Mlp
{
    [Input(784)]            partial Tensor Pixels { get; }
    [Dense(128), ReLU]      partial Tensor Hidden { get; }
    [Dropout(0.2)]          partial Tensor Dropped { get; }
    [Dense(10)]             partial Tensor Logits { get; }
}
