using System;
using DslNet.Backends;

namespace DslNet.Training;

/// <summary>
/// Stochastic gradient descent with optional momentum and Nesterov momentum, PyTorch's torch.optim.SGD
/// (dampening 0): with d = g + λ·p (weight decay as L2 added to the gradient),
/// plain: p −= lr·d; momentum: v = μ·v + d, p −= lr·v; Nesterov: v = μ·v + d, p −= lr·(d + μ·v).
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <param name="learningRate">lr &gt; 0 (PyTorch's default 1e−3).</param>
    /// <param name="momentum">μ in [0, 1); 0 is plain SGD.</param>
    /// <param name="nesterov">Nesterov momentum; needs μ &gt; 0.</param>
    /// <param name="weightDecay">λ ≥ 0, the L2 coefficient added to the gradient.</param>
    public Sgd(double learningRate = 1e-3, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(learningRate)
    {
        HyperParameter.Fraction(momentum, nameof(momentum));
        HyperParameter.NonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && momentum == 0)
            throw new ArgumentException("Nesterov momentum needs a momentum > 0.", nameof(nesterov));
        Momentum = momentum;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
    }

    public double Momentum { get; }
    public bool Nesterov { get; }
    public double WeightDecay { get; }

    protected override ParameterUpdate Describe(double learningRate, long step) =>
        ParameterUpdate.Sgd(learningRate, Momentum, Nesterov, WeightDecay);
}
