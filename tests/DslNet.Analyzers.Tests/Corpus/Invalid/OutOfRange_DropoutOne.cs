// DSL0016: a dropout rate of 1 drops everything.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(10)]                                 partial Tensor X { get; }
    [Dense(16), ReLU, Dropout({|DSL0016:1.0|})]  partial Tensor H { get; }
    [Dense(3)]                                  partial Tensor Logits { get; }
}
