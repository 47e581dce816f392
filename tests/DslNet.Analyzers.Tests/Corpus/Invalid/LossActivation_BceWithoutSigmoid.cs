// DSL0026 (warning): BCE on probabilities, but the output is a raw logit.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.BinaryCrossEntropy)]
public partial class Net
{
    [Input(10)]                         partial Tensor X { get; }
    [Dense(8), ReLU]                    partial Tensor H { get; }
    [{|DSL0026:Dense(1)|}]              partial Tensor Score { get; }
}
