// DSL0004: a convolution with -4 filters.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(1, 8, 8)]                            partial Tensor X { get; }
    [Conv2D({|DSL0004:-4|}, Kernel = 3)]         partial Tensor Y { get; }
}
