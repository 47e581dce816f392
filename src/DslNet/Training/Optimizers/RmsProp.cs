using System;

namespace DslNet.Training;

/// <summary>
/// RMSProp as torch.optim.RMSprop: with g = grad + λ·p, v = α·v + (1−α)·g²,
/// d = √v + ε (centered: √(v − ḡ²) + ε with ḡ = α·ḡ + (1−α)·g), then p −= lr·g/d, or with
/// momentum μ: b = μ·b + g/d, p −= lr·b.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private float[] _square = [], _average = [], _buffer = [];

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

    protected override void AllocateState(int count)
    {
        _square = new float[count];
        _average = Centered ? new float[count] : [];
        _buffer = Momentum > 0 ? new float[count] : [];
    }

    protected override void ReleaseState() => _square = _average = _buffer = [];

    protected override void Update(Span<float> p, ReadOnlySpan<float> g, double learningRate, long step)
    {
        // Written once as a scalar loop: the options multiply the vector variants, and this update
        // is a small part of a training step.
        float lr = (float)learningRate, a = (float)Alpha, c = (float)(1 - Alpha), eps = (float)Epsilon, wd = (float)WeightDecay, mu = (float)Momentum;
        bool centered = Centered, momentum = Momentum > 0;
        Span<float> v = _square, avg = _average, buf = _buffer;
        for (int i = 0; i < p.Length; i++)
        {
            float grad = g[i] + wd * p[i];
            v[i] = a * v[i] + c * grad * grad;
            float variance = v[i];
            if (centered)
            {
                avg[i] = a * avg[i] + c * grad;
                // v − ḡ² ≥ 0 in exact arithmetic; clamp the rounding that could make it slightly negative.
                variance = MathF.Max(variance - avg[i] * avg[i], 0f);
            }
            float direction = grad / (MathF.Sqrt(variance) + eps);
            if (momentum)
            {
                buf[i] = mu * buf[i] + direction;
                direction = buf[i];
            }
            p[i] -= lr * direction;
        }
    }
}
