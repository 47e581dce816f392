using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Backends;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

public class PoolingKernelTests
{
    /// <summary>A pooling case; padding per side, bottom/right entering through the output size.</summary>
    public sealed record Case(int Batch, int C, int H, int W, int Kh, int Kw, int Sh, int Sw,
        int PadTop = 0, int PadBottom = 0, int PadLeft = 0, int PadRight = 0)
    {
        public Pool2DGeometry Geometry => new(C, H, W, Kh, Kw, Sh, Sw, PadTop, PadLeft,
            (H + PadTop + PadBottom - Kh) / Sh + 1, (W + PadLeft + PadRight - Kw) / Sw + 1);
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["2x2 stride 2 on 4x4, batch 1"] = new(1, 1, 4, 4, 2, 2, 2, 2),
        ["2x2 stride 2 on odd 7x5 (floor drops the last row and column), batch 3, 3 channels"] = new(3, 3, 7, 5, 2, 2, 2, 2),
        ["overlapping 3x3 stride 2 padding 1 on 7x7, batch 3"] = new(3, 2, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1),
        ["overlapping 3x3 stride 2 padding 1 on 8x6, 3 channels"] = new(1, 3, 8, 6, 3, 3, 2, 2, 1, 1, 1, 1),
        ["rectangular 2x3 window, stride (1,2), padding 1"] = new(3, 1, 5, 7, 2, 3, 1, 2, 1, 1, 1, 1),
        ["rectangular 3x1 window, stride (2,1), padding (1,0)"] = new(1, 5, 6, 4, 3, 1, 2, 1, 1, 1, 0, 0),
        ["3x3 stride 1 padding 1 keeps 5x5, 5 channels"] = new(3, 5, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1),
        ["2x2 stride 1 Same: padding only at the bottom and right"] = new(1, 2, 4, 5, 2, 2, 1, 1, 0, 1, 0, 1),
        ["window covers the whole input"] = new(3, 1, 4, 5, 4, 5, 1, 1),
        ["stride larger than the window"] = new(1, 2, 8, 8, 2, 2, 3, 3),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    // ---- independent double references ------------------------------------------------------

    /// <summary>Visits the in-input positions of every window: (plane, output index, input index).</summary>
    private static double[] Pool(Pool2DGeometry g, int batch, double[] x, bool max)
    {
        var y = new double[batch * g.OutputSize];
        for (int plane = 0; plane < batch * g.Channels; plane++)
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    double acc = max ? double.NegativeInfinity : 0;
                    for (int a = 0; a < g.KernelHeight; a++)
                        for (int b = 0; b < g.KernelWidth; b++)
                        {
                            int iy = oy * g.StrideHeight + a - g.PadTop, ix = ox * g.StrideWidth + b - g.PadLeft;
                            if (iy < 0 || iy >= g.InHeight || ix < 0 || ix >= g.InWidth) continue; // padding
                            double v = x[(plane * g.InHeight + iy) * g.InWidth + ix];
                            acc = max ? Math.Max(acc, v) : acc + v;
                        }
                    y[(plane * g.OutHeight + oy) * g.OutWidth + ox] = max ? acc : acc / (g.KernelHeight * g.KernelWidth);
                }
        return y;
    }

    private static double[] MaxRef(Pool2DGeometry g, int batch, double[] x) => Pool(g, batch, x, max: true);
    private static double[] AvgRef(Pool2DGeometry g, int batch, double[] x) => Pool(g, batch, x, max: false);

    private static double[] GlobalRef(int batch, int channels, int spatial, double[] x)
    {
        var y = new double[batch * channels];
        for (int i = 0; i < y.Length; i++)
        {
            for (int s = 0; s < spatial; s++) y[i] += x[i * spatial + s];
            y[i] /= spatial;
        }
        return y;
    }

    /// <summary>
    /// Distinct values 0.01 apart (a shuffled ramp, offset so some are negative), so a finite-difference
    /// step never changes which element of a window is the maximum.
    /// </summary>
    private static double[] Distinct(int length, int seed, double offset = -0.5)
    {
        var random = new Random(seed);
        var order = Enumerable.Range(0, length).OrderBy(_ => random.Next()).ToArray();
        return GradientCheck.Rounded(order.Select(i => i * 0.01 + offset * length * 0.01).ToArray());
    }

    private static double[] Projection(int length, int seed) =>
        GradientCheck.Rounded(GradientCheck.RandomArray(new Random(seed), length));

    private static float[] MaxForward(Pool2DGeometry g, int batch, double[] x)
    {
        var backend = CpuTensors.NewCpu();
        var y = backend.Zeros(batch * g.OutputSize);
        backend.Fill(y, float.NaN);
        backend.MaxPool2DForward(g, batch, backend.Upload(x), y);
        return backend.Download(y);
    }

    private static float[] AvgForward(Pool2DGeometry g, int batch, double[] x)
    {
        var backend = CpuTensors.NewCpu();
        var y = backend.Zeros(batch * g.OutputSize);
        backend.Fill(y, float.NaN);
        backend.AvgPool2DForward(g, batch, backend.Upload(x), y);
        return backend.Download(y);
    }

    private static float[] MaxBackward(Pool2DGeometry g, int batch, double[] x, double[] dy, double[]? dx0 = null)
    {
        var backend = CpuTensors.NewCpu();
        var dx = dx0 is null ? backend.Zeros(x.Length) : backend.Upload(dx0);
        backend.MaxPool2DBackward(g, batch, backend.Upload(x), backend.Upload(dy), dx);
        return backend.Download(dx);
    }

    private static float[] AvgBackward(Pool2DGeometry g, int batch, double[] dy, double[]? dx0 = null)
    {
        var backend = CpuTensors.NewCpu();
        var dx = dx0 is null ? backend.Zeros(batch * g.InputSize) : backend.Upload(dx0);
        backend.AvgPool2DBackward(g, batch, backend.Upload(dy), dx);
        return backend.Download(dx);
    }

    private static double[] Plus(double[] a, double[] b) => a.Zip(b, (p, q) => p + q).ToArray();

    // ---- max pooling --------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Max_forward_matches_reference(string name)
    {
        var c = Cases[name];
        var g = c.Geometry;
        double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(new Random(name.Length), c.Batch * g.InputSize));
        GradientCheck.AssertClose(MaxRef(g, c.Batch, x), MaxForward(g, c.Batch, x), 1e-6, "y");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Max_backward_matches_finite_differences(string name)
    {
        var c = Cases[name];
        var g = c.Geometry;
        double[] x = Distinct(c.Batch * g.InputSize, name.Length);
        double[] r = Projection(c.Batch * g.OutputSize, name.Length + 1);
        GradientCheck.AssertClose(GradientCheck.Numerical(p => MaxRef(g, c.Batch, p), x, r), MaxBackward(g, c.Batch, x, r), 1e-4, "dx");
    }

    [Fact]
    public void Max_padding_never_wins_even_when_every_input_is_negative()
    {
        var g = Cases["overlapping 3x3 stride 2 padding 1 on 7x7, batch 3"].Geometry;
        double[] x = Distinct(3 * g.InputSize, 5, offset: -1.1); // all in [−1.1·n·0.01, −0.1·n·0.01)
        Assert.All(x, v => Assert.True(v < 0));
        var y = MaxForward(g, 3, x);
        Assert.All(y, v => Assert.True(v < 0, $"a padded zero won: {v}"));
        GradientCheck.AssertClose(MaxRef(g, 3, x), y, 1e-6, "y");
        double[] r = Projection(y.Length, 6);
        GradientCheck.AssertClose(GradientCheck.Numerical(p => MaxRef(g, 3, p), x, r), MaxBackward(g, 3, x, r), 1e-4, "dx");
    }

    private static readonly double[] CourseGrid = { 3, 1, 3, 5, 6, 0, 7, 9, 3, 2, 1, 4, 0, 2, 4, 3 };

    [Fact]
    public void Course_example_E33_max_pool_and_first_max_tie_rule()
    {
        var g = new Pool2DGeometry(1, 4, 4, 2, 2, 2, 2, 0, 0, 2, 2);
        Assert.Equal(new float[] { 6, 9, 3, 4 }, MaxForward(g, 1, CourseGrid));
        // The bottom-right window {1, 4, 4, 3} ties between (2,3) and (3,2): the first in row-major order wins.
        var dx = MaxBackward(g, 1, CourseGrid, new double[] { 10, 20, 30, 40 });
        var expected = new float[16];
        expected[1 * 4 + 0] = 10; // 6 at (1,0)
        expected[1 * 4 + 3] = 20; // 9 at (1,3)
        expected[2 * 4 + 0] = 30; // 3 at (2,0)
        expected[2 * 4 + 3] = 40; // 4 at (2,3), not (3,2)
        Assert.Equal(expected, dx);

        // 3×3 stride 1 on the same grid (overlapping windows).
        Assert.Equal(new float[] { 7, 9, 7, 9 }, MaxForward(new Pool2DGeometry(1, 4, 4, 3, 3, 1, 1, 0, 0, 2, 2), 1, CourseGrid));
    }

    [Fact]
    public void Max_ties_go_to_the_first_in_window_order_with_padding_and_overlap()
    {
        // A constant input: every element of every window ties. 3×3 windows, stride 2, padding 1 on 5×5.
        var g = new Pool2DGeometry(1, 5, 5, 3, 3, 2, 2, 1, 1, 3, 3);
        double[] x = Enumerable.Repeat(0.25, 25).ToArray();
        double[] dy = Enumerable.Range(1, 9).Select(i => (double)i).ToArray();
        var expected = new float[25];
        for (int oy = 0; oy < 3; oy++)
            for (int ox = 0; ox < 3; ox++)
            {
                // The first window position in row-major order that is not padding.
                int iy = Math.Max(oy * 2 - 1, 0), ix = Math.Max(ox * 2 - 1, 0);
                expected[iy * 5 + ix] += (float)dy[oy * 3 + ox];
            }
        Assert.Equal(expected, MaxBackward(g, 1, x, dy));
        Assert.All(MaxForward(g, 1, x), v => Assert.Equal(0.25f, v));
    }

    /// <summary>
    /// The first maximum of each window in row-major order, a NaN winning (the first NaN): the plane
    /// index per output, straight from the rule, for checking the vectorised 2×2 path.
    /// </summary>
    internal static int[] FirstMaxIndices(Pool2DGeometry g, int batch, float[] x)
    {
        var winners = new int[batch * g.OutputSize];
        for (int plane = 0, o = 0; plane < batch * g.Channels; plane++)
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++, o++)
                {
                    int best = -1;
                    for (int a = 0; a < g.KernelHeight; a++)
                        for (int b = 0; b < g.KernelWidth; b++)
                        {
                            int iy = oy * g.StrideHeight + a - g.PadTop, ix = ox * g.StrideWidth + b - g.PadLeft;
                            if (iy < 0 || iy >= g.InHeight || ix < 0 || ix >= g.InWidth) continue;
                            int at = (plane * g.InHeight + iy) * g.InWidth + ix;
                            if (best < 0) { best = at; continue; }
                            if (float.IsNaN(x[best])) continue;
                            if (float.IsNaN(x[at]) || x[at] > x[best]) best = at;
                        }
                    winners[o] = best;
                }
        return winners;
    }

    [Theory]
    [InlineData(1, 1, 2, 2)]
    [InlineData(3, 2, 5, 3)]
    [InlineData(2, 3, 17, 17)]
    [InlineData(1, 2, 4, 63)]
    [InlineData(2, 1, 3, 65)]
    [InlineData(1, 1, 2, 257)]
    [InlineData(64, 6, 28, 28)]
    public void Max_2x2_stride_2_matches_first_max_rule_with_ties_and_NaN(int batch, int channels, int h, int w)
    {
        foreach (int threads in new[] { 1, 2 }) Max_2x2_stride_2_case(batch, channels, h, w, threads);
    }

    private static void Max_2x2_stride_2_case(int batch, int channels, int h, int w, int threads)
    {
        var g = new Pool2DGeometry(channels, h, w, 2, 2, 2, 2, 0, 0, h / 2, w / 2);
        var random = new Random(h * 1000 + w);
        // Few distinct values (many ties, ±0 among them) and some NaNs.
        float[] choices = { -1f, -0f, 0f, 1f, 2f };
        var x = new float[batch * g.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = random.Next(40) == 0 ? float.NaN : choices[random.Next(choices.Length)];
        var dy = new float[batch * g.OutputSize];
        for (int i = 0; i < dy.Length; i++) dy[i] = random.Next(1, 100);
        var dx0 = new float[x.Length];
        for (int i = 0; i < dx0.Length; i++) dx0[i] = random.Next(-5, 5);

        var winners = FirstMaxIndices(g, batch, x);
        var expectedY = winners.Select(i => x[i]).ToArray();
        var expectedDx = (float[])dx0.Clone();
        for (int o = 0; o < winners.Length; o++) expectedDx[winners[o]] += dy[o];

        using var backend = CpuTensors.NewCpu(threads);
        backend.Pool.MinimumWorkPerPart = 0; // with 2 threads, split every call
        var xv = backend.Zeros(x.Length);
        backend.CopyFromHost(x, xv);
        var y = backend.Zeros(dy.Length);
        backend.Fill(y, 12345f);
        backend.MaxPool2DForward(g, batch, xv, y);
        var actualY = backend.Download(y);
        for (int i = 0; i < expectedY.Length; i++)
            Assert.True(expectedY[i].Equals(actualY[i]) || (expectedY[i] == 0f && actualY[i] == 0f), $"y[{i}]: expected {expectedY[i]}, got {actualY[i]}");

        var dyv = backend.Zeros(dy.Length);
        backend.CopyFromHost(dy, dyv);
        var dx = backend.Zeros(x.Length);
        backend.CopyFromHost(dx0, dx);
        backend.MaxPool2DBackward(g, batch, xv, dyv, dx);
        Assert.Equal(expectedDx, backend.Download(dx));
    }

    [Fact]
    public void Max_backward_accumulates_and_skips_an_empty_dx()
    {
        var c = Cases["overlapping 3x3 stride 2 padding 1 on 7x7, batch 3"];
        var g = c.Geometry;
        double[] x = Distinct(c.Batch * g.InputSize, 21);
        double[] r = Projection(c.Batch * g.OutputSize, 22);
        double[] dx0 = Projection(x.Length, 23);
        GradientCheck.AssertClose(Plus(dx0, GradientCheck.Numerical(p => MaxRef(g, c.Batch, p), x, r)), MaxBackward(g, c.Batch, x, r, dx0), 1e-4, "dx");

        var backend = CpuTensors.NewCpu();
        backend.MaxPool2DBackward(g, c.Batch, backend.Upload(x), backend.Upload(r), BufferView.Empty);
    }

    // ---- average pooling ----------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Avg_forward_matches_reference(string name)
    {
        var c = Cases[name];
        var g = c.Geometry;
        double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(new Random(name.Length + 2), c.Batch * g.InputSize));
        GradientCheck.AssertClose(AvgRef(g, c.Batch, x), AvgForward(g, c.Batch, x), 1e-5, "y");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Avg_backward_matches_finite_differences(string name)
    {
        var c = Cases[name];
        var g = c.Geometry;
        double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(new Random(name.Length + 3), c.Batch * g.InputSize));
        double[] r = Projection(c.Batch * g.OutputSize, name.Length + 4);
        GradientCheck.AssertClose(GradientCheck.Numerical(p => AvgRef(g, c.Batch, p), x, r), AvgBackward(g, c.Batch, r), 1e-4, "dx");
    }

    [Fact]
    public void Avg_divides_by_the_full_window_padding_included()
    {
        // 3×3 windows, stride 1, padding 1 over ones: a corner window holds 4 ones, an edge window 6,
        // the centre 9; all divided by 9 (count_include_pad = true).
        var g = new Pool2DGeometry(1, 3, 3, 3, 3, 1, 1, 1, 1, 3, 3);
        var y = AvgForward(g, 1, Enumerable.Repeat(1.0, 9).ToArray());
        GradientCheck.AssertClose(new[] { 4 / 9.0, 6 / 9.0, 4 / 9.0, 6 / 9.0, 1, 6 / 9.0, 4 / 9.0, 6 / 9.0, 4 / 9.0 }, y, 1e-6, "y");
        // Backward: each input receives 1/9 per window that covers it.
        var dx = AvgBackward(g, 1, Enumerable.Repeat(1.0, 9).ToArray());
        GradientCheck.AssertClose(new[] { 4 / 9.0, 6 / 9.0, 4 / 9.0, 6 / 9.0, 1, 6 / 9.0, 4 / 9.0, 6 / 9.0, 4 / 9.0 }, dx, 1e-6, "dx");
    }

    [Fact]
    public void Course_example_E34_average_pool()
    {
        var g = new Pool2DGeometry(1, 4, 4, 2, 2, 2, 2, 0, 0, 2, 2);
        Assert.Equal(new float[] { 2.5f, 6f, 1.75f, 3f }, AvgForward(g, 1, CourseGrid));
    }

    [Fact]
    public void Avg_backward_accumulates_and_skips_an_empty_dx()
    {
        var c = Cases["overlapping 3x3 stride 2 padding 1 on 7x7, batch 3"];
        var g = c.Geometry;
        double[] x = Projection(c.Batch * g.InputSize, 31);
        double[] r = Projection(c.Batch * g.OutputSize, 32);
        double[] dx0 = Projection(x.Length, 33);
        GradientCheck.AssertClose(Plus(dx0, GradientCheck.Numerical(p => AvgRef(g, c.Batch, p), x, r)), AvgBackward(g, c.Batch, r, dx0), 1e-4, "dx");

        var backend = CpuTensors.NewCpu();
        backend.AvgPool2DBackward(g, c.Batch, backend.Upload(r), BufferView.Empty);
    }

    // ---- global average pooling ---------------------------------------------------------------

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 7)]
    [InlineData(2, 3, 49)]
    [InlineData(1, 2, 33)] // longer than a vector, not a multiple of one
    public void Global_average_matches_reference_and_finite_differences(int batch, int channels, int spatial)
    {
        double[] x = Projection(batch * channels * spatial, spatial);
        double[] r = Projection(batch * channels, spatial + 1);
        double[] dx0 = Projection(x.Length, spatial + 2);
        var backend = CpuTensors.NewCpu();
        var y = backend.Zeros(batch * channels);
        backend.Fill(y, float.NaN);
        backend.GlobalAvgPoolForward(batch, channels, spatial, backend.Upload(x), y);
        GradientCheck.AssertClose(GlobalRef(batch, channels, spatial, x), backend.Download(y), 1e-5, "y");

        var dx = backend.Zeros(x.Length);
        backend.GlobalAvgPoolBackward(batch, channels, spatial, backend.Upload(r), dx);
        double[] expected = GradientCheck.Numerical(p => GlobalRef(batch, channels, spatial, p), x, r);
        GradientCheck.AssertClose(expected, backend.Download(dx), 1e-4, "dx");

        var prefilled = backend.Upload(dx0);
        backend.GlobalAvgPoolBackward(batch, channels, spatial, backend.Upload(r), prefilled);
        GradientCheck.AssertClose(Plus(dx0, expected), backend.Download(prefilled), 1e-4, "dx accumulated");

        backend.GlobalAvgPoolBackward(batch, channels, spatial, backend.Upload(r), BufferView.Empty);
    }

    // ---- contract details ----------------------------------------------------------------------

    [Fact]
    public void Repeated_calls_allocate_nothing()
    {
        var c = Cases["overlapping 3x3 stride 2 padding 1 on 7x7, batch 3"];
        var g = c.Geometry;
        var backend = CpuTensors.NewCpu();
        var x = backend.Upload(Distinct(c.Batch * g.InputSize, 1));
        var y = backend.Zeros(c.Batch * g.OutputSize);
        var dx = backend.Zeros(x.Length);
        var gy = backend.Zeros(c.Batch * g.Channels);
        void Run()
        {
            backend.MaxPool2DForward(g, c.Batch, x, y);
            backend.MaxPool2DBackward(g, c.Batch, x, y, dx);
            backend.AvgPool2DForward(g, c.Batch, x, y);
            backend.AvgPool2DBackward(g, c.Batch, y, dx);
            backend.GlobalAvgPoolForward(c.Batch, g.Channels, g.InHeight * g.InWidth, x, gy);
            backend.GlobalAvgPoolBackward(c.Batch, g.Channels, g.InHeight * g.InWidth, gy, dx);
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Wrong_lengths_are_rejected_naming_the_argument()
    {
        var c = Cases["overlapping 3x3 stride 2 padding 1 on 7x7, batch 3"];
        var g = c.Geometry;
        var backend = CpuTensors.NewCpu();
        var x = backend.Zeros(c.Batch * g.InputSize);
        var y = backend.Zeros(c.Batch * g.OutputSize);
        var e = Assert.Throws<ArgumentException>(() => backend.MaxPool2DForward(g, c.Batch, x, backend.Zeros(y.Length + 1)));
        Assert.Equal("y", e.ParamName);
        Assert.Contains($"{y.Length}", e.Message);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => backend.AvgPool2DForward(g, c.Batch, backend.Zeros(5), y)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => backend.MaxPool2DBackward(g, c.Batch, x, y, backend.Zeros(5))).ParamName);
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => backend.AvgPool2DBackward(g, c.Batch, backend.Zeros(5), x)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => backend.GlobalAvgPoolForward(c.Batch, 2, 49, x, backend.Zeros(5))).ParamName);
        Assert.Throws<ArgumentException>(() => backend.MaxPool2DForward(g with { KernelWidth = 0 }, c.Batch, x, y));
    }
}
