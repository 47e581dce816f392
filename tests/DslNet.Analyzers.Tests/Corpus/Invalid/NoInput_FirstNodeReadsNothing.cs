// DSL0003: no [Input] (the first node having nothing to read is the same mistake: one diagnostic).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class {|DSL0003:Mlp|}
{
    [Dense(32), ReLU]       partial Tensor Hidden { get; }
    [Dense(10)]             partial Tensor Logits { get; }
}
