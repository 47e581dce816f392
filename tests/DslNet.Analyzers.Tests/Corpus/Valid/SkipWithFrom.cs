// A dense skip: From reads an earlier node, and Concat joins it with the deep path.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class SkipWithFrom
{
    [Input(32)]                                         partial Tensor X { get; }
    [Dense(32), ReLU]                                   partial Tensor A { get; }
    [Dense(32), ReLU]                                   partial Tensor B { get; }
    [Dense(32), ReLU]                                   partial Tensor C { get; }
    [From(nameof(A)), Dense(8)]                         partial Tensor Shallow { get; }
    [Concat(nameof(C), nameof(Shallow)), Dense(5)]      partial Tensor Logits { get; }
}
