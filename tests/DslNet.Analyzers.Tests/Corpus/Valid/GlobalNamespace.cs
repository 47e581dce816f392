// A network in the global namespace, with public nodes.
using DslNet;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GlobalNet
{
    [Input(9)]                      public partial Tensor X { get; }
    [Dense(9), ReLU]                public partial Tensor H { get; }
    [Dense(3)]                      public partial Tensor Logits { get; }
}
