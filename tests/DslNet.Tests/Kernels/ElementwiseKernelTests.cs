using System;
using DslNet.Backends;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

public class ElementwiseKernelTests
{
    [Fact]
    public void Multiply_backward_matches_finite_differences()
    {
        var random = new Random(1);
        var backend = CpuTensors.NewCpu();
        double[] a = GradientCheck.Rounded(GradientCheck.RandomArray(random, 13));
        double[] b = GradientCheck.Rounded(GradientCheck.RandomArray(random, 13));
        double[] r = GradientCheck.Rounded(GradientCheck.RandomArray(random, 13));
        Func<double[], double[], double[]> f = (p, q) => { var y = new double[p.Length]; for (int i = 0; i < y.Length; i++) y[i] = p[i] * q[i]; return y; };

        var va = backend.Upload(a); var vb = backend.Upload(b); var dy = backend.Upload(r);
        var y = backend.Zeros(13); var da = backend.Zeros(13); var db = backend.Zeros(13);
        backend.Multiply(va, vb, y);
        backend.MultiplyBackward(va, vb, dy, da, db);

        GradientCheck.AssertClose(f(a, b), backend.Download(y), 1e-6, "y");
        GradientCheck.AssertClose(GradientCheck.Numerical(p => f(p, b), a, r), backend.Download(da), 1e-4, "da");
        GradientCheck.AssertClose(GradientCheck.Numerical(q => f(a, q), b, r), backend.Download(db), 1e-4, "db");
    }

    [Fact]
    public void Concat_blocks_round_trip_and_accumulate()
    {
        var backend = CpuTensors.NewCpu();
        // two samples of parts with 2 and 3 elements → 5 per sample
        var a = backend.Upload(new double[] { 1, 2, 10, 20 });
        var b = backend.Upload(new double[] { 3, 4, 5, 30, 40, 50 });
        var y = backend.Zeros(10);
        backend.CopyBlocks(2, 2, a, 2, y, 5);
        backend.CopyBlocks(2, 3, b, 3, y.Slice(2, 8), 5);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 10, 20, 30, 40, 50 }, backend.Download(y));

        var db = backend.Upload(new double[] { 1, 1, 1, 1, 1, 1 });
        backend.AccumulateBlocks(2, 3, y.Slice(2, 8), 5, db, 3);
        Assert.Equal(new float[] { 4, 5, 6, 31, 41, 51 }, backend.Download(db));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(17, 2)]
    [InlineData(1025, 2)]
    [InlineData(5000, 3)]
    public void ReLU_and_fill_split_over_threads_match_naive_loops(int length, int threads)
    {
        using var backend = CpuTensors.NewCpu(threads);
        backend.Pool.MinimumWorkPerPart = 0; // split every call
        var random = new Random(length);
        var x = new float[length];
        var g = new float[length];
        var d0 = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = i % 97 == 5 ? float.NaN : (float)(random.NextDouble() - 0.5);
            g[i] = (float)random.NextDouble();
            d0[i] = (float)random.NextDouble();
        }
        var xv = backend.Zeros(length); backend.CopyFromHost(x, xv);
        var gv = backend.Zeros(length); backend.CopyFromHost(g, gv);
        var dv = backend.Zeros(length); backend.CopyFromHost(d0, dv);
        var y = backend.Zeros(length);
        backend.ActivationForward(ActivationKind.ReLU, 0f, xv, y);
        backend.ActivationBackward(ActivationKind.ReLU, 0f, xv, y, gv, dv);
        var ys = backend.Download(y);
        var ds = backend.Download(dv);
        for (int i = 0; i < length; i++)
        {
            float expectedY = float.IsNaN(x[i]) ? float.NaN : Math.Max(x[i], 0f);
            Assert.Equal(expectedY, ys[i]);
            Assert.Equal(x[i] > 0f ? d0[i] + g[i] : d0[i], ds[i]);
        }
        backend.Fill(y, 2.5f);
        Assert.All(backend.Download(y), v => Assert.Equal(2.5f, v));
    }

    [Theory]
    [InlineData(1, 0f)]
    [InlineData(2, 0f)]
    [InlineData(2, -1.5f)]
    public void A_fill_longer_than_the_caches_streams_and_writes_exactly_its_range(int threads, float value)
    {
        // 8M + 37 floats (past the 32 MiB streaming threshold), starting 3 floats past a line boundary
        // so the streaming loop has a head and a tail; the sentinels either side must stay.
        using var backend = CpuTensors.NewCpu(threads);
        const int length = (8 << 20) + 37;
        var buffer = backend.Allocate(length + 6);
        var all = buffer.View.Span;
        all.Fill(7f);
        backend.Fill(buffer.View.Slice(3, length), value);
        for (int i = 0; i < 3; i++) Assert.Equal(7f, all[i]);
        for (int i = length + 3; i < all.Length; i++) Assert.Equal(7f, all[i]);
        int wrong = 0;
        for (int i = 3; i < length + 3; i++) if (all[i] != value) wrong++;
        Assert.Equal(0, wrong);
    }
}
