// DSL0015: BCE scores each of 5 units as an independent label; without MultiLabel = true this is a
// one-of-5 classifier that wants SoftmaxCrossEntropy.
using DslNet;

namespace Corpus;

[Network(Loss = {|DSL0015:Loss.BinaryCrossEntropyWithLogits|})]
public partial class Net
{
    [Input(10)]                 partial Tensor X { get; }
    [Dense(5)]                  partial Tensor Scores { get; }
}
