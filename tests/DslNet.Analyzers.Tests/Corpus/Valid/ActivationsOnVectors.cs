// Every element-wise activation on vectors, with their parameters.
using DslNet;

namespace Corpus;

[Network(Loss = Loss.MeanSquaredError)]
public partial class ActivationsOnVectors
{
    [Input(16)]                     partial Tensor X { get; }
    [Dense(16), ReLU]               partial Tensor A1 { get; }
    [Dense(16), LeakyReLU]          partial Tensor A2 { get; }
    [Dense(16), LeakyReLU(0.2)]     partial Tensor A3 { get; }
    [Dense(16), PReLU]              partial Tensor A4 { get; }
    [Dense(16), PReLU(0.1, PerChannel = true)] partial Tensor A5 { get; }
    [Dense(16), ELU]                partial Tensor A6 { get; }
    [Dense(16), ELU(0.5)]           partial Tensor A7 { get; }
    [Dense(16), GELU]               partial Tensor A8 { get; }
    [Dense(16), SiLU]               partial Tensor A9 { get; }
    [Dense(16), Swish]              partial Tensor A10 { get; }
    [Dense(16), Sigmoid]            partial Tensor A11 { get; }
    [Dense(16), Tanh]               partial Tensor A12 { get; }
    [Dense(16), Softplus]           partial Tensor A13 { get; }
    [Dense(16), Softplus(2)]        partial Tensor A14 { get; }
    [Dense(4), Softmax]             partial Tensor Probabilities { get; }
}
