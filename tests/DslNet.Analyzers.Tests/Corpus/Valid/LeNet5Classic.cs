// The 1998 LeNet-5: 32×32 input, no padding, average pooling and tanh.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class LeNet5Classic
{
    [Input(1, 32, 32)]                  public partial Tensor Image { get; }
    [Conv2D(6, Kernel = 5), Tanh]       public partial Tensor C1 { get; }
    [AvgPool2D(2)]                      public partial Tensor S2 { get; }
    [Conv2D(16, Kernel = 5), Tanh]      public partial Tensor C3 { get; }
    [AvgPool2D(2)]                      public partial Tensor S4 { get; }
    [Conv2D(120, Kernel = 5), Tanh]     public partial Tensor C5 { get; }
    [Flatten, Dense(84), Tanh]          public partial Tensor F6 { get; }
    [Dense(10)]                         public partial Tensor Logits { get; }
}
