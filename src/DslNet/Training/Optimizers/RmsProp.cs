using DslNet.Backends;

namespace DslNet.Training;

/// <summary>
/// RMSProp as torch.optim.RMSprop: with g = grad + λ·p, v = α·v + (1−α)·g²,
/// d = √v + ε (centered: √(v − ḡ²) + ε with ḡ = α·ḡ + (1−α)·g), then p −= lr·g/d, or with
/// momentum μ: b = μ·b + g/d, p −= lr·b.
/// </summary>
public sealed class RmsProp : Optimizer
{
    /// <param name="learningRate">lr &gt; 0 (PyTorch's default 1e−2).</param>
    /// <param name="alpha">α in [0, 1): decay of the squared-gradient average.</param>
    /// <param name="epsilon">ε &gt; 0, added to the root.</param>
    /// <param name="weightDecay">λ ≥ 0, L2 added to the gradient.</param>
    /// <param name="momentum">μ in [0, 1).</param>
    /// <param name="centered">Normalise by the variance estimate instead of the raw second moment.</param>
    public RmsProp(double learningRate = 1e-2, double alpha = 0.99, double epsilon = 1e-8, double weightDecay = 0,
        double momentum = 0, bool centered = false)
        : base(learningRate)
    {
        HyperParameter.Fraction(alpha, nameof(alpha));
        HyperParameter.Positive(epsilon, nameof(epsilon));
        HyperParameter.NonNegative(weightDecay, nameof(weightDecay));
        HyperParameter.Fraction(momentum, nameof(momentum));
        Alpha = alpha;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        Momentum = momentum;
        Centered = centered;
    }

    public double Alpha { get; }
    public double Epsilon { get; }
    public double WeightDecay { get; }
    public double Momentum { get; }
    public bool Centered { get; }

    protected override ParameterUpdate Describe(double learningRate, long step) =>
        ParameterUpdate.RmsProp(learningRate, Alpha, Epsilon, WeightDecay, Momentum, Centered);
}
