// DSL0021: an input with four axes (the batch is never declared).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [{|DSL0021:Input(32, 1, 28, 28)|}]      partial Tensor Images { get; }
    [Flatten, Dense(3)]         partial Tensor Logits { get; }
}
