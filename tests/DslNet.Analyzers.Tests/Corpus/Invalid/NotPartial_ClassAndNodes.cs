// DSL0001 and DSL0002: neither the class nor its nodes are partial.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public sealed class {|DSL0001:Mlp|}
{
    [Input(784)]            Tensor {|DSL0002:Pixels|} { get; }
    [Dense(10)]             Tensor {|DSL0002:Logits|} { get; }
}
