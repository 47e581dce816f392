// DSL0020: a network cannot derive from another class.
using DslNet;

namespace Corpus;

public class Module { }

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net : {|DSL0020:Module|}
{
    [Input(10)]                 partial Tensor X { get; }
    [Dense(3)]                  partial Tensor Logits { get; }
}
