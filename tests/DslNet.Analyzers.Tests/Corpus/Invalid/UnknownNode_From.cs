// DSL0011: From names a node that does not exist (a string, not nameof).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(8)]                                  partial Tensor X { get; }
    [Dense(8)]                                  partial Tensor A { get; }
    [From({|DSL0011:"Stem"|}), Dense(4)]        partial Tensor Logits { get; }
}
