// Regression with mean squared error on three outputs.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class Regression
{
    [Input(8)]              partial Tensor Features { get; }
    [Dense(32), Tanh]       partial Tensor Hidden { get; }
    [Dense(3)]              partial Tensor Prediction { get; }
}
