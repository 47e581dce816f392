// DSL0012: a node adds itself (a cycle).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(8)]                                          partial Tensor X { get; }
    [Dense(8)]                                          partial Tensor A { get; }
    [Add(nameof(A), {|DSL0012:nameof(Sum)|})]            partial Tensor Sum { get; }
}
