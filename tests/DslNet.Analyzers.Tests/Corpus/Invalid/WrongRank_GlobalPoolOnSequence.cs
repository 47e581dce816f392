// DSL0008: global average pooling on a sequence [T, F].
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(10, 4)]                              partial Tensor Steps { get; }
    [{|DSL0008:GlobalAvgPool2D|}, Dense(3)]     partial Tensor Logits { get; }
}
