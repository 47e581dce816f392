using DslNet;

namespace DslNet.Tests.Parity;

// The DslNet twins of the PyTorch networks in tests/fixtures/make_fixtures.py. Node names are the
// PyTorch attribute names, so the fixtures' state_dict keys are these networks' tensor names.
// Layer cases read input X and write Y.


[Network] public partial class PDense { [Input(5)] public partial Tensor X { get; } [Dense(3)] public partial Tensor Y { get; } }

[Network]
public partial class PConv
{
    [Input(2, 9, 8)] public partial Tensor X { get; }
    [Conv2D(3, KernelHeight = 3, KernelWidth = 2, StrideHeight = 2, StrideWidth = 1, Padding = 1, DilationHeight = 2, DilationWidth = 1)]
    public partial Tensor Y { get; }
}

[Network] public partial class PMaxPool { [Input(2, 7, 7)] public partial Tensor X { get; } [MaxPool2D(3, Stride = 2, Padding = 1)] public partial Tensor Y { get; } }
[Network] public partial class PAvgPool { [Input(2, 7, 7)] public partial Tensor X { get; } [AvgPool2D(3, Stride = 2, Padding = 1)] public partial Tensor Y { get; } }
[Network] public partial class PGlobalAvgPool { [Input(3, 4, 5)] public partial Tensor X { get; } [GlobalAvgPool2D] public partial Tensor Y { get; } }
[Network] public partial class PFlatten { [Input(2, 3, 4)] public partial Tensor X { get; } [Flatten, Dense(5)] public partial Tensor Y { get; } }
[Network] public partial class PReshape { [Input(12)] public partial Tensor X { get; } [Reshape(3, 4), Dense(2)] public partial Tensor Y { get; } }
[Network] public partial class PBatchNorm2D { [Input(3, 4, 4)] public partial Tensor X { get; } [BatchNorm] public partial Tensor Y { get; } }
[Network] public partial class PBatchNorm1D { [Input(6)] public partial Tensor X { get; } [BatchNorm] public partial Tensor Y { get; } }
[Network] public partial class PDropout { [Input(10)] public partial Tensor X { get; } [Dropout(0.3)] public partial Tensor Y { get; } }

[Network] public partial class PReLUNet { [Input(12)] public partial Tensor X { get; } [ReLU] public partial Tensor Y { get; } }
[Network] public partial class PLeakyReLU { [Input(12)] public partial Tensor X { get; } [LeakyReLU(0.1)] public partial Tensor Y { get; } }
[Network] public partial class PPReLU { [Input(12)] public partial Tensor X { get; } [PReLU] public partial Tensor Y { get; } }
[Network] public partial class PPReLUChannel { [Input(3, 2, 2)] public partial Tensor X { get; } [PReLU(PerChannel = true)] public partial Tensor Y { get; } }
[Network] public partial class PELU { [Input(12)] public partial Tensor X { get; } [ELU(0.7)] public partial Tensor Y { get; } }
[Network] public partial class PGELU { [Input(12)] public partial Tensor X { get; } [GELU] public partial Tensor Y { get; } }
[Network] public partial class PSiLU { [Input(12)] public partial Tensor X { get; } [SiLU] public partial Tensor Y { get; } }
[Network] public partial class PSigmoid { [Input(12)] public partial Tensor X { get; } [Sigmoid] public partial Tensor Y { get; } }
[Network] public partial class PTanh { [Input(12)] public partial Tensor X { get; } [Tanh] public partial Tensor Y { get; } }
[Network] public partial class PSoftplus { [Input(12)] public partial Tensor X { get; } [Softplus] public partial Tensor Y { get; } }
[Network] public partial class PSoftplusBeta2 { [Input(12)] public partial Tensor X { get; } [Softplus(2.0)] public partial Tensor Y { get; } }
[Network] public partial class PSoftmax { [Input(3, 5)] public partial Tensor X { get; } [Softmax] public partial Tensor Y { get; } }
[Network] public partial class PLogSoftmax { [Input(3, 5)] public partial Tensor X { get; } [LogSoftmax] public partial Tensor Y { get; } }

[Network]
public partial class PAdd
{
    [Input(4)] public partial Tensor X { get; }
    [Dense(3)] public partial Tensor A { get; }
    [From(nameof(X)), Dense(3)] public partial Tensor B { get; }
    [Add(nameof(A), nameof(B))] public partial Tensor Y { get; }
}

[Network]
public partial class PMultiply
{
    [Input(4)] public partial Tensor X { get; }
    [Dense(3)] public partial Tensor A { get; }
    [From(nameof(X)), Dense(3)] public partial Tensor B { get; }
    [Multiply(nameof(A), nameof(B))] public partial Tensor Y { get; }
}

[Network]
public partial class PConcat
{
    [Input(2, 3, 3)] public partial Tensor X { get; }
    [Conv2D(2, Kernel = 1)] public partial Tensor A { get; }
    [From(nameof(X)), Conv2D(3, Kernel = 1)] public partial Tensor B { get; }
    [Concat(nameof(A), nameof(B), nameof(X))] public partial Tensor Y { get; }
}

// Loss cases: the loss is passed to TrainStep.
[Network] public partial class PLossDense { [Input(6)] public partial Tensor X { get; } [Dense(4)] public partial Tensor Y { get; } }
[Network] public partial class PLossSigmoid { [Input(6)] public partial Tensor X { get; } [Dense(4), Sigmoid] public partial Tensor Y { get; } }
[Network] public partial class PLossLogSoftmax { [Input(6)] public partial Tensor X { get; } [Dense(4), LogSoftmax] public partial Tensor Y { get; } }

/// <summary>samples/FashionMnist/Networks.cs: Mlp.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class PMlp
{
    [Input(784)]              public partial Tensor Pixels { get; }
    [Dense(256), ReLU]        public partial Tensor Hidden1 { get; }
    [Dense(128), ReLU]        public partial Tensor Hidden2 { get; }
    [Dense(10)]               public partial Tensor Logits { get; }
}

/// <summary>samples/FashionMnist/Networks.cs: LeNet5.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class PLeNet5
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

/// <summary>A residual CNN with BatchNorm: convolutions without bias before BatchNorm, as in ResNet.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class PResNet
{
    [Input(3, 8, 8)]                                                            public partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Padding = 1, Bias = false), BatchNorm, ReLU]          public partial Tensor Stem { get; }
    [Conv2D(8, Kernel = 3, Padding = 1, Bias = false), BatchNorm, ReLU]          public partial Tensor A { get; }
    [Conv2D(8, Kernel = 3, Padding = 1, Bias = false), BatchNorm]                public partial Tensor B { get; }
    [Add(nameof(Stem), nameof(B)), ReLU]                                        public partial Tensor Res { get; }
    [Conv2D(16, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm, ReLU] public partial Tensor Down { get; }
    [GlobalAvgPool2D, Dense(10)]                                                public partial Tensor Logits { get; }
}
