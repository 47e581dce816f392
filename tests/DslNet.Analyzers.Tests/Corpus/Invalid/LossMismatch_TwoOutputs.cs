// DSL0015: a declared loss trains one output, but two are marked.
using DslNet;

namespace Corpus;

[Network(Loss = {|DSL0015:Loss.MeanSquaredError|})]
public partial class Net
{
    [Input(12)]                                 partial Tensor Features { get; }
    [Dense(32), ReLU]                           partial Tensor Trunk { get; }
    [Dense(1), Output]                          partial Tensor Value { get; }
    [From(nameof(Trunk)), Dense(4), Output]     partial Tensor Scores { get; }
}
