// DSL0010: a sequence concatenated with a vector.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(6, 4)]                                           partial Tensor Steps { get; }
    [Flatten, Dense(4)]                                     partial Tensor Summary { get; }
    [Concat(nameof(Steps), {|DSL0010:nameof(Summary)|})]    partial Tensor Joined { get; }
}
