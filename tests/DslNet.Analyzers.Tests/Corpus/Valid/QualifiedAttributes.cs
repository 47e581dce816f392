// Attributes written with their full names and without a using directive.
namespace Corpus;

[DslNet.Network(Loss = DslNet.Loss.SoftmaxCrossEntropy)]
public partial class QualifiedAttributes
{
    [DslNet.InputAttribute(1, 8, 8)]                                    partial DslNet.Tensor Image { get; }
    [DslNet.Conv2D(4, Kernel = 3, Padding = DslNet.Padding.Same), DslNet.ReLUAttribute] partial DslNet.Tensor Conv { get; }
    [DslNet.Flatten, DslNet.Dense(2)]                                   partial DslNet.Tensor Logits { get; }
}
