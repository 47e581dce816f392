using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Backends;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

/// <summary>
/// Conv2D and Dense with a fused activation agree with the unfused sequence they replace: the layer
/// without activation, then ActivationForward; ActivationBackward into a zeroed pre-activation
/// gradient, then the layer's backward. Those separate kernels are checked against references and
/// finite differences in their own test classes.
/// </summary>
public class FusedActivationKernelTests
{
    public static TheoryData<ActivationKind, float> Fusable => new()
    {
        { ActivationKind.Identity, 0f },
        { ActivationKind.ReLU, 0f },
        { ActivationKind.LeakyReLU, 0.1f },
        { ActivationKind.LeakyReLU, 0f },
        { ActivationKind.Sigmoid, 0f },
        { ActivationKind.Tanh, 0f },
    };

    /// <summary>Direct path (stride 1, LeNet's C1 and C3 shapes), im2col path (stride 2), pointwise 1×1.</summary>
    private static readonly Dictionary<string, Conv2DGeometry> Convolutions = new()
    {
        ["C1-like 1->6 5x5 pad 2"] = new(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 1, 1, 28, 28),
        ["C3-like 6->16 5x5"] = new(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 1, 10, 10),
        ["strided 3->5 3x3 s2 p1"] = new(3, 7, 7, 5, 3, 3, 2, 2, 1, 1, 1, 1, 4, 4),
        ["pointwise 3->4"] = new(3, 5, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 5, 4),
    };

    public static IEnumerable<object[]> ConvolutionCases =>
        from name in Convolutions.Keys
        from object[] kind in Fusable
        from threads in new[] { 1, 2 }
        select new object[] { name, kind[0], kind[1], threads };

    [Theory]
    [MemberData(nameof(ConvolutionCases))]
    public void Convolution_with_fused_activation_matches_the_separate_kernels(string name, ActivationKind kind, float alpha, int threads)
    {
        var g = Convolutions[name];
        const int batch = 3;
        var random = new Random(name.Length * 7 + (int)kind);
        double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(random, batch * g.InputSize));
        double[] w = GradientCheck.Rounded(GradientCheck.RandomArray(random, g.WeightCount, 0.5));
        double[] b = GradientCheck.Rounded(GradientCheck.RandomArray(random, g.OutChannels));
        double[] r = GradientCheck.Rounded(GradientCheck.RandomArray(random, batch * g.OutputSize));
        using var backend = CpuTensors.NewCpu(threads);
        var vx = backend.Upload(x);
        var vw = backend.Upload(w);
        var vb = backend.Upload(b);
        var dy = backend.Upload(r);

        // Unfused: z = conv(x), y = f(z); dz = dy·f'(z) into zeros, then the conv's backward.
        var z = backend.Zeros(batch * g.OutputSize);
        var yExpected = backend.Zeros(z.Length);
        backend.Conv2DForward(g, batch, vx, vw, vb, z);
        backend.ActivationForward(kind, alpha, z, yExpected);
        var dz = backend.Zeros(z.Length);
        backend.ActivationBackward(kind, alpha, z, yExpected, dy, dz);
        var (dxExpected, dwExpected, dbExpected) = (backend.Zeros(x.Length), backend.Zeros(w.Length), backend.Zeros(b.Length));
        backend.Conv2DBackward(g, batch, vx, vw, dz, dxExpected, dwExpected, dbExpected);

        var y = backend.Zeros(z.Length);
        backend.Fill(y, float.NaN); // the fused forward must overwrite every output
        backend.Conv2DForward(g, batch, vx, vw, vb, kind, alpha, y);
        var (dx, dw, db) = (backend.Zeros(x.Length), backend.Zeros(w.Length), backend.Zeros(b.Length));
        backend.Conv2DBackward(g, batch, vx, vw, kind, alpha, y, dy, dx, dw, db);

        AssertSame(backend, yExpected, y, "y");
        AssertSame(backend, dxExpected, dx, "dx");
        AssertSame(backend, dwExpected, dw, "dW");
        AssertSame(backend, dbExpected, db, "db");

        // Each gradient alone (the others not wanted) is the same.
        var dxAlone = backend.Zeros(x.Length);
        backend.Conv2DBackward(g, batch, vx, vw, kind, alpha, y, dy, dxAlone, BufferView.Empty, BufferView.Empty);
        AssertSame(backend, dxExpected, dxAlone, "dx alone");
        var dwAlone = backend.Zeros(w.Length);
        backend.Conv2DBackward(g, batch, vx, vw, kind, alpha, y, dy, BufferView.Empty, dwAlone, BufferView.Empty);
        AssertSame(backend, dwExpected, dwAlone, "dW alone");
        var dbAlone = backend.Zeros(b.Length);
        backend.Conv2DBackward(g, batch, BufferView.Empty, BufferView.Empty, kind, alpha, y, dy, BufferView.Empty, BufferView.Empty, dbAlone);
        AssertSame(backend, dbExpected, dbAlone, "db alone");
    }

    [Theory]
    [MemberData(nameof(Fusable))]
    public void Dense_with_fused_activation_matches_the_separate_kernels(ActivationKind kind, float alpha)
    {
        foreach (var (g, batch) in new[] { (new DenseGeometry(17, 9, 1), 5), (new DenseGeometry(6, 65, 3), 2) })
        {
            int rows = batch * g.RowsPerSample;
            var random = new Random(g.InFeatures + (int)kind);
            double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(random, rows * g.InFeatures));
            double[] w = GradientCheck.Rounded(GradientCheck.RandomArray(random, g.WeightCount));
            double[] b = GradientCheck.Rounded(GradientCheck.RandomArray(random, g.OutFeatures));
            double[] r = GradientCheck.Rounded(GradientCheck.RandomArray(random, rows * g.OutFeatures));
            // Pre-filled gradients: both paths must add to them.
            double[] dx0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, x.Length));
            using var backend = CpuTensors.NewCpu();
            var (vx, vw, vb, dy) = (backend.Upload(x), backend.Upload(w), backend.Upload(b), backend.Upload(r));

            var z = backend.Zeros(rows * g.OutFeatures);
            var yExpected = backend.Zeros(z.Length);
            backend.DenseForward(g, batch, vx, vw, vb, z);
            backend.ActivationForward(kind, alpha, z, yExpected);
            var dz = backend.Zeros(z.Length);
            backend.ActivationBackward(kind, alpha, z, yExpected, dy, dz);
            var (dxExpected, dwExpected, dbExpected) = (backend.Upload(dx0), backend.Zeros(w.Length), backend.Zeros(b.Length));
            backend.DenseBackward(g, batch, vx, vw, dz, dxExpected, dwExpected, dbExpected);

            var y = backend.Zeros(z.Length);
            backend.DenseForward(g, batch, vx, vw, vb, kind, alpha, y);
            var (dx, dw, db) = (backend.Upload(dx0), backend.Zeros(w.Length), backend.Zeros(b.Length));
            backend.DenseBackward(g, batch, vx, vw, kind, alpha, y, dy, dx, dw, db);

            AssertSame(backend, yExpected, y, $"y {g}");
            AssertSame(backend, dxExpected, dx, $"dx {g}");
            AssertSame(backend, dwExpected, dw, $"dW {g}");
            AssertSame(backend, dbExpected, db, $"db {g}");
        }
    }

    /// <summary>
    /// At the kinks the gradient from the output equals the separate kernel's gradient from the input:
    /// an identity Dense layer passes x = 0, NaN, ±1, ±100 and a tiny value through unchanged to the
    /// activation (not −0: the GEMM's sum starts at +0, so −0·1 comes out as +0).
    /// </summary>
    [Theory]
    [MemberData(nameof(Fusable))]
    public void Kinks_and_NaN_get_the_separate_kernels_derivative(ActivationKind kind, float alpha)
    {
        double[] values = { 0, double.NaN, 1, -1, 100, -100, 1e-30, -1e-30 };
        int n = values.Length;
        var g = new DenseGeometry(1, 1, 1);
        using var backend = CpuTensors.NewCpu();
        var x = backend.Upload(values);
        var w = backend.Upload(new[] { 1.0 });
        var dy = backend.Upload(Enumerable.Range(1, n).Select(i => (double)i).ToArray());

        var yExpected = backend.Zeros(n);
        backend.ActivationForward(kind, alpha, x, yExpected);
        var dxExpected = backend.Zeros(n);
        backend.ActivationBackward(kind, alpha, x, yExpected, dy, dxExpected);

        var y = backend.Zeros(n);
        backend.DenseForward(g, n, x, w, BufferView.Empty, kind, alpha, y);
        var dx = backend.Zeros(n);
        backend.DenseBackward(g, n, x, w, kind, alpha, y, dy, dx, BufferView.Empty, BufferView.Empty);

        Assert.Equal(backend.Download(yExpected), backend.Download(y));
        Assert.Equal(backend.Download(dxExpected), backend.Download(dx));
    }

    [Theory]
    [InlineData(ActivationKind.ELU, 1f)]
    [InlineData(ActivationKind.GELU, 0f)]
    [InlineData(ActivationKind.SiLU, 0f)]
    [InlineData(ActivationKind.Softplus, 1f)]
    [InlineData(ActivationKind.LeakyReLU, -0.1f)]
    [InlineData(ActivationKind.LeakyReLU, float.NaN)]
    public void Activations_whose_derivative_needs_the_input_are_rejected_and_change_nothing(ActivationKind kind, float alpha)
    {
        Assert.False(Backend.CanFuseActivation(kind, alpha));
        var g = Convolutions["strided 3->5 3x3 s2 p1"];
        var dg = new DenseGeometry(4, 3, 1);
        using var backend = CpuTensors.NewCpu();
        var y = backend.Zeros(g.OutputSize);
        backend.Fill(y, 7f);
        var dx = backend.Zeros(g.InputSize);
        var (x, w, b) = (backend.Zeros(g.InputSize), backend.Zeros(g.WeightCount), backend.Zeros(g.OutChannels));

        var e = Assert.Throws<ArgumentException>(() => backend.Conv2DForward(g, 1, x, w, b, kind, alpha, y));
        Assert.Equal("activation", e.ParamName);
        Assert.Contains(kind.ToString(), e.Message);
        Assert.Equal("activation", Assert.Throws<ArgumentException>(() =>
            backend.Conv2DBackward(g, 1, x, w, kind, alpha, y, y, dx, BufferView.Empty, BufferView.Empty)).ParamName);
        Assert.Equal("activation", Assert.Throws<ArgumentException>(() =>
            backend.DenseForward(dg, 1, backend.Zeros(4), backend.Zeros(12), BufferView.Empty, kind, alpha, backend.Zeros(3))).ParamName);
        Assert.Equal("activation", Assert.Throws<ArgumentException>(() =>
            backend.DenseBackward(dg, 1, backend.Zeros(4), backend.Zeros(12), kind, alpha, backend.Zeros(3), backend.Zeros(3),
                backend.Zeros(4), BufferView.Empty, BufferView.Empty)).ParamName);
        Assert.All(backend.Download(y), v => Assert.Equal(7f, v));
        Assert.All(backend.Download(dx), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_fused_backward_needs_the_activated_output()
    {
        var g = Convolutions["C3-like 6->16 5x5"];
        using var backend = CpuTensors.NewCpu();
        var (x, w, dy) = (backend.Zeros(g.InputSize), backend.Zeros(g.WeightCount), backend.Zeros(g.OutputSize));
        var e = Assert.Throws<ArgumentException>(() =>
            backend.Conv2DBackward(g, 1, x, w, ActivationKind.ReLU, 0f, BufferView.Empty, dy, backend.Zeros(g.InputSize), BufferView.Empty, BufferView.Empty));
        Assert.Equal("y", e.ParamName);
        var dg = new DenseGeometry(4, 3, 1);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() =>
            backend.DenseBackward(dg, 2, backend.Zeros(8), backend.Zeros(12), ActivationKind.Tanh, 0f, backend.Zeros(5), backend.Zeros(6),
                backend.Zeros(8), BufferView.Empty, BufferView.Empty)).ParamName);
    }

    [Fact]
    public void Repeated_fused_calls_allocate_nothing()
    {
        var g = Convolutions["C1-like 1->6 5x5 pad 2"];
        var dg = new DenseGeometry(6, 5, 1);
        const int batch = 2;
        using var backend = CpuTensors.NewCpu();
        var (x, w, b, y, dy) = (backend.Zeros(batch * g.InputSize), backend.Zeros(g.WeightCount), backend.Zeros(g.OutChannels),
            backend.Zeros(batch * g.OutputSize), backend.Zeros(batch * g.OutputSize));
        var (dx, dw, db) = (backend.Zeros(x.Length), backend.Zeros(w.Length), backend.Zeros(b.Length));
        var (dX, dW, dB, dY) = (backend.Zeros(batch * 6), backend.Zeros(30), backend.Zeros(5), backend.Zeros(batch * 5));
        var (gX, gW, gB, gY) = (backend.Zeros(batch * 6), backend.Zeros(30), backend.Zeros(5), backend.Zeros(batch * 5));
        void Step()
        {
            backend.Conv2DForward(g, batch, x, w, b, ActivationKind.Tanh, 0f, y);
            backend.Conv2DBackward(g, batch, x, w, ActivationKind.Tanh, 0f, y, dy, dx, dw, db);
            backend.DenseForward(dg, batch, dX, dW, dB, ActivationKind.ReLU, 0f, dY);
            backend.DenseBackward(dg, batch, dX, dW, ActivationKind.ReLU, 0f, dY, gY, gX, gW, gB);
        }
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Equal up to float rounding (the same products, summed in another order where dz is formed per chunk).</summary>
    private static void AssertSame(Backend backend, BufferView expected, BufferView actual, string what) =>
        GradientCheck.AssertClose(Array.ConvertAll(backend.Download(expected), v => (double)v), backend.Download(actual), 1e-5, what);
}
