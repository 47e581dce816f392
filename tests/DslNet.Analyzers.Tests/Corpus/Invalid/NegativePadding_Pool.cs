// DSL0005: a pooling layer with negative padding.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(1, 8, 8)]                                    partial Tensor X { get; }
    [AvgPool2D(2, Padding = {|DSL0005:-2|})]             partial Tensor Y { get; }
}
