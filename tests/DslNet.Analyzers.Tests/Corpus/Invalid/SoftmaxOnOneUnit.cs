// DSL0027: Softmax over a single unit always outputs 1, so nothing before it learns.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(10)]                                 partial Tensor X { get; }
    [Dense(1), {|DSL0027:Softmax|}]              partial Tensor Y { get; }
}
