// DSL0002: a node with a setter and without 'partial'.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Mlp
{
    [Input(784)]            partial Tensor Pixels { get; }
    [Dense(10)]             public Tensor {|DSL0002:Logits|} { get; set; }
}
