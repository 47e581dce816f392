using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

/// <summary>
/// The direct convolution's sparse backward (DirectConvolution.Sparse.cs), which visits only the
/// positions where dz = dy ⊙ f'(y) is not zero, against the naive double loops of
/// <see cref="ConvolutionKernelTests.ReferenceBackward"/>: through the backend with sparse output
/// gradients (so the backend's own choice takes it), and called directly on dense gradients.
/// </summary>
public class SparseConvolutionBackwardTests
{
    /// <summary>Stride-1, dilation-1 geometries with kernels at most 8 wide (what the sparse pass covers).</summary>
    private static readonly Dictionary<string, (int Batch, Conv2DGeometry G)> Cases = new()
    {
        ["LeNet C1: 1->6, 28x28, k5 p2"] = (3, new(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 1, 1, 28, 28)),
        ["LeNet C3: 6->16, 14x14, k5 (30 tap rows, one full tile)"] = (5, new(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 1, 10, 10)),
        // 7·5 = 35 tap rows: tiles of 18 and 17; 17 output channels: two channel blocks.
        ["7->17, 9x11, k5x3, padding top 2 left 1, bottom 1 right 0"] = (3, new(7, 9, 11, 17, 5, 3, 1, 1, 2, 1, 1, 1, 8, 10)),
        ["kernel 8 wide: 2->3, 6x12, k2x8, padding left 3 right 4"] = (2, new(2, 6, 12, 3, 2, 8, 1, 1, 0, 3, 1, 1, 5, 12)),
        ["kernel 1 wide, padding past the reach: 3->2, 7x5, k3x1, padding 3 rows"] = (2, new(3, 7, 5, 2, 3, 1, 1, 1, 3, 0, 1, 1, 11, 5)),
        ["output rows wider than a vector: 1->4, 5x40, k3 p1"] = (2, new(1, 5, 40, 4, 3, 3, 1, 1, 1, 1, 1, 1, 5, 40)),
        ["kernel as large as the input: 1x1 output, 3->5, k4x5"] = (4, new(3, 4, 5, 5, 4, 5, 1, 1, 0, 0, 1, 1, 1, 1)),
        ["32 tap rows: 8->3, 6x6, k4 (tiles of 16 and 16)"] = (2, new(8, 6, 6, 3, 4, 4, 1, 1, 0, 0, 1, 1, 3, 3)),
        ["31 tap rows: 31->2, 3x4, k1x3 (tiles of 16 and 15)"] = (2, new(31, 3, 4, 2, 1, 3, 1, 1, 0, 0, 1, 1, 3, 2)),
        ["Same with even k2: extra bottom row and right column only"] = (3, new(3, 5, 6, 2, 2, 2, 1, 1, 0, 0, 1, 1, 5, 6)),
    };

    public static IEnumerable<object[]> CasesThreadsActivations =>
        from name in Cases.Keys
        from threads in new[] { 1, 2 }
        from kind in new[] { ActivationKind.Identity, ActivationKind.ReLU }
        select new object[] { name, threads, kind };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    private sealed record Problem(double[] X, double[] W, double[] B, double[] Dy, double[] Y, double[] Dz);

    /// <summary>
    /// Random x, W, b; y = f(W ⋆ x + b) from the backend's forward; dy zero except at a share
    /// <paramref name="density"/> of the positions (and wholly zero in the second sample), as a max
    /// pool's backward leaves it; dz = dy ⊙ f'(y) in double.
    /// </summary>
    private static Problem MakeProblem(Backend backend, Conv2DGeometry g, int batch, ActivationKind kind, double density, int seed)
    {
        var random = new Random(seed);
        double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(random, batch * g.InputSize));
        double[] w = GradientCheck.Rounded(GradientCheck.RandomArray(random, g.WeightCount, 0.5));
        double[] b = GradientCheck.Rounded(GradientCheck.RandomArray(random, g.OutChannels, 0.5));
        double[] dy = new double[batch * g.OutputSize];
        for (int i = 0; i < dy.Length; i++)
            if (random.NextDouble() < density && (batch < 2 || i / g.OutputSize != 1)) dy[i] = (float)(random.NextDouble() * 2 - 1);
        var y = backend.Zeros(batch * g.OutputSize);
        backend.Conv2DForward(g, batch, backend.Upload(x), backend.Upload(w), backend.Upload(b), kind, 0f, y);
        double[] yd = Array.ConvertAll(backend.Download(y), v => (double)v);
        double[] dz = kind == ActivationKind.ReLU ? dy.Select((v, i) => yd[i] > 0 ? v : 0).ToArray() : dy;
        return new Problem(x, w, b, dy, yd, dz);
    }

    /// <summary>A density well below the sparse pass's threshold, 1.5·R·kW / (16·(R + 1)) with R = InChannels·kH.</summary>
    private static double SparseDensity(Conv2DGeometry g)
    {
        double rows = g.InChannels * g.KernelHeight;
        return Math.Min(0.2, 0.7 * 1.5 * rows * g.KernelWidth / (16 * (rows + 1)));
    }

    [Theory]
    [MemberData(nameof(CasesThreadsActivations))]
    public void Sparse_output_gradients_take_the_sparse_pass_and_match_naive_loops(string name, int threads, ActivationKind kind)
    {
        var (batch, g) = Cases[name];
        using var backend = CpuTensors.NewCpu(threads);
        backend.Pool.MinimumWorkPerPart = 0; // split even these small problems
        var p = MakeProblem(backend, g, batch, kind, SparseDensity(g), name.Length + threads);
        Assert.True(DirectConvolution.PrefersSparse(g, batch, GradientCheck.ToFloat(p.Dy), GradientCheck.ToFloat(p.Y), kind, 0f),
            "the backend would not take the sparse pass for this gradient");

        // Prefilled gradients: the pass adds into them.
        var random = new Random(7);
        double[] dx0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, p.X.Length));
        double[] dw0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, p.W.Length));
        double[] db0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, p.B.Length));
        var (dx, dw, db) = (backend.Upload(dx0), backend.Upload(dw0), backend.Upload(db0));
        backend.Conv2DBackward(g, batch, backend.Upload(p.X), backend.Upload(p.W), kind, 0f, backend.Upload(p.Y), backend.Upload(p.Dy), dx, dw, db);

        var (ex, ew, eb) = ConvolutionKernelTests.ReferenceBackward(g, batch, p.X, p.W, p.Dz);
        static double[] Plus(double[] a, double[] b) => a.Zip(b, (u, v) => u + v).ToArray();
        GradientCheck.AssertClose(Plus(dx0, ex), backend.Download(dx), 1e-4, "dx");
        GradientCheck.AssertClose(Plus(dw0, ew), backend.Download(dw), 1e-4, "dW");
        GradientCheck.AssertClose(Plus(db0, eb), backend.Download(db), 1e-4, "db");

        // Each gradient alone.
        var dxOnly = backend.Zeros(p.X.Length);
        backend.Conv2DBackward(g, batch, BufferView.Empty, backend.Upload(p.W), kind, 0f, backend.Upload(p.Y), backend.Upload(p.Dy), dxOnly, BufferView.Empty, BufferView.Empty);
        GradientCheck.AssertClose(ex, backend.Download(dxOnly), 1e-4, "dx alone");
        var dwOnly = backend.Zeros(p.W.Length);
        backend.Conv2DBackward(g, batch, backend.Upload(p.X), BufferView.Empty, kind, 0f, backend.Upload(p.Y), backend.Upload(p.Dy), BufferView.Empty, dwOnly, BufferView.Empty);
        GradientCheck.AssertClose(ew, backend.Download(dwOnly), 1e-4, "dW alone");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Called_directly_on_dense_gradients_it_still_matches_naive_loops(string name)
    {
        var (batch, g) = Cases[name];
        using var backend = CpuTensors.NewCpu(2);
        backend.Pool.MinimumWorkPerPart = 0;
        var p = MakeProblem(backend, g, batch, ActivationKind.ReLU, 1.0, name.Length);
        var dx = new float[p.X.Length];
        var dw = new float[p.W.Length];
        var db = new float[p.B.Length];
        DirectConvolution.BackwardSparse(g, batch, GradientCheck.ToFloat(p.X), GradientCheck.ToFloat(p.W), GradientCheck.ToFloat(p.Dy),
            GradientCheck.ToFloat(p.Y), ActivationKind.ReLU, 0f, dx, dw, db, backend.Pool);
        var (ex, ew, eb) = ConvolutionKernelTests.ReferenceBackward(g, batch, p.X, p.W, p.Dz);
        GradientCheck.AssertClose(ex, dx, 1e-4, "dx");
        GradientCheck.AssertClose(ew, dw, 1e-4, "dW");
        GradientCheck.AssertClose(eb, db, 1e-4, "db");
    }

    [Fact]
    public void Dense_gradients_keep_the_dense_passes_and_pooled_ones_take_the_sparse_pass()
    {
        var (batch, g) = Cases["LeNet C3: 6->16, 14x14, k5 (30 tap rows, one full tile)"];
        using var backend = CpuTensors.NewCpu();
        var dense = MakeProblem(backend, g, batch, ActivationKind.Identity, 1.0, 1);
        Assert.False(DirectConvolution.PrefersSparse(g, batch, GradientCheck.ToFloat(dense.Dy), default, ActivationKind.Identity, 0f));
        // A max pool's gradient: one non-zero per 2×2 window.
        var pooled = MakeProblem(backend, g, batch, ActivationKind.Identity, 0.25, 1);
        Assert.True(DirectConvolution.PrefersSparse(g, batch, GradientCheck.ToFloat(pooled.Dy), default, ActivationKind.Identity, 0f));
        // Dilation, stride and kernels wider than 8 are not covered, however sparse the gradient.
        Assert.False(DirectConvolution.PrefersSparse(g with { DilationWidth = 2, OutWidth = 6 }, batch, new float[batch * 16 * 60], default, ActivationKind.Identity, 0f));
        Assert.False(DirectConvolution.PrefersSparse(g with { KernelWidth = 9, OutWidth = 6 }, batch, new float[batch * 16 * 60], default, ActivationKind.Identity, 0f));
    }

    [Fact]
    public void The_input_gradient_does_not_depend_on_the_thread_count()
    {
        var (batch, g) = Cases["LeNet C3: 6->16, 14x14, k5 (30 tap rows, one full tile)"];
        float[] InputGradient(int threads)
        {
            using var backend = CpuTensors.NewCpu(threads);
            backend.Pool.MinimumWorkPerPart = 0;
            var p = MakeProblem(backend, g, batch, ActivationKind.ReLU, 0.2, 3);
            var dx = backend.Zeros(p.X.Length);
            backend.Conv2DBackward(g, batch, backend.Upload(p.X), backend.Upload(p.W), ActivationKind.ReLU, 0f, backend.Upload(p.Y), backend.Upload(p.Dy),
                dx, backend.Zeros(p.W.Length), backend.Zeros(p.B.Length));
            return backend.Download(dx);
        }
        Assert.Equal(InputGradient(1), InputGradient(2));
    }

    /// <summary>
    /// An infinite dz reaches exactly the inputs under its window, as in the reference: the lanes past
    /// the kernel's width, which the pass computes and discards, must not carry ∞·0 = NaN into their
    /// neighbours.
    /// </summary>
    [Fact]
    public void An_infinite_gradient_reaches_only_the_inputs_under_its_window()
    {
        var (batch, g) = Cases["LeNet C3: 6->16, 14x14, k5 (30 tap rows, one full tile)"];
        using var backend = CpuTensors.NewCpu();
        var p = MakeProblem(backend, g, batch, ActivationKind.Identity, 0.1, 11);
        p.Dy[g.OutputSize + 3 * 10 + 4] = double.PositiveInfinity; // sample 1, channel 0, (3, 4)
        var dx = new float[p.X.Length];
        DirectConvolution.BackwardSparse(g, batch, default, GradientCheck.ToFloat(p.W), GradientCheck.ToFloat(p.Dy), default,
            ActivationKind.Identity, 0f, dx, default, default, backend.Pool);
        var (ex, _, _) = ConvolutionKernelTests.ReferenceBackward(g, batch, p.X, p.W, p.Dy);
        for (int i = 0; i < ex.Length; i++)
            Assert.True(double.IsFinite(ex[i]) == float.IsFinite(dx[i]), $"dx[{i}]: expected {ex[i]}, got {dx[i]}");
        Assert.Contains(dx, v => !float.IsFinite(v));
    }

    [Fact]
    public void Repeated_sparse_backward_calls_allocate_nothing()
    {
        var (batch, g) = Cases["LeNet C3: 6->16, 14x14, k5 (30 tap rows, one full tile)"];
        using var backend = CpuTensors.NewCpu(2);
        var p = MakeProblem(backend, g, batch, ActivationKind.ReLU, 0.2, 5);
        var (x, w, y, dy) = (backend.Upload(p.X), backend.Upload(p.W), backend.Upload(p.Y), backend.Upload(p.Dy));
        var (dx, dw, db) = (backend.Zeros(p.X.Length), backend.Zeros(p.W.Length), backend.Zeros(p.B.Length));
        backend.Conv2DBackward(g, batch, x, w, ActivationKind.ReLU, 0f, y, dy, dx, dw, db);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++) backend.Conv2DBackward(g, batch, x, w, ActivationKind.ReLU, 0f, y, dy, dx, dw, db);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
