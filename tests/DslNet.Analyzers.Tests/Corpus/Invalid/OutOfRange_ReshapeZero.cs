// DSL0016: Reshape to a zero size.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(10)]                                 partial Tensor X { get; }
    [Reshape({|DSL0016:0|})]                     partial Tensor Y { get; }
}
