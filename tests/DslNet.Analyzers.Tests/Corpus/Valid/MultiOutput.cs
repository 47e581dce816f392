// One trunk, two marked outputs (a regression head and a class-score head).
using DslNet;

namespace Corpus;

[Network] // no loss: a declared loss trains one output (DSL0015); two heads train with Forward/Backward
public partial class MultiOutput
{
    [Input(12)]                                 partial Tensor Features { get; }
    [Dense(32), ReLU]                           partial Tensor Trunk { get; }
    [Dense(1), Output]                          partial Tensor Value { get; }
    [From(nameof(Trunk)), Dense(4), Output]     partial Tensor Scores { get; }
}
