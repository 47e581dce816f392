// DSL0009: an image added to a vector.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Net
{
    [Input(1, 4, 4)]                                        partial Tensor Image { get; }
    [Flatten, Dense(16)]                                    partial Tensor Vector { get; }
    [Add(nameof(Image), {|DSL0009:nameof(Vector)|})]        partial Tensor Sum { get; }
}
