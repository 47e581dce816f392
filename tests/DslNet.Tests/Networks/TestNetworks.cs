using DslNet;

namespace DslNet.Tests.Networks;

// Networks compiled by the generator for the behaviour tests. Smooth activations (Tanh, SiLU) and
// average pooling keep finite differences away from kinks in the whole-network gradient check.

/// <summary>A small CNN with BatchNorm and a residual Add, for the whole-network gradient check.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class ResidualCnn
{
    [Input(2, 6, 6)]                                        public partial Tensor Image { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), BatchNorm, Tanh]   public partial Tensor Stem { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), BatchNorm]         public partial Tensor Branch { get; }
    [Add(nameof(Stem), nameof(Branch)), SiLU]               public partial Tensor Res { get; }
    [AvgPool2D(2), Conv2D(3, Kernel = 2, Stride = 1, Dilation = 1), ELU] public partial Tensor Head { get; }
    [Flatten, Dense(5)]                                     public partial Tensor Logits { get; }
}

/// <summary>The 2-2-1 sigmoid perceptron of the course's XOR example.</summary>
[Network(Loss = Loss.BinaryCrossEntropy)]
public partial class XorNet
{
    [Input(2)]              public partial Tensor X { get; }
    [Dense(2), Sigmoid]     public partial Tensor Hidden { get; }
    [Dense(1), Sigmoid]     public partial Tensor Y { get; }
}

/// <summary>A LeNet-like network with every layer family, for the allocation and API tests.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class SmallLeNet
{
    [Input(1, 12, 12)]                                  public partial Tensor Image { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), BatchNorm, ReLU] public partial Tensor C1 { get; }
    [MaxPool2D(2)]                                      public partial Tensor S2 { get; }
    [Conv2D(6, Kernel = 3), LeakyReLU(0.1)]             public partial Tensor C3 { get; }
    [From(nameof(S2)), Conv2D(2, Kernel = 1), AvgPool2D(3, Stride = 1)] public partial Tensor Side { get; }
    [Concat(nameof(C3), nameof(Side)), GlobalAvgPool2D] public partial Tensor Pooled { get; }
    [Dense(16), PReLU, Dropout(0.25)]                  public partial Tensor Hidden { get; }
    [Dense(3)]                                          public partial Tensor Logits { get; }
}

/// <summary>A regression network with a sequence input: Dense applies per time step.</summary>
[Network(Loss = Loss.MeanSquaredError)]
public partial class SequenceRegressor
{
    [Input(4, 3)]               public partial Tensor Steps { get; }
    [Dense(5), GELU]            public partial Tensor PerStep { get; }
    [Dense(2), Softplus(2.0)]   public partial Tensor Out { get; }
}

/// <summary>Two inputs joined by Concat: the generated Forward takes one argument per input.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class TwoInputNet
{
    [Input(3)]                              public partial Tensor Left { get; }
    [Input(2)]                              public partial Tensor Right { get; }
    [Concat(nameof(Left), nameof(Right))]   public partial Tensor Joined { get; }
    [Dense(4)]                              public partial Tensor Logits { get; }
}
