// A gate: sigmoid scores multiply the features element-wise.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GatedMultiply
{
    [Input(24)]                                         partial Tensor Features { get; }
    [Dense(24), Sigmoid]                                partial Tensor Gate { get; }
    [Multiply(nameof(Features), nameof(Gate))]          partial Tensor Gated { get; }
    [Dense(4)]                                          partial Tensor Logits { get; }
}
