// DSL0026 (warning): NLL expects log-probabilities, but the output ends with Softmax (not LogSoftmax).
using DslNet;

namespace Corpus;

[Network(Loss = Loss.NllLoss)]
public partial class Net
{
    [Input(10)]                                 partial Tensor X { get; }
    [Dense(4), {|DSL0026:Softmax|}]             partial Tensor Probabilities { get; }
}
