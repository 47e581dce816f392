// DSL0013: Reshape(400) on a 16×4×4 (256-element) tensor, a typical wrong port of a LeNet.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(16, 4, 4)]                   partial Tensor Features { get; }
    [Reshape({|DSL0013:400|})]          partial Tensor Flat { get; }
    [Dense(10)]                         partial Tensor Logits { get; }
}
