namespace DslNet.Backends;

/// <summary>The element-wise update rules of the built-in optimizers, as <see cref="Backend.ApplyUpdate"/> runs them.</summary>
public enum UpdateRule
{
    /// <summary>SGD, plain or with (Nesterov) momentum; state: the velocity when <see cref="ParameterUpdate.Momentum"/> &gt; 0.</summary>
    Sgd,
    /// <summary>Adam and AdamW; state: first moment m, then second moment v.</summary>
    Adam,
    /// <summary>RMSProp; state: the squared-gradient average, then ḡ when centered, then the momentum buffer when μ &gt; 0.</summary>
    RmsProp,
    /// <summary>Adagrad; state: the sum of squared gradients.</summary>
    Adagrad,
}

/// <summary>
/// One optimizer step as a backend kernel sees it: the rule and its coefficients for this step, in
/// single precision, with the schedule and bias corrections already folded in. Every element is
/// updated on its own, with p the parameter, g its gradient, and the rule's state slots (each as long
/// as p) back to back in one state buffer, in the order <see cref="UpdateRule"/> lists them:
/// <list type="bullet">
/// <item>Sgd, μ = 0: p = p·Shrink − LearningRate·g, where Shrink = 1 − lr·λ folds the L2 term in.</item>
/// <item>Sgd, μ &gt; 0: d = g + λ·p; v = μ·v + d; p −= lr·(Nesterov ? d + μ·v : v).</item>
/// <item>Adam: d = g + λ·p; m = β₁·m + (1−β₁)·d; v = β₂·v + (1−β₂)·d²;
/// p = p·Shrink − StepSize·m / (√v·InvSqrtBias2 + ε).</item>
/// <item>RmsProp: d = g + λ·p; s = α·s + (1−α)·d²; centered: ḡ = α·ḡ + (1−α)·d, s' = max(s − ḡ², 0);
/// q = d/(√s' + ε); with μ &gt; 0: b = μ·b + q, q = b; p −= lr·q.</item>
/// <item>Adagrad: d = g + λ·p; s += d²; p −= lr·d/(√s + ε).</item>
/// </list>
/// Backends evaluate each formula with exactly these operations in this order (no fused multiply-add),
/// so every element's result is the same on any backend and for any thread count.
/// </summary>
public readonly record struct ParameterUpdate
{
    public UpdateRule Rule { get; private init; }

    /// <summary>lr for Sgd, RmsProp and Adagrad; Adam uses <see cref="StepSize"/>.</summary>
    public float LearningRate { get; private init; }

    /// <summary>λ, the L2 coefficient added to the gradient (Adam: 0 when the decay is decoupled).</summary>
    public float WeightDecay { get; private init; }

    /// <summary>The factor p is multiplied by first: 1 − lr·λ for plain SGD and AdamW, else 1.</summary>
    public float Shrink { get; private init; }

    /// <summary>μ of SGD and RMSProp (0: no momentum buffer).</summary>
    public float Momentum { get; private init; }

    public bool Nesterov { get; private init; }

    /// <summary>β₁ (Adam) or α (RMSProp): the weight of the old average.</summary>
    public float Decay1 { get; private init; }

    /// <summary>1 − β₁ or 1 − α, formed in double before rounding (as PyTorch does).</summary>
    public float OneMinusDecay1 { get; private init; }

    /// <summary>β₂ (Adam).</summary>
    public float Decay2 { get; private init; }

    /// <summary>1 − β₂ (Adam), formed in double.</summary>
    public float OneMinusDecay2 { get; private init; }

    /// <summary>Adam: lr/(1 − β₁ᵗ).</summary>
    public float StepSize { get; private init; }

    /// <summary>Adam: 1/√(1 − β₂ᵗ).</summary>
    public float InvSqrtBias2 { get; private init; }

    /// <summary>ε, added to the root.</summary>
    public float Epsilon { get; private init; }

    /// <summary>RMSProp: normalise by the variance estimate (keeps ḡ).</summary>
    public bool Centered { get; private init; }

    /// <summary>How many state values each parameter needs (the state buffer holds this many slots).</summary>
    public int StateSlots => Rule switch
    {
        UpdateRule.Sgd => Momentum > 0 ? 1 : 0,
        UpdateRule.Adam => 2,
        UpdateRule.RmsProp => 1 + (Centered ? 1 : 0) + (Momentum > 0 ? 1 : 0),
        _ => 1,
    };

    /// <summary>torch.optim.SGD (dampening 0).</summary>
    public static ParameterUpdate Sgd(double learningRate, double momentum, bool nesterov, double weightDecay) => new()
    {
        Rule = UpdateRule.Sgd,
        LearningRate = (float)learningRate,
        WeightDecay = (float)weightDecay,
        Shrink = momentum == 0 ? (float)(1 - learningRate * weightDecay) : 1f,
        Momentum = (float)momentum,
        Nesterov = nesterov,
    };

    /// <summary>torch.optim.Adam (L2 decay) or, with <paramref name="decoupled"/>, torch.optim.AdamW; <paramref name="step"/> is 1-based.</summary>
    public static ParameterUpdate Adam(double learningRate, double beta1, double beta2, double epsilon, double weightDecay,
        bool decoupled, long step) => new()
    {
        Rule = UpdateRule.Adam,
        // Bias corrections folded into two scalars, as PyTorch does:
        // lr·m̂/(√v̂ + ε) = (lr/(1−β₁ᵗ))·m / (√v·(1/√(1−β₂ᵗ)) + ε).
        StepSize = (float)(learningRate / (1 - System.Math.Pow(beta1, step))),
        InvSqrtBias2 = (float)(1 / System.Math.Sqrt(1 - System.Math.Pow(beta2, step))),
        Decay1 = (float)beta1,
        Decay2 = (float)beta2,
        // 1 − β in double: (1 − (float)0.999) would be off by 1.3e−5 relative.
        OneMinusDecay1 = (float)(1 - beta1),
        OneMinusDecay2 = (float)(1 - beta2),
        Epsilon = (float)epsilon,
        WeightDecay = decoupled ? 0f : (float)weightDecay,
        Shrink = decoupled ? (float)(1 - learningRate * weightDecay) : 1f,
    };

    /// <summary>torch.optim.RMSprop.</summary>
    public static ParameterUpdate RmsProp(double learningRate, double alpha, double epsilon, double weightDecay,
        double momentum, bool centered) => new()
    {
        Rule = UpdateRule.RmsProp,
        LearningRate = (float)learningRate,
        Decay1 = (float)alpha,
        OneMinusDecay1 = (float)(1 - alpha),
        Epsilon = (float)epsilon,
        WeightDecay = (float)weightDecay,
        Momentum = (float)momentum,
        Centered = centered,
        Shrink = 1f,
    };

    /// <summary>torch.optim.Adagrad (lr_decay 0).</summary>
    public static ParameterUpdate Adagrad(double learningRate, double epsilon, double weightDecay) => new()
    {
        Rule = UpdateRule.Adagrad,
        LearningRate = (float)learningRate,
        Epsilon = (float)epsilon,
        WeightDecay = (float)weightDecay,
        Shrink = 1f,
    };
}
