// DSL0025: Add with no node names.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(8)]                  partial Tensor X { get; }
    [{|DSL0025:Add()|}]         partial Tensor Sum { get; }
}
