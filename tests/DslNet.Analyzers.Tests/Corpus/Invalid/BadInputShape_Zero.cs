// DSL0021: an input with a zero size.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(3, {|DSL0021:0|}, 28)]           partial Tensor Images { get; }
    [Flatten, Dense(3)]         partial Tensor Logits { get; }
}
