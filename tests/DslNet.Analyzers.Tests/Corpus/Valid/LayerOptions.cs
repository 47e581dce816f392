// Layers without bias and with explicit initialisers.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class LayerOptions
{
    [Input(1, 10, 10)]                                                              partial Tensor Image { get; }
    [Conv2D(4, Kernel = 3, Bias = false, Init = Init.HeNormal), BatchNorm, ReLU]    partial Tensor Conv { get; }
    [Flatten, Dense(16, Bias = false, Init = Init.GlorotNormal), Tanh]              partial Tensor Hidden { get; }
    [Dense(3, Init = Init.LeCunUniform)]                                            partial Tensor Logits { get; }
}
