// DSL0008: a per-channel PReLU on a sequence.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(10, 4)]                                      partial Tensor Steps { get; }
    [Dense(8), PReLU(PerChannel = {|DSL0008:true|})]     partial Tensor Activated { get; }
}
