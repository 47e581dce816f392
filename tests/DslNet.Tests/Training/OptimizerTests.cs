using System;
using System.Collections.Generic;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Training;

public class OptimizerTests
{
    // Two tensors, 15 + 4 = 19 elements: more than one SIMD vector plus a scalar tail.
    private static ParameterSet NewSet() => new(new CpuBackend(1), new[]
    {
        new ParameterSpec("w", new[] { 3, 5 }, ParameterInit.Constant),
        new ParameterSpec("b", new[] { 4 }, ParameterInit.Constant),
    }, trainable: true);

    private const int N = 19;

    private static double[] Rnd(Random random, int length, double scale = 1.0) =>
        GradientCheck.Rounded(GradientCheck.RandomArray(random, length, scale));

    /// <summary>Initial values and three gradients, all exactly representable as float.</summary>
    private static (double[] P, double[][] G) Problem(int seed)
    {
        var random = new Random(seed);
        return (Rnd(random, N, 2), new[] { Rnd(random, N), Rnd(random, N), Rnd(random, N) });
    }

    /// <summary>Runs the optimizer over the gradients and returns the values after each step.</summary>
    private static List<float[]> Run(Optimizer optimizer, double[] p0, double[][] grads)
    {
        var set = NewSet();
        GradientCheck.ToFloat(p0).CopyTo(set.Values.View.Span);
        var trace = new List<float[]>();
        foreach (var g in grads)
        {
            GradientCheck.ToFloat(g).CopyTo(set.Gradients!.View.Span);
            optimizer.Step(set);
            trace.Add(set.Values.View.Span.ToArray());
        }
        return trace;
    }

    private static void AssertTrace(List<double[]> expected, List<float[]> actual, string what, double tolerance = 2.5e-7)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int s = 0; s < expected.Count; s++) GradientCheck.AssertClose(expected[s], actual[s], tolerance, $"{what} step {s + 1}");
    }

    // ---- double references of the PyTorch updates (written from the formulas) ---------------

    private static List<double[]> SgdReference(double[] p0, double[][] grads, double lr, double mu, bool nesterov, double wd)
    {
        var p = (double[])p0.Clone();
        var v = new double[p.Length];
        var trace = new List<double[]>();
        for (int t = 0; t < grads.Length; t++)
        {
            for (int i = 0; i < p.Length; i++)
            {
                double d = grads[t][i] + wd * p[i];
                if (mu > 0)
                {
                    v[i] = t == 0 ? d : mu * v[i] + d; // PyTorch: the buffer starts as the first gradient
                    d = nesterov ? d + mu * v[i] : v[i];
                }
                p[i] -= lr * d;
            }
            trace.Add((double[])p.Clone());
        }
        return trace;
    }

    private static List<double[]> AdamReference(double[] p0, double[][] grads, double lr, double b1, double b2, double eps,
        double wd, bool decoupled)
    {
        var p = (double[])p0.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        var trace = new List<double[]>();
        for (int t = 1; t <= grads.Length; t++)
        {
            for (int i = 0; i < p.Length; i++)
            {
                double g = grads[t - 1][i];
                if (decoupled) p[i] -= lr * wd * p[i];
                else g += wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                double vHat = v[i] / (1 - Math.Pow(b2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
            trace.Add((double[])p.Clone());
        }
        return trace;
    }

    private static List<double[]> RmsPropReference(double[] p0, double[][] grads, double lr, double alpha, double eps,
        double wd, double mu, bool centered)
    {
        var p = (double[])p0.Clone();
        var v = new double[p.Length];
        var avg = new double[p.Length];
        var buf = new double[p.Length];
        var trace = new List<double[]>();
        foreach (var grad in grads)
        {
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i] + wd * p[i];
                v[i] = alpha * v[i] + (1 - alpha) * g * g;
                double denominator;
                if (centered)
                {
                    avg[i] = alpha * avg[i] + (1 - alpha) * g;
                    denominator = Math.Sqrt(v[i] - avg[i] * avg[i]) + eps;
                }
                else denominator = Math.Sqrt(v[i]) + eps;
                if (mu > 0)
                {
                    buf[i] = mu * buf[i] + g / denominator;
                    p[i] -= lr * buf[i];
                }
                else p[i] -= lr * g / denominator;
            }
            trace.Add((double[])p.Clone());
        }
        return trace;
    }

    private static List<double[]> AdagradReference(double[] p0, double[][] grads, double lr, double eps, double wd, double initial)
    {
        var p = (double[])p0.Clone();
        var sum = new double[p.Length];
        Array.Fill(sum, initial);
        var trace = new List<double[]>();
        foreach (var grad in grads)
        {
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i] + wd * p[i];
                sum[i] += g * g;
                p[i] -= lr * g / (Math.Sqrt(sum[i]) + eps);
            }
            trace.Add((double[])p.Clone());
        }
        return trace;
    }

    // ---- each optimizer against its reference ---------------------------------------------

    [Theory]
    [InlineData(0.1, 0.0, false, 0.0)]
    [InlineData(0.1, 0.0, false, 0.05)]
    [InlineData(0.05, 0.9, false, 0.0)]
    [InlineData(0.05, 0.9, true, 0.0)]
    [InlineData(0.05, 0.8, true, 0.1)]
    [InlineData(0.05, 0.5, false, 0.1)]
    public void Sgd_matches_the_PyTorch_update(double lr, double mu, bool nesterov, double wd)
    {
        var (p0, grads) = Problem(1);
        var actual = Run(new Sgd(lr, mu, nesterov, wd), p0, grads);
        AssertTrace(SgdReference(p0, grads, lr, mu, nesterov, wd), actual, "sgd");
    }

    [Fact]
    public void Nesterov_and_plain_momentum_differ()
    {
        var (p0, grads) = Problem(2);
        var plain = Run(new Sgd(0.1, momentum: 0.9), p0, grads);
        var nesterov = Run(new Sgd(0.1, momentum: 0.9, nesterov: true), p0, grads);
        double largest = 0;
        for (int i = 0; i < N; i++) largest = Math.Max(largest, Math.Abs(plain[2][i] - nesterov[2][i]));
        Assert.True(largest > 0.05, $"Nesterov and plain momentum differ by at most {largest}");
    }

    [Fact]
    public void Momentum_on_a_parabola_matches_the_worked_example()
    {
        // Course notes E64-D: L = θ², θ₀ = 1, lr 0.1, μ 0.9 → θ = 0.8 then 0.46.
        var set = new ParameterSet(new CpuBackend(1), new[] { new ParameterSpec("theta", new[] { 1 }, ParameterInit.Constant) }, trainable: true);
        var theta = set.Values.View.Span;
        var grad = set.Gradients!.View.Span;
        theta[0] = 1;
        var sgd = new Sgd(0.1, momentum: 0.9);
        grad[0] = 2 * theta[0];
        sgd.Step(set);
        Assert.Equal(0.8, theta[0], 6);
        grad[0] = 2 * theta[0];
        sgd.Step(set);
        Assert.Equal(0.46, theta[0], 6);
    }

    [Theory]
    [InlineData(0.1, 0.9, 0.999, 1e-8, 0.0)]
    [InlineData(0.05, 0.8, 0.9, 0.05, 0.0)]    // a large ε tells √v̂ + ε from √(v̂ + ε)
    [InlineData(0.05, 0.5, 0.99, 1e-3, 0.1)]   // L2 weight decay
    public void Adam_matches_the_bias_corrected_update(double lr, double b1, double b2, double eps, double wd)
    {
        var (p0, grads) = Problem(3);
        var actual = Run(new Adam(lr, b1, b2, eps, wd), p0, grads);
        AssertTrace(AdamReference(p0, grads, lr, b1, b2, eps, wd, decoupled: false), actual, "adam");
    }

    [Fact]
    public void Adam_first_step_matches_the_worked_example()
    {
        // Course notes E64-D: g = 0.5, lr 1e-3, default betas: Δθ = −0.00099999998 (bias-corrected).
        var actual = RunScalar(new Adam(1e-3), 0.5);
        Assert.Equal(-0.00099999998, actual, 1e-10);
    }

    [Theory]
    [InlineData(0.1, 0.01)]
    [InlineData(0.05, 0.2)]
    public void AdamW_matches_decoupled_weight_decay_and_differs_from_L2(double lr, double wd)
    {
        var (p0, grads) = Problem(4);
        var actual = Run(new AdamW(lr, weightDecay: wd), p0, grads);
        AssertTrace(AdamReference(p0, grads, lr, 0.9, 0.999, 1e-8, wd, decoupled: true), actual, "adamw");
        var l2 = Run(new Adam(lr, weightDecay: wd), p0, grads);
        Assert.NotEqual(l2[2], actual[2]);
    }

    [Fact]
    public void Weight_decay_alone_shrinks_as_each_optimizer_defines_it()
    {
        double[] p0 = new double[N];
        for (int i = 0; i < N; i++) p0[i] = i - 9.5; // no zero
        var zero = new[] { new double[N], new double[N] };
        // SGD (L2, no momentum) and AdamW (decoupled): p·(1 − lr·λ) per step exactly.
        var sgd = Run(new Sgd(0.1, weightDecay: 0.5), p0, zero);
        var adamW = Run(new AdamW(0.1, weightDecay: 0.5), p0, zero);
        for (int i = 0; i < N; i++)
        {
            Assert.Equal(p0[i] * 0.95 * 0.95, sgd[1][i], 5);
            Assert.Equal(p0[i] * 0.95 * 0.95, adamW[1][i], 5);
        }
        // Adam's L2 goes through the moments: the first step moves every element by about lr.
        var adam = Run(new Adam(0.1, weightDecay: 0.5), p0, zero);
        for (int i = 0; i < N; i++) Assert.Equal(p0[i] - 0.1 * Math.Sign(p0[i]), adam[0][i], 4);
    }

    [Theory]
    [InlineData(0.01, 0.99, 1e-8, 0.0, 0.0, false)]
    [InlineData(0.01, 0.9, 1e-6, 0.1, 0.0, false)]
    [InlineData(0.01, 0.9, 1e-8, 0.0, 0.5, false)]
    [InlineData(0.005, 0.8, 1e-4, 0.05, 0.3, true)]
    public void RmsProp_matches_the_PyTorch_update(double lr, double alpha, double eps, double wd, double mu, bool centered)
    {
        var (p0, grads) = Problem(5);
        var actual = Run(new RmsProp(lr, alpha, eps, wd, mu, centered), p0, grads);
        AssertTrace(RmsPropReference(p0, grads, lr, alpha, eps, wd, mu, centered), actual, "rmsprop");
    }

    [Fact]
    public void RmsProp_first_step_matches_the_worked_example()
    {
        // Course notes E64-D: g = 0.5, lr 1e-3, β (alpha) 0.9, ε 1e-8 → Δθ = −0.0031622774601684.
        Assert.Equal(-0.0031622774601684, RunScalar(new RmsProp(1e-3, alpha: 0.9), 0.5), 1e-9);
    }

    [Theory]
    [InlineData(0.1, 1e-10, 0.0, 0.0)]
    [InlineData(0.05, 1e-3, 0.1, 0.1)]
    public void Adagrad_matches_the_PyTorch_update(double lr, double eps, double wd, double initial)
    {
        var (p0, grads) = Problem(6);
        var actual = Run(new Adagrad(lr, eps, wd, initial), p0, grads);
        AssertTrace(AdagradReference(p0, grads, lr, eps, wd, initial), actual, "adagrad");
    }

    private static double RunScalar(Optimizer optimizer, double gradient)
    {
        var set = new ParameterSet(new CpuBackend(1), new[] { new ParameterSpec("theta", new[] { 1 }, ParameterInit.Constant) }, trainable: true);
        set.Gradients!.View.Span[0] = (float)gradient;
        optimizer.Step(set);
        return set.Values.View.Span[0]; // θ₀ = 0, so this is Δθ
    }

    // ---- clipping and non-finite gradients --------------------------------------------------

    [Fact]
    public void Clipping_matches_the_worked_example_by_value_and_by_norm()
    {
        // Course notes E63-D: g = [10, −3], threshold 5. With lr 1 and p₀ = 0, p = −clipped g.
        float[] ClipThrough(Optimizer o)
        {
            var set = new ParameterSet(new CpuBackend(1), new[] { new ParameterSpec("g", new[] { 2 }, ParameterInit.Constant) }, trainable: true);
            new float[] { 10, -3 }.CopyTo(set.Gradients!.View.Span);
            o.Step(set);
            Assert.Equal(Math.Sqrt(109), o.LastGradientNorm, 9);
            var p = set.Values.View.Span;
            return new[] { -p[0], -p[1] };
        }
        GradientCheck.AssertClose(new[] { 5.0, -3.0 }, ClipThrough(new Sgd(1) { ClipGradientValue = 5 }), 1e-7, "by value");
        GradientCheck.AssertClose(new[] { 4.789131426105757, -1.436739427831727 }, ClipThrough(new Sgd(1) { ClipGradientNorm = 5 }), 1e-7, "by norm");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.75)]
    public void Norm_clipping_scales_to_exactly_the_maximum_and_leaves_small_gradients_alone(double maxNorm)
    {
        var (p0, grads) = Problem(7);
        double norm = 0;
        foreach (double g in grads[0]) norm += g * g;
        norm = Math.Sqrt(norm);
        Assert.True(norm > maxNorm);

        // SGD with lr 1: the step is the clipped gradient itself.
        var clipped = Run(new Sgd(1) { ClipGradientNorm = maxNorm }, p0, new[] { grads[0] })[0];
        double stepNorm = 0;
        var expected = new double[N];
        for (int i = 0; i < N; i++)
        {
            double d = p0[i] - clipped[i];
            stepNorm += d * d;
            expected[i] = p0[i] - grads[0][i] * maxNorm / norm;
        }
        Assert.Equal(maxNorm, Math.Sqrt(stepNorm), 5);
        GradientCheck.AssertClose(expected, clipped, 1e-6, "clipped step");

        // A limit above the norm changes nothing.
        var unclipped = Run(new Sgd(1) { ClipGradientNorm = norm * 1.01 }, p0, new[] { grads[0] })[0];
        var plain = Run(new Sgd(1), p0, new[] { grads[0] })[0];
        Assert.Equal(plain, unclipped);
    }

    [Fact]
    public void GradientClipping_helpers_work_on_spans()
    {
        var g = new float[] { 3, 4 };
        Assert.Equal(5, GradientClipping.ClipByNorm(g, 1), 6);
        Assert.Equal(0.6f, g[0], 6);
        Assert.Equal(0.8f, g[1], 6);
        var h = new float[] { -2, 0.5f, 7 };
        GradientClipping.ClipByValue(h, 1);
        Assert.Equal(new float[] { -1, 0.5f, 1 }, h);
        Assert.Throws<InvalidOperationException>(() => GradientClipping.ClipByNorm(new[] { 1f, float.NaN }, 1));
    }

    public static IEnumerable<object[]> AllOptimizers()
    {
        yield return new object[] { "sgd", (Func<Optimizer>)(() => new Sgd(0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)) };
        yield return new object[] { "adam", (Func<Optimizer>)(() => new Adam(0.01, weightDecay: 0.01)) };
        yield return new object[] { "adamw", (Func<Optimizer>)(() => new AdamW(0.01)) };
        yield return new object[] { "rmsprop", (Func<Optimizer>)(() => new RmsProp(0.01, momentum: 0.5, centered: true)) };
        yield return new object[] { "adagrad", (Func<Optimizer>)(() => new Adagrad(0.1)) };
    }

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void A_NaN_or_infinite_gradient_throws_and_changes_nothing(string name, Func<Optimizer> create)
    {
        var (p0, grads) = Problem(8);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
        {
            var optimizer = create();
            optimizer.ClipGradientNorm = 1; // clipping must not hide or spread the NaN either
            var set = NewSet();
            GradientCheck.ToFloat(p0).CopyTo(set.Values.View.Span);
            var g = GradientCheck.ToFloat(grads[0]);
            g[17] = bad; // element 2 of tensor "b"
            g.CopyTo(set.Gradients!.View.Span);
            var before = set.Values.View.Span.ToArray();

            var ex = Assert.Throws<NonFiniteValueException>(() => optimizer.Step(set));
            Assert.Contains(float.IsNaN(bad) ? "NaN" : "infinite", ex.Message);
            Assert.Contains("'b'[2]", ex.Message);
            Assert.Equal(before, set.Values.View.Span.ToArray());
            Assert.Equal(0, optimizer.StepCount);

            // The state is untouched too: a good step now equals a fresh optimizer's first step.
            GradientCheck.ToFloat(grads[1]).CopyTo(set.Gradients!.View.Span);
            optimizer.Step(set);
            var fresh = create();
            fresh.ClipGradientNorm = 1;
            Assert.True(Run(fresh, p0, new[] { grads[1] })[0].AsSpan().SequenceEqual(set.Values.View.Span), name);
        }
    }

    // ---- schedules ---------------------------------------------------------------------------

    [Fact]
    public void Schedules_follow_their_closed_forms()
    {
        const double lr = 0.2;
        Assert.Equal(lr, LearningRateSchedule.Constant.RateAt(lr, 12345));

        var step = LearningRateSchedule.StepDecay(3, 0.5);
        foreach (var (t, k) in new[] { (0, 0), (2, 0), (3, 1), (5, 1), (6, 2), (10, 3) })
            Assert.Equal(lr * Math.Pow(0.5, k), step.RateAt(lr, t), 15);

        var exp = LearningRateSchedule.Exponential(0.9);
        foreach (int t in new[] { 0, 1, 7, 50 })
            Assert.Equal(lr * Math.Pow(0.9, t), exp.RateAt(lr, t), 15);

        const double min = 0.01;
        var cos = LearningRateSchedule.CosineAnnealing(10, min);
        Assert.Equal(lr, cos.RateAt(lr, 0), 15);
        Assert.Equal((lr + min) / 2, cos.RateAt(lr, 5), 15);
        Assert.Equal(min + (lr - min) * (1 + Math.Cos(Math.PI * 3 / 10)) / 2, cos.RateAt(lr, 3), 15);
        Assert.Equal(min, cos.RateAt(lr, 10), 15);
        Assert.Equal(min, cos.RateAt(lr, 25), 15);

        // Course notes E67-D (d_model 512, warm-up 4000), the paper counting updates from 1.
        var warm = LearningRateSchedule.TransformerWarmup(512, 4000);
        foreach (var (n, expected) in new[] { (1, 1.746928107421711e-7), (1000, 1.746928107421711e-4), (4000, 6.987712429686843e-4),
                     (8000, 4.941058844013093e-4), (100000, 1.3975424859373687e-4) })
            Assert.Equal(expected, warm.RateAt(1.0, n - 1), 1e-15);
    }

    [Fact]
    public void The_optimizer_asks_the_schedule_for_the_rate_of_its_current_step()
    {
        var set = new ParameterSet(new CpuBackend(1), new[] { new ParameterSpec("p", new[] { 1 }, ParameterInit.Constant) }, trainable: true);
        var sgd = new Sgd(1.0) { Schedule = LearningRateSchedule.Exponential(0.5) };
        Assert.Equal(1.0, sgd.LearningRate);
        Assert.Equal(1.0, sgd.CurrentLearningRate);
        for (int i = 0; i < 3; i++)
        {
            set.Gradients!.View.Span[0] = 1;
            sgd.Step(set);
        }
        Assert.Equal(3, sgd.StepCount);
        Assert.Equal(-(1 + 0.5 + 0.25), set.Values.View.Span[0], 6);
        Assert.Equal(0.125, sgd.CurrentLearningRate, 12);
        Assert.Equal(1.0, sgd.LearningRate);
    }

    // ---- behaviour -----------------------------------------------------------------------------

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.9, false)]
    [InlineData(0.9, true)]
    public void Sgd_minimises_a_quadratic(double momentum, bool nesterov)
    {
        // f(p) = ½ Σ aᵢ(pᵢ − cᵢ)², ∇f = a ⊙ (p − c); minimum at c.
        var random = new Random(9);
        var a = new double[N];
        for (int i = 0; i < N; i++) a[i] = 0.5 + 1.5 * random.NextDouble();
        var c = Rnd(random, N, 3);
        var set = NewSet();
        var p = set.Values.View.Span;
        var g = set.Gradients!.View.Span;
        var sgd = new Sgd(0.1, momentum, nesterov);
        for (int step = 0; step < 300; step++)
        {
            for (int i = 0; i < N; i++) g[i] = (float)(a[i] * (p[i] - c[i]));
            sgd.Step(set);
        }
        GradientCheck.AssertClose(c, p, 1e-4, "minimum");
    }

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void Steps_after_the_first_allocate_nothing(string name, Func<Optimizer> create)
    {
        var (p0, grads) = Problem(10);
        var set = NewSet();
        GradientCheck.ToFloat(p0).CopyTo(set.Values.View.Span);
        GradientCheck.ToFloat(grads[0]).CopyTo(set.Gradients!.View.Span);
        var optimizer = create();
        optimizer.ClipGradientNorm = 0.5;
        optimizer.ClipGradientValue = 0.2;
        optimizer.Schedule = LearningRateSchedule.CosineAnnealing(100, 1e-4);
        optimizer.Step(set); // warm-up: allocates the state

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) optimizer.Step(set);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{name}: {allocated} bytes allocated over 10 steps");
        Assert.Equal(11, optimizer.StepCount);
    }

    [Fact]
    public void One_optimizer_belongs_to_one_parameter_set_until_reset()
    {
        var first = NewSet();
        var second = NewSet();
        var adam = new Adam();
        adam.Step(first);
        var ex = Assert.Throws<InvalidOperationException>(() => adam.Step(second));
        Assert.Contains("Reset", ex.Message);
        adam.Reset();
        Assert.Equal(0, adam.StepCount);
        adam.Step(second);
        Assert.Equal(1, adam.StepCount);

        var state = new ParameterSet(new CpuBackend(1), new[] { new ParameterSpec("running", new[] { 2 }, ParameterInit.Constant) }, trainable: false);
        Assert.Throws<ArgumentException>(() => new Sgd().Step(state));
    }

    // ---- hyper-parameter validation ------------------------------------------------------------

    public static IEnumerable<object[]> BadHyperParameters()
    {
        object[] Case(string param, Func<object> create) => new object[] { param, create };
        yield return Case("learningRate", () => new Sgd(0));
        yield return Case("learningRate", () => new Adam(-1e-3));
        yield return Case("learningRate", () => new Adagrad(double.NaN));
        yield return Case("momentum", () => new Sgd(0.1, momentum: 1));
        yield return Case("momentum", () => new Sgd(0.1, momentum: -0.1));
        yield return Case("weightDecay", () => new Sgd(0.1, weightDecay: -1));
        yield return Case("beta1", () => new Adam(beta1: 1));
        yield return Case("beta2", () => new AdamW(beta2: -0.5));
        yield return Case("epsilon", () => new Adam(epsilon: 0));
        yield return Case("weightDecay", () => new AdamW(weightDecay: -0.01));
        yield return Case("alpha", () => new RmsProp(alpha: 1));
        yield return Case("momentum", () => new RmsProp(momentum: 1.5));
        yield return Case("epsilon", () => new RmsProp(epsilon: -1));
        yield return Case("epsilon", () => new Adagrad(epsilon: 0));
        yield return Case("initialAccumulatorValue", () => new Adagrad(initialAccumulatorValue: -1));
        yield return Case("stepSize", () => LearningRateSchedule.StepDecay(0));
        yield return Case("gamma", () => LearningRateSchedule.Exponential(0));
        yield return Case("steps", () => LearningRateSchedule.CosineAnnealing(0));
        yield return Case("minimumRate", () => LearningRateSchedule.CosineAnnealing(10, -1));
        yield return Case("LearningRate", () => new Sgd { LearningRate = 0 });
        yield return Case("ClipGradientNorm", () => new Sgd { ClipGradientNorm = 0 });
        yield return Case("ClipGradientValue", () => new Sgd { ClipGradientValue = -1 });
    }

    [Theory]
    [MemberData(nameof(BadHyperParameters))]
    public void Invalid_hyper_parameters_are_rejected_by_name(string parameter, Func<object> create)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains(parameter, ex.Message);
    }

    [Fact]
    public void Nesterov_needs_momentum_and_defaults_are_PyTorchs()
    {
        Assert.Throws<ArgumentException>(() => new Sgd(0.1, nesterov: true));
        var adam = new Adam();
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 0.0), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay));
        Assert.Equal(0.01, new AdamW().WeightDecay);
        var rms = new RmsProp();
        Assert.Equal((1e-2, 0.99, 1e-8, 0.0, 0.0, false), (rms.LearningRate, rms.Alpha, rms.Epsilon, rms.WeightDecay, rms.Momentum, rms.Centered));
        var ada = new Adagrad();
        Assert.Equal((1e-2, 1e-10, 0.0, 0.0), (ada.LearningRate, ada.Epsilon, ada.WeightDecay, ada.InitialAccumulatorValue));
        var sgd = new Sgd();
        Assert.Equal((1e-3, 0.0, false, 0.0), (sgd.LearningRate, sgd.Momentum, sgd.Nesterov, sgd.WeightDecay));
    }
}
