using DslNet;

namespace DslNet.Tests.Training;

// Small networks for the Trainer tests: fast enough for dozens of epochs in milliseconds.

/// <summary>A 6-12-3 classifier.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class TinyClassifier
{
    [Input(6)]              public partial Tensor X { get; }
    [Dense(12), Tanh]       public partial Tensor H { get; }
    [Dense(3)]              public partial Tensor Logits { get; }
}

/// <summary>A small image classifier (with BatchNorm state) for augmentation and allocation tests.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class TinyImageClassifier
{
    [Input(1, 6, 6)]                                        public partial Tensor Image { get; }
    [Conv2D(3, Kernel = 3, Padding = 1), BatchNorm, ReLU]   public partial Tensor C1 { get; }
    [MaxPool2D(2), Flatten, Dense(4)]                       public partial Tensor Logits { get; }
}
