using System;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

public class ActivationKernelTests
{
    /// <summary>Independent double references, written from the textbook definitions.</summary>
    private static double Reference(ActivationKind kind, double alpha, double x) => kind switch
    {
        ActivationKind.Identity => x,
        ActivationKind.ReLU => Math.Max(0, x),
        ActivationKind.LeakyReLU => x >= 0 ? x : alpha * x,
        ActivationKind.ELU => x > 0 ? x : alpha * (Math.Exp(x) - 1),
        ActivationKind.GELU => 0.5 * x * (1 + TaylorErf(x / Math.Sqrt(2))),
        ActivationKind.SiLU => x / (1 + Math.Exp(-x)),
        ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-x)),
        ActivationKind.Tanh => Math.Tanh(x),
        ActivationKind.Softplus => Math.Log(1 + Math.Exp(alpha * x)) / alpha,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>erf by its Maclaurin series 2/√π Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)); fine in double for |x| ≤ 4.</summary>
    private static double TaylorErf(double x)
    {
        double term = x, sum = x;
        for (int n = 1; n < 120; n++)
        {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    private static double[] Apply(ActivationKind kind, double alpha, double[] x) =>
        Array.ConvertAll(x, v => Reference(kind, alpha, v));

    public static TheoryData<ActivationKind, float> Kinds() => new()
    {
        { ActivationKind.Identity, 0f },
        { ActivationKind.ReLU, 0f },
        { ActivationKind.LeakyReLU, 0.01f },
        { ActivationKind.LeakyReLU, 0.1f },
        { ActivationKind.ELU, 1f },
        { ActivationKind.ELU, 0.5f },
        { ActivationKind.GELU, 0f },
        { ActivationKind.SiLU, 0f },
        { ActivationKind.Sigmoid, 0f },
        { ActivationKind.Tanh, 0f },
        { ActivationKind.Softplus, 1f },
        { ActivationKind.Softplus, 2f },
    };

    /// <summary>Random points in ±4 kept at least 0.05 away from 0, the kink of the ReLU family.</summary>
    private static double[] Points(Random random, int length)
    {
        var x = new double[length];
        for (int i = 0; i < length; i++)
        {
            double v = (random.NextDouble() * 2 - 1) * 4;
            x[i] = Math.Abs(v) < 0.05 ? Math.CopySign(0.05 + Math.Abs(v), v) : v;
        }
        return GradientCheck.Rounded(x);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_matches_reference_and_backward_matches_finite_differences(ActivationKind kind, float alpha)
    {
        var random = new Random((int)kind * 7 + (int)(alpha * 100));
        // 1037 elements: crosses the 1024-element chunk of the SiLU path and leaves a SIMD remainder.
        double[] x = Points(random, 1037);
        double[] r = GradientCheck.Rounded(GradientCheck.RandomArray(random, x.Length));
        double[] dx0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, x.Length));

        var backend = CpuTensors.NewCpu();
        var vx = backend.Upload(x);
        var y = backend.Zeros(x.Length);
        var dy = backend.Upload(r);
        var dx = backend.Upload(dx0);
        backend.ActivationForward(kind, alpha, vx, y);
        backend.ActivationBackward(kind, alpha, vx, y, dy, dx);

        GradientCheck.AssertClose(Apply(kind, alpha, x), backend.Download(y), 1e-6, $"{kind} y");
        double[] numerical = GradientCheck.Numerical(p => Apply(kind, alpha, p), x, r);
        for (int i = 0; i < numerical.Length; i++) numerical[i] += dx0[i]; // backward accumulates
        GradientCheck.AssertClose(numerical, backend.Download(dx), 1e-4, $"{kind} dx");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_works_in_place(ActivationKind kind, float alpha)
    {
        var random = new Random(3);
        double[] x = Points(random, 1100);
        var backend = CpuTensors.NewCpu();
        var v = backend.Upload(x);
        backend.ActivationForward(kind, alpha, v, v);
        GradientCheck.AssertClose(Apply(kind, alpha, x), backend.Download(v), 1e-6, $"{kind} in place");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Empty_dx_is_skipped(ActivationKind kind, float alpha)
    {
        var backend = CpuTensors.NewCpu();
        var x = backend.Upload(new double[] { 1, -2, 3 });
        backend.ActivationBackward(kind, alpha, x, x, x, BufferView.Empty);
    }

    [Fact]
    public void Derivatives_at_zero_follow_pytorch()
    {
        var backend = CpuTensors.NewCpu();
        float Grad(ActivationKind kind, float alpha)
        {
            var x = backend.Upload(new double[] { 0 });
            var y = backend.Zeros(1);
            var dx = backend.Zeros(1);
            backend.ActivationForward(kind, alpha, x, y);
            backend.ActivationBackward(kind, alpha, x, y, backend.Upload(new double[] { 1 }), dx);
            return backend.Download(dx)[0];
        }
        Assert.Equal(0f, Grad(ActivationKind.ReLU, 0));
        Assert.Equal(0.1f, Grad(ActivationKind.LeakyReLU, 0.1f));
        Assert.Equal(0.5f, Grad(ActivationKind.ELU, 0.5f));
        Assert.Equal(0.25f, Grad(ActivationKind.Sigmoid, 0)); // σ'(0) = 0.25 (course E69)
        Assert.Equal(0.5f, Grad(ActivationKind.GELU, 0));
        Assert.Equal(0.5f, Grad(ActivationKind.SiLU, 0));
        Assert.Equal(1f, Grad(ActivationKind.Tanh, 0));
    }

    [Fact]
    public void Course_spot_values()
    {
        var backend = CpuTensors.NewCpu();
        float F(ActivationKind kind, float alpha, double v)
        {
            var y = backend.Zeros(1);
            backend.ActivationForward(kind, alpha, backend.Upload(new[] { v }), y);
            return backend.Download(y)[0];
        }
        Assert.Equal(0.5f, F(ActivationKind.Sigmoid, 0, 0));
        Assert.Equal(0.7310585786300049, F(ActivationKind.SiLU, 0, 1), 1e-6);
        Assert.Equal(1.3132616875182228, F(ActivationKind.Softplus, 1, 1), 1e-6);
        Assert.Equal(1.0634640055214863, F(ActivationKind.Softplus, 2, 1), 1e-6);
        // GELU(x) = x·Φ(x), values from mpmath.
        Assert.Equal(-0.0040496940948902836, F(ActivationKind.GELU, 0, -3), 1e-9);
        Assert.Equal(-0.15865525393145705, F(ActivationKind.GELU, 0, -1), 1e-6);
        Assert.Equal(0.34573123063700655, F(ActivationKind.GELU, 0, 0.5), 1e-6);
        Assert.Equal(1.9544997361036416, F(ActivationKind.GELU, 0, 2), 1e-6);
    }

    [Fact]
    public void Large_inputs_stay_finite_and_saturate_correctly()
    {
        var backend = CpuTensors.NewCpu();
        double[] x = { -100, 100, -1000, 1000 };
        var vx = backend.Upload(x);
        (ActivationKind Kind, float Alpha, double[] Expected)[] cases =
        {
            (ActivationKind.Sigmoid, 0, new double[] { 0, 1, 0, 1 }),
            (ActivationKind.Tanh, 0, new double[] { -1, 1, -1, 1 }),
            (ActivationKind.SiLU, 0, new double[] { 0, 100, 0, 1000 }),
            (ActivationKind.GELU, 0, new double[] { 0, 100, 0, 1000 }),
            (ActivationKind.ELU, 1, new double[] { -1, 100, -1, 1000 }),
            (ActivationKind.Softplus, 1, new double[] { 0, 100, 0, 1000 }),
            (ActivationKind.Softplus, 0.1f, new double[] { Math.Log(1 + Math.Exp(-10)) / 0.1, 100 + Math.Log(1 + Math.Exp(-10)) / 0.1, 0, 1000 }),
        };
        foreach (var (kind, alpha, expected) in cases)
        {
            var y = backend.Zeros(4);
            var dx = backend.Zeros(4);
            backend.ActivationForward(kind, alpha, vx, y);
            backend.ActivationBackward(kind, alpha, vx, y, backend.Upload(new double[] { 1, 1, 1, 1 }), dx);
            var ys = backend.Download(y);
            for (int i = 0; i < 4; i++)
                Assert.True(Math.Abs(ys[i] - expected[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])),
                    $"{kind}({x[i]}) = {ys[i]}, expected {expected[i]}");
            Assert.All(backend.Download(dx), d => Assert.True(float.IsFinite(d), $"{kind} gradient {d}"));
        }
    }

    [Fact]
    public void Softplus_is_linear_beyond_the_threshold()
    {
        // β·x = 30 > 20: y = x exactly and y' = 1, as PyTorch.
        var backend = CpuTensors.NewCpu();
        var x = backend.Upload(new double[] { 15 });
        var y = backend.Zeros(1);
        var dx = backend.Zeros(1);
        backend.ActivationForward(ActivationKind.Softplus, 2, x, y);
        backend.ActivationBackward(ActivationKind.Softplus, 2, x, y, backend.Upload(new double[] { 3 }), dx);
        Assert.Equal(15f, backend.Download(y)[0]);
        Assert.Equal(3f, backend.Download(dx)[0]);
        Assert.Throws<ArgumentException>(() => backend.ActivationForward(ActivationKind.Softplus, 0, x, y));
    }

    [Fact]
    public void Sigmoid_and_tanh_backward_read_only_y()
    {
        var backend = CpuTensors.NewCpu();
        var x = backend.Upload(new double[] { 0.3, -1.2 });
        foreach (var kind in new[] { ActivationKind.Sigmoid, ActivationKind.Tanh })
        {
            var y = backend.Zeros(2);
            var dx = backend.Zeros(2);
            backend.ActivationForward(kind, 0, x, y);
            backend.ActivationBackward(kind, 0, BufferView.Empty, y, backend.Upload(new double[] { 1, 1 }), dx);
            double[] expected = kind == ActivationKind.Sigmoid
                ? new[] { S(0.3) * (1 - S(0.3)), S(-1.2) * (1 - S(-1.2)) }
                : new[] { 1 - Math.Tanh(0.3) * Math.Tanh(0.3), 1 - Math.Tanh(-1.2) * Math.Tanh(-1.2) };
            GradientCheck.AssertClose(expected, backend.Download(dx), 1e-6, $"{kind} dx");
        }
        static double S(double v) => 1 / (1 + Math.Exp(-v));
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        var backend = CpuTensors.NewCpu();
        var ex = Assert.Throws<ArgumentException>(() => backend.ActivationForward(ActivationKind.ReLU, 0, backend.Zeros(3), backend.Zeros(4)));
        Assert.Equal("y", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() =>
            backend.ActivationBackward(ActivationKind.ReLU, 0, backend.Zeros(3), backend.Zeros(3), backend.Zeros(3), backend.Zeros(2)));
        Assert.Equal("dx", ex.ParamName);
    }

    [Theory]
    [InlineData(0.1, 0.1124629160182848984)]
    [InlineData(0.5, 0.52049987781304653768)]
    [InlineData(1.0, 0.84270079294971486934)]
    [InlineData(1.5, 0.96610514647531072707)]
    [InlineData(2.0, 0.99532226501895273416)]
    [InlineData(3.0, 0.99997790950300141456)]
    [InlineData(4.5, 0.99999999980338395585)]
    public void Erf_matches_high_precision_values(double x, double expected)
    {
        // Values from mpmath at 30 digits; the kernel's erf is good to ~1e-14.
        Assert.Equal(expected, CpuBackend.Erf(x), 1e-13);
        Assert.Equal(-expected, CpuBackend.Erf(-x), 1e-13);
        Assert.Equal(1 - expected, CpuBackend.Erfc(x), 1e-13);
    }

    [Fact]
    public void Erf_is_accurate_over_a_dense_grid_and_in_the_tails()
    {
        for (double x = -4; x <= 4; x += 0.001)
        {
            double err = Math.Abs(CpuBackend.Erf(x) - TaylorErf(x));
            Assert.True(err < 1e-9, $"erf({x}): error {err}");
        }
        // Right tail keeps relative accuracy (mpmath: erfc(4.5) = 1.9661604415428874763e-10, erfc(6.5) = 3.8421483271206474699e-20).
        Assert.Equal(1.9661604415428874763e-10, CpuBackend.Erfc(4.5), 1e-20);
        Assert.True(Math.Abs(CpuBackend.Erfc(6.5) / 3.8421483271206474699e-20 - 1) < 1e-5);
        Assert.Equal(1.0, CpuBackend.Erf(double.PositiveInfinity));
        Assert.Equal(-1.0, CpuBackend.Erf(double.NegativeInfinity));
        Assert.True(double.IsNaN(CpuBackend.Erf(double.NaN)));
    }

    [Fact]
    public void Allocates_nothing_after_the_first_call()
    {
        var backend = CpuTensors.NewCpu();
        var x = backend.Upload(Points(new Random(1), 3000));
        var y = backend.Zeros(3000);
        var dx = backend.Zeros(3000);
        foreach (var (kind, alpha) in new[] { (ActivationKind.SiLU, 0f), (ActivationKind.GELU, 0f), (ActivationKind.Softplus, 1f), (ActivationKind.Sigmoid, 0f) })
        {
            backend.ActivationForward(kind, alpha, x, y);
            backend.ActivationBackward(kind, alpha, x, y, x, dx);
            long before = GC.GetAllocatedBytesForCurrentThread();
            backend.ActivationForward(kind, alpha, x, y);
            backend.ActivationBackward(kind, alpha, x, y, x, dx);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
