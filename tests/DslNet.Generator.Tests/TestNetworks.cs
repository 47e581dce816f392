namespace DslNet.Generator.Tests;

/// <summary>Network declarations shared by the generator tests.</summary>
public static class TestNetworks
{
    public const string Mlp = """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Mlp
        {
            [Input(784)]            public partial Tensor Pixels { get; }
            [Dense(128), ReLU]      public partial Tensor Hidden { get; }
            [Dropout(0.2)]          public partial Tensor Dropped { get; }
            [Dense(10)]             public partial Tensor Logits { get; }
        }
        """;

    public const string LeNet5 = """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class LeNet5
        {
            [Input(1, 28, 28)]                          partial Tensor Image { get; }
            [Conv2D(6, Kernel = 5, Padding = 2), ReLU]  partial Tensor C1 { get; }
            [MaxPool2D(2)]                              partial Tensor S2 { get; }
            [Conv2D(16, Kernel = 5), ReLU]              partial Tensor C3 { get; }
            [MaxPool2D(2)]                              partial Tensor S4 { get; }
            [Flatten, Dense(120), ReLU]                 partial Tensor F5 { get; }
            [Dense(84), ReLU]                           partial Tensor F6 { get; }
            [Dense(10)]                                 partial Tensor Logits { get; }
        }
        """;

    public const string Residual = """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class ResidualBlock
        {
            [Input(3, 16, 16)]                                      public partial Tensor Image { get; }
            [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm, ReLU]  public partial Tensor Stem { get; }
            [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm, ReLU]  public partial Tensor A { get; }
            [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm]        public partial Tensor B { get; }
            [Add(nameof(Stem), nameof(B)), ReLU]                    public partial Tensor Res { get; }
            [GlobalAvgPool2D, Dense(10)]                            public partial Tensor Logits { get; }
        }
        """;

    public const string Concat = """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Inception
        {
            [Input(8, 12, 12)]                                  public partial Tensor Image { get; }
            [Conv2D(4, Kernel = 1), ReLU]                       public partial Tensor Branch1 { get; }
            [From(nameof(Image)), Conv2D(6, Kernel = 3, Padding = Padding.Same), ReLU]   public partial Tensor Branch3 { get; }
            [From(nameof(Image)), MaxPool2D(3, Stride = 1, Padding = 1), Conv2D(2, Kernel = 1)]  public partial Tensor Pool { get; }
            [Concat(nameof(Branch1), nameof(Branch3), nameof(Pool))]   public partial Tensor Mixed { get; }
            [Flatten, Dense(10)]                                public partial Tensor Logits { get; }
        }
        """;
}
