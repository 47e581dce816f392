using System;

namespace DslNet;

/// <summary>max(0, x).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : LayerAttribute { }

/// <summary>x for x ≥ 0, slope·x otherwise (default slope 0.01, as PyTorch).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReLUAttribute : LayerAttribute
{
    public LeakyReLUAttribute(double slope = 0.01) => Slope = slope;

    public double Slope { get; }
}

/// <summary>Leaky ReLU with a learned slope: one shared slope (default, as PyTorch) or one per channel.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class PReLUAttribute : LayerAttribute
{
    public PReLUAttribute(double init = 0.25) => Init = init;

    public double Init { get; }

    public bool PerChannel { get; set; }
}

/// <summary>x for x &gt; 0, alpha·(eˣ − 1) otherwise.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class ELUAttribute : LayerAttribute
{
    public ELUAttribute(double alpha = 1.0) => Alpha = alpha;

    public double Alpha { get; }
}

/// <summary>x·Φ(x) (exact erf form).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class GELUAttribute : LayerAttribute { }

/// <summary>x·σ(x).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class SiLUAttribute : LayerAttribute { }

/// <summary>x·σ(x): the same function as <see cref="SiLUAttribute"/> (Swish with β = 1).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class SwishAttribute : LayerAttribute { }

/// <summary>1 / (1 + e⁻ˣ).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : LayerAttribute { }

/// <summary>tanh(x).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : LayerAttribute { }

/// <summary>log(1 + e^(β·x)) / β.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class SoftplusAttribute : LayerAttribute
{
    public SoftplusAttribute(double beta = 1.0) => Beta = beta;

    public double Beta { get; }
}

/// <summary>Softmax over the last axis (features, or the features of each time step).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute { }

/// <summary>x − log Σ eˣ over the last axis.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class LogSoftmaxAttribute : LayerAttribute { }
