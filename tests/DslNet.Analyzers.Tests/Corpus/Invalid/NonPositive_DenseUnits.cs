// DSL0004: Dense(0).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(8)]              partial Tensor X { get; }
    [Dense({|DSL0004:0|})]  partial Tensor Y { get; }
}
