// A binary classifier that outputs one logit; the loss applies the sigmoid itself.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.BinaryCrossEntropyWithLogits)]
public partial class LogitClassifier
{
    [Input(1, 12, 12)]                                  partial Tensor Image { get; }
    [Conv2D(4, Kernel = 3), ReLU, MaxPool2D(2)]         partial Tensor Features { get; }
    [Flatten, Dense(1)]                                 partial Tensor Logit { get; }
}
