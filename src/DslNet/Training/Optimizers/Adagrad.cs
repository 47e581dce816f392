using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace DslNet.Training;

/// <summary>
/// Adagrad as torch.optim.Adagrad (lr_decay 0; use a <see cref="LearningRateSchedule"/> instead):
/// with g = grad + λ·p, s += g², p −= lr·g/(√s + ε).
/// </summary>
public sealed class Adagrad : Optimizer
{
    private float[] _sum = [];

    /// <param name="learningRate">lr &gt; 0 (PyTorch's default 1e−2).</param>
    /// <param name="epsilon">ε &gt; 0 (PyTorch's default 1e−10).</param>
    /// <param name="weightDecay">λ ≥ 0, L2 added to the gradient.</param>
    /// <param name="initialAccumulatorValue">Starting value of s, ≥ 0.</param>
    public Adagrad(double learningRate = 1e-2, double epsilon = 1e-10, double weightDecay = 0, double initialAccumulatorValue = 0)
        : base(learningRate)
    {
        HyperParameter.Positive(epsilon, nameof(epsilon));
        HyperParameter.NonNegative(weightDecay, nameof(weightDecay));
        HyperParameter.NonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        InitialAccumulatorValue = initialAccumulatorValue;
    }

    public double Epsilon { get; }
    public double WeightDecay { get; }
    public double InitialAccumulatorValue { get; }

    protected override void AllocateState(int count)
    {
        _sum = new float[count];
        Array.Fill(_sum, (float)InitialAccumulatorValue);
    }

    protected override void ReleaseState() => _sum = [];

    protected override void Update(Span<float> p, ReadOnlySpan<float> g, double learningRate, long step)
    {
        float lr = (float)learningRate, eps = (float)Epsilon, wd = (float)WeightDecay;
        Span<float> s = _sum;
        int start = 0;
        if (Vector.IsHardwareAccelerated && p.Length >= Vector<float>.Count)
        {
            var vp = MemoryMarshal.Cast<float, Vector<float>>(p);
            var vg = MemoryMarshal.Cast<float, Vector<float>>(g);
            var vs = MemoryMarshal.Cast<float, Vector<float>>(s);
            Vector<float> vlr = new(lr), vwd = new(wd), vEps = new(eps);
            for (int j = 0; j < vp.Length; j++)
            {
                var grad = vg[j] + vwd * vp[j];
                var sum = vs[j] + grad * grad;
                vs[j] = sum;
                vp[j] -= vlr * grad / (Vector.SquareRoot(sum) + vEps);
            }
            start = vp.Length * Vector<float>.Count;
        }
        for (int i = start; i < p.Length; i++)
        {
            float grad = g[i] + wd * p[i];
            s[i] += grad * grad;
            p[i] -= lr * grad / (MathF.Sqrt(s[i]) + eps);
        }
    }
}
