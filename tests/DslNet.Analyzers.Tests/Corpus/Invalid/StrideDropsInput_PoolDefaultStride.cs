// DSL0006: MaxPool2D(2) on 7 rows (the stride defaults to the window): the last row is never read.
// The stride is not written, so the diagnostic is on the attribute name.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(4, 7, 8)]                    partial Tensor Features { get; }
    [{|DSL0006:MaxPool2D|}(2)]          partial Tensor Pooled { get; }
    [Flatten, Dense(10)]                partial Tensor Logits { get; }
}
