using DslNet.Backends;

namespace DslNet.Training;

/// <summary>
/// Adam (Kingma &amp; Ba), as torch.optim.Adam: with g = grad + λ·p (weight decay as L2),
/// m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), p −= lr·m̂/(√v̂ + ε).
/// ε is outside the root and both moments are bias-corrected (the course notes' variants without
/// correction, or with ε inside the root, are not what PyTorch or Keras do).
/// </summary>
public class Adam : Optimizer
{
    private readonly bool _decoupled;

    /// <param name="learningRate">lr &gt; 0.</param>
    /// <param name="beta1">β₁ in [0, 1): decay of the first moment.</param>
    /// <param name="beta2">β₂ in [0, 1): decay of the second moment.</param>
    /// <param name="epsilon">ε &gt; 0, added to √v̂.</param>
    /// <param name="weightDecay">λ ≥ 0, the L2 coefficient added to the gradient (see <see cref="AdamW"/> for decoupled decay).</param>
    public Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
        : this(learningRate, beta1, beta2, epsilon, weightDecay, decoupled: false) { }

    private protected Adam(double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled)
        : base(learningRate)
    {
        HyperParameter.Fraction(beta1, nameof(beta1));
        HyperParameter.Fraction(beta2, nameof(beta2));
        HyperParameter.Positive(epsilon, nameof(epsilon));
        HyperParameter.NonNegative(weightDecay, nameof(weightDecay));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _decoupled = decoupled;
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public double WeightDecay { get; }

    protected override ParameterUpdate Describe(double learningRate, long step) =>
        ParameterUpdate.Adam(learningRate, Beta1, Beta2, Epsilon, WeightDecay, _decoupled, step);
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter), as torch.optim.AdamW: decoupled weight decay p −= lr·λ·p applied
/// before the Adam update, which uses the raw gradient. Default λ = 0.01.
/// </summary>
public sealed class AdamW : Adam
{
    /// <param name="learningRate">lr &gt; 0.</param>
    /// <param name="beta1">β₁ in [0, 1).</param>
    /// <param name="beta2">β₂ in [0, 1).</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <param name="weightDecay">λ ≥ 0, decoupled: p −= lr·λ·p each step.</param>
    public AdamW(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.01)
        : base(learningRate, beta1, beta2, epsilon, weightDecay, decoupled: true) { }
}
