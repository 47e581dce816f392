// DSL0017 (warning): the last node is not the output when another is marked [Output], so it is unused.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(10)]                                 partial Tensor X { get; }
    [Dense(2), Output]                          partial Tensor Y { get; }
    [Dense(2)]                                  partial Tensor {|DSL0017:Extra|} { get; }
}
