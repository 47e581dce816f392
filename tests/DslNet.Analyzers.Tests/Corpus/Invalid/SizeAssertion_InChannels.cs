// DSL0014: the port expects RGB input (3 channels) but the input is grayscale.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Ported
{
    [Input(1, 32, 32)]                                          partial Tensor Image { get; }
    [Conv2D(6, Kernel = 5, InChannels = {|DSL0014:3|}), ReLU]    partial Tensor Conv1 { get; }
    [GlobalAvgPool2D, Dense(10)]                                partial Tensor Logits { get; }
}
