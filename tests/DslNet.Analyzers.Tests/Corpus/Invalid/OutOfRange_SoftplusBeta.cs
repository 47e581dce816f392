// DSL0016: Softplus with beta 0.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(10)]                                 partial Tensor X { get; }
    [Dense(4), Softplus({|DSL0016:0|})]          partial Tensor Y { get; }
}
