// DSL0022 (warning): Softmax before a loss that applies softmax itself.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(10)]                         partial Tensor X { get; }
    [Dense(16), ReLU]                   partial Tensor H { get; }
    [Dense(3), {|DSL0022:Softmax|}]     partial Tensor Probabilities { get; }
}
