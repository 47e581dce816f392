// A port from PyTorch that keeps its hard-coded sizes as assertions; all of them agree.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class PortedLeNet
{
    [Input(3, 32, 32)]                                          partial Tensor Image { get; }
    [Conv2D(6, Kernel = 5, InChannels = 3), ReLU, MaxPool2D(2)] partial Tensor Conv1 { get; }
    [Conv2D(16, Kernel = 5, InChannels = 6), ReLU, MaxPool2D(2)] partial Tensor Conv2 { get; }
    [Reshape(400)]                                              partial Tensor Flat { get; }
    [Dense(120, InFeatures = 400), ReLU]                        partial Tensor Fc1 { get; }
    [Dense(84, InFeatures = 120), ReLU]                         partial Tensor Fc2 { get; }
    [Dense(10, InFeatures = 84)]                                partial Tensor Fc3 { get; }
}
