using DslNet;

namespace FashionMnist;

/// <summary>LeNet-5 as in DESIGN.md: two convolutions with max pooling, then three dense layers.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class LeNet5
{
    [Input(1, 28, 28)]                          public partial Tensor Image { get; }
    [Conv2D(6, Kernel = 5, Padding = 2), ReLU]  public partial Tensor C1 { get; }
    [MaxPool2D(2)]                              public partial Tensor S2 { get; }
    [Conv2D(16, Kernel = 5), ReLU]              public partial Tensor C3 { get; }
    [MaxPool2D(2)]                              public partial Tensor S4 { get; }
    [Flatten, Dense(120), ReLU]                 public partial Tensor F5 { get; }
    [Dense(84), ReLU]                           public partial Tensor F6 { get; }
    [Dense(10)]                                 public partial Tensor Logits { get; }
}

/// <summary>A two-hidden-layer perceptron on the flattened image.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Mlp
{
    [Input(784)]              public partial Tensor Pixels { get; }
    [Dense(256), ReLU]        public partial Tensor Hidden1 { get; }
    [Dense(128), ReLU]        public partial Tensor Hidden2 { get; }
    [Dense(10)]               public partial Tensor Logits { get; }
}
