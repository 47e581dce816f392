// Two independent networks in one file.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class First
{
    [Input(4)]          partial Tensor X { get; }
    [Dense(3)]          partial Tensor Logits { get; }
}

[Network(Loss = Loss.MeanSquaredError)]
public partial class Second
{
    [Input(2, 4)]       partial Tensor Steps { get; }
    [Dense(1)]          partial Tensor PerStep { get; }
}
