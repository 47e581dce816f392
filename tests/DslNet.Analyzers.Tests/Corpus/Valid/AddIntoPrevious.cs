// Add with one name merges that node into the tensor before it (a residual written inline).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class AddIntoPrevious
{
    [Input(16)]                             partial Tensor X { get; }
    [Dense(16), ReLU]                       partial Tensor H { get; }
    [Dense(16), Add(nameof(H)), ReLU]       partial Tensor Residual { get; }
    [Dense(2)]                              partial Tensor Output { get; }
}
