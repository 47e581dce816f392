// DSL0010: two sequences joined along time must have the same features: 8 and 6.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(6, 4)]                                           partial Tensor Steps { get; }
    [Dense(8)]                                              partial Tensor Left { get; }
    [From(nameof(Steps)), Dense(6)]                         partial Tensor Right { get; }
    [Concat(nameof(Left), {|DSL0010:nameof(Right)|})]       partial Tensor Joined { get; }
}
