// DSL0004: a negative width dilation.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(1, 8, 8)]                                        partial Tensor X { get; }
    [Conv2D(4, Kernel = 3, DilationWidth = {|DSL0004:-2|})]  partial Tensor Y { get; }
}
