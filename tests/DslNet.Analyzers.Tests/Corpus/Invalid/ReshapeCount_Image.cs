// DSL0013: Reshape(1, 28, 28) of 512 features.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(512)]                                partial Tensor Code { get; }
    [Reshape({|DSL0013:1, 28, 28|})]             partial Tensor Image { get; }
}
