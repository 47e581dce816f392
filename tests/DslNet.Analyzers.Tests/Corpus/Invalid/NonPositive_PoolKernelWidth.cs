// DSL0004: a pooling window with a negative width.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(1, 8, 8)]                                            partial Tensor X { get; }
    [MaxPool2D(2, KernelWidth = {|DSL0004:-2|}, Stride = 2)]     partial Tensor Y { get; }
}
