using DslNet;

namespace DslNet.Bench;

// The reference networks of ../../shared/bench/torch_ref.py (mlp, lenet, keras_cnn), layer for layer.

/// <summary>W1: MLP 784-512-256-10 with ReLU, softmax cross-entropy.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class W1Mlp
{
    [Input(784)]            public partial Tensor Pixels { get; }
    [Dense(512), ReLU]      public partial Tensor Hidden1 { get; }
    [Dense(256), ReLU]      public partial Tensor Hidden2 { get; }
    [Dense(10)]             public partial Tensor Logits { get; }
}

/// <summary>W2: LeNet-5 (conv5x5 6 pad 2, pool, conv5x5 16, pool, 120, 84, 10).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class W2LeNet5
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

/// <summary>W3: the Keras MNIST CNN (conv3x3 32 pad 1, conv3x3 64 pad 1, pool 2, 128, 10).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class W3KerasCnn
{
    [Input(1, 28, 28)]                          public partial Tensor Image { get; }
    [Conv2D(32, Kernel = 3, Padding = 1), ReLU] public partial Tensor Conv1 { get; }
    [Conv2D(64, Kernel = 3, Padding = 1), ReLU] public partial Tensor Conv2 { get; }
    [MaxPool2D(2)]                              public partial Tensor Pool { get; }
    [Flatten, Dense(128), ReLU]                 public partial Tensor Hidden { get; }
    [Dense(10)]                                 public partial Tensor Logits { get; }
}
