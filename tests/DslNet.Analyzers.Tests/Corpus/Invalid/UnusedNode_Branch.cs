// DSL0017 (warning): a branch nobody reads.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(10)]                                 partial Tensor X { get; }
    [Dense(16), ReLU]                           partial Tensor H { get; }
    [From(nameof(X)), Dense(16)]                partial Tensor {|DSL0017:Forgotten|} { get; }
    [From(nameof(H)), Dense(3)]                 partial Tensor Logits { get; }
}
