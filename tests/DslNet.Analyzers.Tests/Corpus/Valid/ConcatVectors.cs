// Two dense branches concatenated on features.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class ConcatVectors
{
    [Input(12)]                                         partial Tensor X { get; }
    [Dense(6), ReLU]                                    partial Tensor Narrow { get; }
    [From(nameof(X)), Dense(10), ReLU]                  partial Tensor Wide { get; }
    [Concat(nameof(Narrow), nameof(Wide)), Dense(3)]    partial Tensor Logits { get; }
}
