// DSL0008: BatchNorm on a sequence.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(10, 4)]                              partial Tensor Steps { get; }
    [Dense(8), {|DSL0008:BatchNorm|}]           partial Tensor Normed { get; }
}
