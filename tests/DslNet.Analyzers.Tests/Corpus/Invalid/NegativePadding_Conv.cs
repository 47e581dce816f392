// DSL0005: padding -1 (not Padding.Same).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(1, 8, 8)]                                    partial Tensor X { get; }
    [Conv2D(4, Kernel = 3, Padding = {|DSL0005:-1|})]    partial Tensor Y { get; }
}
