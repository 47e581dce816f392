// Two sequence branches joined along time (the first axis) and projected per step.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class SequenceConcat
{
    [Input(6, 4)]                                       partial Tensor Steps { get; }
    [Dense(8), ReLU]                                    partial Tensor Left { get; }
    [From(nameof(Steps)), Dense(8), Tanh]               partial Tensor Right { get; }
    [Concat(nameof(Left), nameof(Right)), Dense(2)]     partial Tensor Joined { get; }
}
