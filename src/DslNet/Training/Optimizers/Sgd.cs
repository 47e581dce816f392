using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DslNet.Training;

/// <summary>
/// Stochastic gradient descent with optional momentum and Nesterov momentum, PyTorch's torch.optim.SGD
/// (dampening 0): with d = g + λ·p (weight decay as L2 added to the gradient),
/// plain: p −= lr·d; momentum: v = μ·v + d, p −= lr·v; Nesterov: v = μ·v + d, p −= lr·(d + μ·v).
/// </summary>
public sealed class Sgd : Optimizer
{
    private float[] _velocity = [];

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

    protected override void AllocateState(int count) => _velocity = Momentum > 0 ? new float[count] : [];
    protected override void ReleaseState() => _velocity = [];

    protected override void Update(Span<float> p, ReadOnlySpan<float> g, double learningRate, long step)
    {
        float lr = (float)learningRate, wd = (float)WeightDecay, mu = (float)Momentum;
        if (mu == 0f)
        {
            // p −= lr·(g + λ·p)  ⇔  p = p·(1 − lr·λ) − lr·g
            if (wd != 0f) TensorPrimitives.Multiply(p, (float)(1 - learningRate * WeightDecay), p);
            TensorPrimitives.MultiplyAdd(g, -lr, p, p);
            return;
        }

        Span<float> v = _velocity;
        int start = 0;
        if (Vector.IsHardwareAccelerated && p.Length >= Vector<float>.Count)
        {
            var vp = MemoryMarshal.Cast<float, Vector<float>>(p);
            var vg = MemoryMarshal.Cast<float, Vector<float>>(g);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            Vector<float> vlr = new(lr), vwd = new(wd), vmu = new(mu);
            for (int j = 0; j < vp.Length; j++)
            {
                var d = vg[j] + vwd * vp[j];
                var velocity = vmu * vv[j] + d;
                vv[j] = velocity;
                vp[j] -= vlr * (Nesterov ? d + vmu * velocity : velocity);
            }
            start = vp.Length * Vector<float>.Count;
        }
        for (int i = start; i < p.Length; i++)
        {
            float d = g[i] + wd * p[i];
            v[i] = mu * v[i] + d;
            p[i] -= lr * (Nesterov ? d + mu * v[i] : v[i]);
        }
    }
}
