// DSL0005: a negative width padding (the height keeps Padding = 1).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(1, 8, 8)]                                                        partial Tensor X { get; }
    [Conv2D(4, Kernel = 3, Padding = 1, PaddingWidth = {|DSL0005:-3|})]      partial Tensor Y { get; }
}
