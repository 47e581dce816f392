// Three equally shaped branches summed in one Add.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class AddThree
{
    [Input(10)]                                             partial Tensor X { get; }
    [Dense(8), ReLU]                                        partial Tensor P { get; }
    [From(nameof(X)), Dense(8), Tanh]                       partial Tensor Q { get; }
    [From(nameof(X)), Dense(8)]                             partial Tensor R { get; }
    [Add(nameof(P), nameof(Q), nameof(R)), Dense(1)]        partial Tensor Sum { get; }
}
