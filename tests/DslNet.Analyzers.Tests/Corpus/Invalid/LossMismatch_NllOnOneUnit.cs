// DSL0015: NLL over a single output unit; and DSL0026 (warning): NLL expects log-probabilities, the output has no LogSoftmax.
using DslNet;

namespace Corpus;

[Network(Loss = {|DSL0015:Loss.NllLoss|})]
public partial class Net
{
    [Input(10)]                 partial Tensor X { get; }
    [{|DSL0026:Dense(1)|}]                  partial Tensor Score { get; }
}
