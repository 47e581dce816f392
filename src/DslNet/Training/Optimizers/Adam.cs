using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace DslNet.Training;

/// <summary>
/// Adam (Kingma &amp; Ba), as torch.optim.Adam: with g = grad + λ·p (weight decay as L2),
/// m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), p −= lr·m̂/(√v̂ + ε).
/// ε is outside the root and both moments are bias-corrected (the course notes' variants without
/// correction, or with ε inside the root, are not what PyTorch or Keras do).
/// </summary>
public class Adam : Optimizer
{
    private float[] _m = [], _v = [];
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

    protected override void AllocateState(int count)
    {
        _m = new float[count];
        _v = new float[count];
    }

    protected override void ReleaseState() => _m = _v = [];

    protected override void Update(Span<float> p, ReadOnlySpan<float> g, double learningRate, long step)
    {
        // Bias corrections folded into two scalars, as PyTorch does:
        // lr·m̂/(√v̂ + ε) = (lr/(1−β₁ᵗ))·m / (√v·(1/√(1−β₂ᵗ)) + ε).
        float stepSize = (float)(learningRate / (1 - Math.Pow(Beta1, step)));
        float invSqrtBc2 = (float)(1 / Math.Sqrt(1 - Math.Pow(Beta2, step)));
        float b1 = (float)Beta1, b2 = (float)Beta2, eps = (float)Epsilon;
        // 1 − β in double: (1 − (float)0.999) would be off by 1.3e−5 relative (PyTorch also forms it in double).
        float c1 = (float)(1 - Beta1), c2 = (float)(1 - Beta2);
        // L2: the decay joins the gradient. Decoupled (AdamW): p is shrunk by (1 − lr·λ) first.
        float l2 = _decoupled ? 0f : (float)WeightDecay;
        float shrink = _decoupled ? (float)(1 - learningRate * WeightDecay) : 1f;
        Span<float> m = _m, v = _v;

        int start = 0;
        if (Vector.IsHardwareAccelerated && p.Length >= Vector<float>.Count)
        {
            var vp = MemoryMarshal.Cast<float, Vector<float>>(p);
            var vg = MemoryMarshal.Cast<float, Vector<float>>(g);
            var vm = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            Vector<float> vb1 = new(b1), vb2 = new(b2), vc1 = new(c1), vc2 = new(c2), vl2 = new(l2),
                vShrink = new(shrink), vStep = new(stepSize), vInv = new(invSqrtBc2), vEps = new(eps);
            for (int j = 0; j < vp.Length; j++)
            {
                var grad = vg[j] + vl2 * vp[j];
                var first = vb1 * vm[j] + vc1 * grad;
                var second = vb2 * vv[j] + vc2 * grad * grad;
                vm[j] = first;
                vv[j] = second;
                vp[j] = vp[j] * vShrink - vStep * first / (Vector.SquareRoot(second) * vInv + vEps);
            }
            start = vp.Length * Vector<float>.Count;
        }
        for (int i = start; i < p.Length; i++)
        {
            float grad = g[i] + l2 * p[i];
            m[i] = b1 * m[i] + c1 * grad;
            v[i] = b2 * v[i] + c2 * grad * grad;
            p[i] = p[i] * shrink - stepSize * m[i] / (MathF.Sqrt(v[i]) * invSqrtBc2 + eps);
        }
    }
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
