// DSL0014: the PyTorch port says Linear(400, 120), but 28×28 input gives 16×4×4 = 256 features.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Ported
{
    [Input(1, 28, 28)]                                  partial Tensor Image { get; }
    [Conv2D(6, Kernel = 5), ReLU, MaxPool2D(2)]         partial Tensor Conv1 { get; }
    [Conv2D(16, Kernel = 5), ReLU, MaxPool2D(2)]        partial Tensor Conv2 { get; }
    [Flatten, Dense(120, InFeatures = {|DSL0014:400|}), ReLU]  partial Tensor Fc1 { get; }
    [Dense(10, InFeatures = 120)]                       partial Tensor Fc2 { get; }
}
