// Regression with mean absolute error on a single output.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanAbsoluteError)]
public partial class RobustRegression
{
    [Input(5)]              partial Tensor Features { get; }
    [Dense(16), ELU]        partial Tensor Hidden { get; }
    [Dense(1)]              partial Tensor Prediction { get; }
}
