using DslNet;

namespace DslNet.Tests.Parity;

// Networks exported to ONNX by OnnxExportTests (with PLeNet5 and PResNet of ParityNetworks.cs).

/// <summary>An Inception-style block: three branches joined by Concat.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class PInception
{
    [Input(8, 8, 8)]                                                                    public partial Tensor Image { get; }
    [Conv2D(4, Kernel = 1), ReLU]                                                       public partial Tensor Branch1 { get; }
    [From(nameof(Image)), Conv2D(6, Kernel = 3, Padding = Padding.Same), ReLU]          public partial Tensor Branch3 { get; }
    [From(nameof(Image)), MaxPool2D(3, Stride = 1, Padding = 1), Conv2D(2, Kernel = 1)] public partial Tensor Pool { get; }
    [Concat(nameof(Branch1), nameof(Branch3), nameof(Pool))]                            public partial Tensor Mixed { get; }
    [Flatten, Dense(10)]                                                                public partial Tensor Logits { get; }
}

/// <summary>
/// Every op the exporter knows at least once: asymmetric Same padding with stride 2, dilation,
/// per-channel PReLU, average pooling, BatchNorm on an image and on a vector, inference Dropout,
/// GELU, SiLU, Softmax, Multiply, Add, Softplus with β ≠ 1 and = 1, a Reshape to a sequence read by
/// Dense (MatMul), ReLU, Tanh, Sigmoid, LeakyReLU, ELU and LogSoftmax.
/// </summary>
[Network]
public partial class PEveryOp
{
    [Input(2, 8, 8)]                                                                               public partial Tensor Image { get; }
#pragma warning disable DSL0018 // deliberate: the export must carry uneven Same padding (0 before, 1 after) into ONNX pads
    [Conv2D(4, KernelHeight = 3, KernelWidth = 2, Stride = 2, Padding = Padding.Same), BatchNorm, PReLU(PerChannel = true)] public partial Tensor Stem { get; }
#pragma warning restore DSL0018
    [Conv2D(4, Kernel = 3, Dilation = 2, Padding = 2), AvgPool2D(2), ELU(0.5)]                      public partial Tensor Pooled { get; }
    [From(nameof(Stem)), GlobalAvgPool2D, Dropout(0.3), Dense(8), GELU, Softmax]                   public partial Tensor Global { get; }
    [From(nameof(Pooled)), Flatten, Dense(8), BatchNorm, SiLU]                                     public partial Tensor Local { get; }
    [Multiply(nameof(Global), nameof(Local)), Softplus(2.0)]                                       public partial Tensor Mixed { get; }
    [Add(nameof(Mixed), nameof(Local)), LeakyReLU(0.2), Tanh]                                      public partial Tensor Sum { get; }
    [Reshape(2, 4), Dense(3), Softplus, Sigmoid]                                                   public partial Tensor Steps { get; }
    [Dense(5), ReLU, LogSoftmax]                                                                   public partial Tensor Out { get; }
}
