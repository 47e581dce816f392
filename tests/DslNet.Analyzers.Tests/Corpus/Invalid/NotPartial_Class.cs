// DSL0001: the network class is not partial (the generator cannot add its half).
// Compiler: CS0751, CS9248
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public class {|DSL0001:Mlp|}
{
    [Input(784)]            partial Tensor Pixels { get; }
    [Dense(10)]             partial Tensor Logits { get; }
}
