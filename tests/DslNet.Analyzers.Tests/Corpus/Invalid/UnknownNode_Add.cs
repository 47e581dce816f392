// DSL0011: the second name of an Add is not a node.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(8)]                                  partial Tensor X { get; }
    [Dense(8)]                                  partial Tensor A { get; }
    [Add(nameof(A), {|DSL0011:"Bee"|})]         partial Tensor Sum { get; }
}
