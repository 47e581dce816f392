using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

/// <summary>
/// The max-pool backward fused with the derivative of the activation that produced its input
/// (Backend.MaxPool2DBackward with an activation and the overwrite choice) against what it replaces:
/// the plain pool backward into a zeroed buffer, then ActivationBackward from the pre-activation
/// (kernels checked against references in their own classes); and against the first-maximum rule
/// with a double-precision derivative where NaNs make the unfused sequence differ by design.
/// </summary>
public class FusedMaxPoolBackwardTests
{
    /// <summary>The activations a layer can fuse, as FusedActivationKernelTests lists them.</summary>
    public static TheoryData<ActivationKind, float> Fusable => FusedActivationKernelTests.Fusable;

    /// <summary>(batch, channels, height, width) of 2×2 stride-2 pools: the AVX-512 path where the machine has it.</summary>
    private static readonly (int Batch, int C, int H, int W)[] TwoByTwo =
    {
        (1, 1, 2, 2),
        (3, 2, 5, 3),    // odd: the last row and column are in no window
        (2, 3, 17, 17),  // a row of 16 covered inputs and one left over
        (1, 2, 4, 63),   // rows longer than a vector, not a multiple of 16
        (2, 1, 3, 65),
        (4, 3, 28, 28),  // W3's and LeNet's plane
    };

    private static Pool2DGeometry Pool2x2(int c, int h, int w) => new(c, h, w, 2, 2, 2, 2, 0, 0, h / 2, w / 2);

    /// <summary>Other windows, the generic path: overlapping with padding, rectangular, strided past the window.</summary>
    private static readonly (string Name, int Batch, Pool2DGeometry G)[] Generic =
    {
        ("3x3 s2 p1 on 7x7 (overlapping)", 2, new(2, 7, 7, 3, 3, 2, 2, 1, 1, 4, 4)),
        ("2x3 s(1,2) p1 on 5x7", 2, new(1, 5, 7, 2, 3, 1, 2, 1, 1, 6, 4)),
        ("2x2 s3 on 8x8 (gaps between windows)", 1, new(2, 8, 8, 2, 2, 3, 3, 0, 0, 3, 3)),
    };

    public static IEnumerable<object[]> Cases =>
        from object[] kind in Fusable
        from threads in new[] { 1, 2 }
        select new object[] { kind[0], kind[1], threads };

    private static IEnumerable<(string Name, int Batch, Pool2DGeometry G)> Geometries() =>
        TwoByTwo.Select(s => ($"2x2 on {s.C}x{s.H}x{s.W} batch {s.Batch}", s.Batch, Pool2x2(s.C, s.H, s.W))).Concat(Generic);

    /// <summary>A new backend whose pool splits every call when it has two threads.</summary>
    private static CpuBackend Backend(int threads)
    {
        var backend = CpuTensors.NewCpu(threads);
        backend.Pool.MinimumWorkPerPart = 0;
        return backend;
    }

    /// <summary>Pre-activations from a few values, so the activated inputs tie within windows (ReLU's zeros most of all).</summary>
    private static double[] TiedPreActivations(Random random, int length)
    {
        double[] choices = { -2, -1, -0.5, 0, 0.25, 0.5, 1, 3 };
        return Enumerable.Range(0, length).Select(_ => choices[random.Next(choices.Length)]).ToArray();
    }

    private static double[] Garbage(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => random.Next(8) == 0 ? double.NaN : random.Next(-1000, 1000) * 0.5).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_backward_equals_pool_backward_then_activation_backward(ActivationKind kind, float alpha, int threads)
    {
        foreach (var (name, batch, g) in Geometries())
        {
            var random = new Random(name.Length * 31 + (int)kind);
            double[] z = TiedPreActivations(random, batch * g.InputSize);
            double[] r = GradientCheck.Rounded(GradientCheck.RandomArray(random, batch * g.OutputSize));
            double[] dx0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, z.Length));
            using var backend = Backend(threads);
            var pre = backend.Upload(z);
            var x = backend.Zeros(z.Length);
            backend.ActivationForward(kind, alpha, pre, x);
            var dy = backend.Upload(r);

            // Unfused: route dy into zeros, then dz = routed ⊙ f'(z) from the pre-activation.
            var routed = backend.Zeros(z.Length);
            backend.MaxPool2DBackward(g, batch, x, dy, routed);
            var expected = backend.Upload(dx0);
            backend.ActivationBackward(kind, alpha, pre, x, routed, expected);
            var expectedAdded = backend.Download(expected);
            var expectedAlone = backend.Zeros(z.Length);
            backend.ActivationBackward(kind, alpha, pre, x, routed, expectedAlone);

            var overwritten = backend.Upload(Garbage(random, z.Length));
            backend.MaxPool2DBackward(g, batch, x, kind, alpha, dy, overwritten, overwrite: true);
            AssertNear(backend.Download(expectedAlone), backend.Download(overwritten), $"{name}, {kind}, overwrite");

            var added = backend.Upload(dx0);
            backend.MaxPool2DBackward(g, batch, x, kind, alpha, dy, added, overwrite: false);
            AssertNear(expectedAdded, backend.Download(added), $"{name}, {kind}, accumulate");
        }
    }

    /// <summary>Equal where the windows do not overlap (same expressions, same order); within rounding where they do.</summary>
    private static void AssertNear(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f * Math.Max(1f, Math.Abs(expected[i])),
                $"{what}: dx[{i}] expected {expected[i]:G9}, got {actual[i]:G9}");
    }

    /// <summary>dy·f'(x) in double from the activation's output x, as Backend.CanFuseActivation states it.</summary>
    private static double Derivative(ActivationKind kind, double alpha, double x) => kind switch
    {
        ActivationKind.Identity => 1,
        ActivationKind.ReLU => x > 0 ? 1 : 0,
        ActivationKind.LeakyReLU => x > 0 ? 1 : alpha,
        ActivationKind.Sigmoid => x * (1 - x),
        ActivationKind.Tanh => 1 - x * x,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Ties, ±0 and NaN winners, straight from the rule: the first maximum of each window in row-major
    /// order (a NaN winning) gets dy·f'(x), with NaN where f'(NaN) is NaN; every other element, NaN or
    /// not, and every element no window covers is exactly zero.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Winners_get_dy_times_the_derivative_and_everything_else_exactly_zero(ActivationKind kind, float alpha, int threads)
    {
        foreach (var (name, batch, g) in Geometries())
        {
            var random = new Random(name.Length * 17 + (int)kind);
            float[] choices = { -1f, -0f, 0f, 0.25f, 0.5f, 1f, 2f };
            var x = new float[batch * g.InputSize];
            for (int i = 0; i < x.Length; i++) x[i] = random.Next(12) == 0 ? float.NaN : choices[random.Next(choices.Length)];
            var dy = Enumerable.Range(0, batch * g.OutputSize).Select(_ => (float)random.Next(1, 100)).ToArray();

            var expected = new double[x.Length];
            var winners = PoolingKernelTests.FirstMaxIndices(g, batch, x);
            for (int o = 0; o < winners.Length; o++)
                if (winners[o] >= 0) expected[winners[o]] += dy[o] * Derivative(kind, alpha, x[winners[o]]);

            using var backend = Backend(threads);
            var xv = backend.Zeros(x.Length);
            backend.CopyFromHost(x, xv);
            var dyv = backend.Zeros(dy.Length);
            backend.CopyFromHost(dy, dyv);
            var dx = backend.Upload(Garbage(random, x.Length));
            backend.MaxPool2DBackward(g, batch, xv, kind, alpha, dyv, dx, overwrite: true);
            var actual = backend.Download(dx);
            for (int i = 0; i < x.Length; i++)
            {
                string at = $"{name}, {kind}: dx[{i}] (x = {x[i]})";
                if (double.IsNaN(expected[i])) Assert.True(float.IsNaN(actual[i]), $"{at}: expected NaN, got {actual[i]}");
                else if (expected[i] == 0) Assert.True(actual[i] == 0f, $"{at}: expected 0, got {actual[i]}");
                else Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 * Math.Abs(expected[i]), $"{at}: expected {expected[i]:G9}, got {actual[i]:G9}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Fusable))]
    public void Results_do_not_depend_on_the_thread_count(ActivationKind kind, float alpha)
    {
        var g = Pool2x2(6, 28, 27);
        const int batch = 5;
        var random = new Random(3 + (int)kind);
        double[] x = TiedPreActivations(random, batch * g.InputSize);
        double[] r = GradientCheck.RandomArray(random, batch * g.OutputSize);
        float[] Run(int threads)
        {
            using var backend = Backend(threads);
            var dx = backend.Upload(Garbage(new Random(1), x.Length));
            backend.MaxPool2DBackward(g, batch, backend.Upload(x), kind, alpha, backend.Upload(r), dx, overwrite: true);
            return backend.Download(dx);
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Theory]
    [InlineData(ActivationKind.ELU, 1f)]
    [InlineData(ActivationKind.GELU, 0f)]
    [InlineData(ActivationKind.SiLU, 0f)]
    [InlineData(ActivationKind.Softplus, 1f)]
    [InlineData(ActivationKind.LeakyReLU, -0.1f)]
    public void An_activation_whose_derivative_needs_its_input_is_rejected_and_changes_nothing(ActivationKind kind, float alpha)
    {
        var g = Pool2x2(2, 6, 6);
        using var backend = Backend(1);
        var dx = backend.Zeros(g.InputSize);
        backend.Fill(dx, 7f);
        var e = Assert.Throws<ArgumentException>(() =>
            backend.MaxPool2DBackward(g, 1, backend.Zeros(g.InputSize), kind, alpha, backend.Zeros(g.OutputSize), dx, overwrite: true));
        Assert.Equal("activation", e.ParamName);
        Assert.Contains(kind.ToString(), e.Message);
        Assert.All(backend.Download(dx), v => Assert.Equal(7f, v));
    }

    [Fact]
    public void Wrong_lengths_are_rejected_naming_the_argument_and_change_nothing()
    {
        var g = Pool2x2(2, 6, 6);
        using var backend = Backend(1);
        var dx = backend.Zeros(g.InputSize);
        backend.Fill(dx, 7f);
        var (x, dy) = (backend.Zeros(g.InputSize), backend.Zeros(g.OutputSize));
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() =>
            backend.MaxPool2DBackward(g, 1, x, ActivationKind.ReLU, 0f, backend.Zeros(5), dx, overwrite: true)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() =>
            backend.MaxPool2DBackward(g, 1, backend.Zeros(5), ActivationKind.ReLU, 0f, dy, dx, overwrite: true)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() =>
            backend.MaxPool2DBackward(g, 1, x, ActivationKind.ReLU, 0f, dy, backend.Zeros(5), overwrite: true)).ParamName);
        Assert.All(backend.Download(dx), v => Assert.Equal(7f, v));
    }

    [Fact]
    public void Repeated_calls_allocate_nothing()
    {
        using var backend = Backend(2);
        backend.Pool.MinimumWorkPerPart = WorkerPool.DefaultMinimumWorkPerPart;
        foreach (var (_, batch, g) in Geometries())
        {
            var (x, dy, dx) = (backend.Zeros(batch * g.InputSize), backend.Zeros(batch * g.OutputSize), backend.Zeros(batch * g.InputSize));
            void Run()
            {
                backend.MaxPool2DBackward(g, batch, x, ActivationKind.ReLU, 0f, dy, dx, overwrite: true);
                backend.MaxPool2DBackward(g, batch, x, ActivationKind.LeakyReLU, 0.2f, dy, dx, overwrite: false);
            }
            Run();
            AllocationCheck.AssertRepeatedCallsAllocateNothing(Run, 1, $"fused max-pool backward, batch {batch}");
        }
    }
}
