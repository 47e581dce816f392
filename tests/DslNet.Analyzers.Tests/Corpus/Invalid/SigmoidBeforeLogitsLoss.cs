// DSL0022 (warning): Sigmoid before BCE-with-logits.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.BinaryCrossEntropyWithLogits)]
public partial class Net
{
    [Input(10)]                         partial Tensor X { get; }
    [Dense(1), {|DSL0022:Sigmoid|}]     partial Tensor Probability { get; }
}
