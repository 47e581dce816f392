// A network nested in a partial class (the generator adds its half inside the same nesting).
using DslNet;

namespace Corpus;

public static partial class Models
{
    [Network(Loss = Loss.SoftmaxCrossEntropy)]
    public partial class Nested
    {
        [Input(4)]              partial Tensor X { get; }
        [Dense(8), ReLU]        partial Tensor H { get; }
        [Dense(2)]              partial Tensor Logits { get; }
    }
}
