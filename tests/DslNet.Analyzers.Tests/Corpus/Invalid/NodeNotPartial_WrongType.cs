// DSL0002: a node property of the wrong type.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Mlp
{
    [Input(784)]            partial Tensor Pixels { get; }
    [Dense(10)]             float[] {|DSL0002:Logits|} { get; } = new float[10];
}
