// DSL0012: a node reads a node declared after it.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(8)]                                  partial Tensor X { get; }
    [From({|DSL0012:nameof(B)|}), Dense(8)]      partial Tensor A { get; }
    [Dense(8)]                                  partial Tensor B { get; }
}
