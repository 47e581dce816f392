// DSL0028: From after another op would throw that op's work away.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(8)]                                  partial Tensor X { get; }
    [Dense(8)]                                  partial Tensor A { get; }
    [Dense(4), {|DSL0028:From(nameof(X))|}, Dense(2)]   partial Tensor B { get; }
}
