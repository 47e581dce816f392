// DSL0002: a node written as an expression-bodied property.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Mlp
{
    [Input(784)]            partial Tensor Pixels { get; }
    [Dense(32), ReLU]       Tensor {|DSL0002:Hidden|} => default;
    [Dense(10)]             partial Tensor Logits { get; }
}
