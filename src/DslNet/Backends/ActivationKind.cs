namespace DslNet.Backends;

/// <summary>The element-wise activations the backends implement (alpha is the one hyper-parameter).</summary>
public enum ActivationKind
{
    /// <summary>y = x.</summary>
    Identity,
    /// <summary>y = max(0, x).</summary>
    ReLU,
    /// <summary>y = x for x ≥ 0, alpha·x otherwise (alpha = negative slope).</summary>
    LeakyReLU,
    /// <summary>y = x for x > 0, alpha·(eˣ − 1) otherwise.</summary>
    ELU,
    /// <summary>y = x·Φ(x), the exact (erf) form, as PyTorch's default.</summary>
    GELU,
    /// <summary>y = x·σ(x) (SiLU, Swish with β = 1).</summary>
    SiLU,
    /// <summary>y = 1 / (1 + e⁻ˣ).</summary>
    Sigmoid,
    /// <summary>y = tanh(x).</summary>
    Tanh,
    /// <summary>y = log(1 + e^(alpha·x)) / alpha (alpha = β).</summary>
    Softplus,
}
