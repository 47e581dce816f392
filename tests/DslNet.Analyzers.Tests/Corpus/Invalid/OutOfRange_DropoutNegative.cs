// DSL0016: a negative dropout rate.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(10)]                                 partial Tensor X { get; }
    [Dense(16), Dropout({|DSL0016:-0.1|})]       partial Tensor H { get; }
    [Dense(3)]                                  partial Tensor Logits { get; }
}
