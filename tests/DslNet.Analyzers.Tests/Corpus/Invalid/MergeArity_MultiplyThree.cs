// DSL0025: Multiply of three tensors.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(8)]                                                  partial Tensor X { get; }
    [Dense(8)]                                                  partial Tensor A { get; }
    [From(nameof(X)), Dense(8)]                                 partial Tensor B { get; }
    [Multiply({|DSL0025:nameof(X), nameof(A), nameof(B)|})]      partial Tensor Product { get; }
}
