// DSL0024: token inputs need an Embedding layer, not available yet.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [{|DSL0024:Input(32, Type = typeof(int))|}]     partial Tensor Tokens { get; }
    [Dense(3)]                          partial Tensor Logits { get; }
}
