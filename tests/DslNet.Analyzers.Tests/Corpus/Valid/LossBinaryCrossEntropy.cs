// A binary classifier ending in one sigmoid unit, trained with BCE on probabilities.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.BinaryCrossEntropy)]
public partial class BinaryClassifier
{
    [Input(10)]             partial Tensor Features { get; }
    [Dense(8), ReLU]        partial Tensor Hidden { get; }
    [Dense(1), Sigmoid]     partial Tensor Probability { get; }
}
