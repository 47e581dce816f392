// DSL0004: a zero height stride.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(1, 8, 8)]                                        partial Tensor X { get; }
    [Conv2D(4, Kernel = 3, StrideHeight = {|DSL0004:-1|})]   partial Tensor Y { get; }
}
