// DSL0014: Dense on a sequence reads the last axis (5 features), not 50.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(10, 5)]                                      partial Tensor Steps { get; }
    [Dense(3, InFeatures = {|DSL0014:50|})]              partial Tensor PerStep { get; }
}
