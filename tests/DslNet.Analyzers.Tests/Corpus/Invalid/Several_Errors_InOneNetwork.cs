// Several independent mistakes in one network are all reported, each at its argument.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Net
{
    [Input(1, 28, 28)]                                      partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Padding = {|DSL0005:-1|})]        partial Tensor Broken { get; }
    [From(nameof(Image)), Dense({|DSL0004:0|})]              partial Tensor AlsoBroken { get; }
    [From(nameof(Image)), Flatten, Dropout({|DSL0016:2|})]   partial Tensor Third { get; }
}
