using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Backends;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

public class ConvolutionKernelTests
{
    /// <summary>
    /// A convolution test case. Padding is given per side; the geometry carries only top/left, and the
    /// bottom/right amounts enter through the output size ⌊(N + Pbefore + Pafter − D(K−1) − 1)/S⌋ + 1.
    /// </summary>
    public sealed record Case(int Batch, int InC, int H, int W, int OutC, int Kh, int Kw,
        int Sh = 1, int Sw = 1, int PadTop = 0, int PadBottom = 0, int PadLeft = 0, int PadRight = 0, int Dh = 1, int Dw = 1)
    {
        public Conv2DGeometry Geometry => new(InC, H, W, OutC, Kh, Kw, Sh, Sw, PadTop, PadLeft, Dh, Dw,
            OutSize(H, PadTop + PadBottom, Kh, Sh, Dh), OutSize(W, PadLeft + PadRight, Kw, Sw, Dw));
    }

    /// <summary>⌊(N + 2P − D(K−1) − 1)/S⌋ + 1, with 2P the total padding of the axis.</summary>
    private static int OutSize(int n, int totalPad, int k, int s, int d) => (n + totalPad - d * (k - 1) - 1) / s + 1;

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["single channel 5x5, k3 s1 p0, batch 1"] = new(1, 1, 5, 5, 1, 3, 3),
        ["3->5 channels 7x7, k3 s2 p1, batch 3"] = new(3, 3, 7, 7, 5, 3, 3, 2, 2, 1, 1, 1, 1),
        ["2->3 channels 8x9, k3 s3 p2, batch 1"] = new(1, 2, 8, 9, 3, 3, 3, 3, 3, 2, 2, 2, 2),
        ["5->1 channels 6x7, k2 s1 p0, batch 3"] = new(3, 5, 6, 7, 1, 2, 2),
        ["Same with even k2: no top/left padding, extra bottom row and right column"] = new(3, 3, 5, 6, 2, 2, 2, 1, 1, 0, 1, 0, 1),
        ["Same with even k4: padding 1 before, 2 after"] = new(1, 2, 6, 5, 3, 4, 4, 1, 1, 1, 2, 1, 2),
        ["TF Same k5 s2 on 8x8: padding 1 before, 2 after"] = new(3, 3, 8, 8, 2, 5, 5, 2, 2, 1, 2, 1, 2),
        ["dilation 2, k3 p2 s1, batch 3"] = new(3, 3, 9, 8, 2, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2),
        ["dilation (2,3), stride 2, asymmetric padding"] = new(1, 2, 9, 10, 3, 3, 2, 2, 2, 1, 0, 0, 1, 2, 3),
        ["rectangular 3x5 kernel, stride (1,2), padding (1,2), batch 3"] = new(3, 1, 7, 9, 3, 3, 5, 1, 2, 1, 1, 2, 2),
        ["rectangular 1x3 kernel, padding (0,1)"] = new(1, 5, 4, 6, 1, 1, 3, 1, 1, 0, 0, 1, 1),
        ["pointwise 1x1, batch 3"] = new(3, 3, 5, 4, 4, 1, 1),
        ["1x1 stride 2"] = new(1, 3, 5, 5, 2, 1, 1, 2, 2),
        ["1x1 padding 1"] = new(1, 2, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        ["kernel as large as the input: 1x1 output"] = new(3, 3, 4, 5, 5, 4, 5),
        ["N=7 F=3 S=3: the floor drops the last column of input"] = new(1, 1, 7, 7, 2, 3, 3, 3, 3),
        ["stride larger than kernel: some inputs unread"] = new(1, 2, 8, 8, 2, 2, 2, 3, 3),
        ["stride 3 rows, stride 1 columns, padding 2 top only"] = new(3, 3, 7, 5, 3, 3, 3, 3, 1, 2, 0, 0, 0),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    // ---- the independent double reference ------------------------------------------------------

    /// <summary>
    /// Y[n,co,y,x] = b[co] + Σ_ci Σ_a Σ_b W[co,ci,a,b]·X[n, ci, y·sh + a·dh − padTop, x·sw + b·dw − padLeft],
    /// with X = 0 outside the input. Plain loops, straight from the formula.
    /// </summary>
    private static double[] Reference(Conv2DGeometry g, int batch, double[] x, double[] w, double[]? b)
    {
        int oh = g.OutHeight, ow = g.OutWidth;
        var y = new double[batch * g.OutChannels * oh * ow];
        for (int n = 0; n < batch; n++)
            for (int co = 0; co < g.OutChannels; co++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double sum = b is null ? 0 : b[co];
                        for (int ci = 0; ci < g.InChannels; ci++)
                            for (int a = 0; a < g.KernelHeight; a++)
                                for (int bb = 0; bb < g.KernelWidth; bb++)
                                {
                                    int iy = oy * g.StrideHeight + a * g.DilationHeight - g.PadTop;
                                    int ix = ox * g.StrideWidth + bb * g.DilationWidth - g.PadLeft;
                                    if (iy < 0 || iy >= g.InHeight || ix < 0 || ix >= g.InWidth) continue;
                                    sum += w[((co * g.InChannels + ci) * g.KernelHeight + a) * g.KernelWidth + bb]
                                         * x[((n * g.InChannels + ci) * g.InHeight + iy) * g.InWidth + ix];
                                }
                        y[((n * g.OutChannels + co) * oh + oy) * ow + ox] = sum;
                    }
        return y;
    }

    private sealed record Data(double[] X, double[] W, double[] B, double[] R);

    private static Data RandomData(Conv2DGeometry g, int batch, int seed)
    {
        var random = new Random(seed);
        return new Data(
            GradientCheck.Rounded(GradientCheck.RandomArray(random, batch * g.InputSize)),
            GradientCheck.Rounded(GradientCheck.RandomArray(random, g.WeightCount, 0.5)),
            GradientCheck.Rounded(GradientCheck.RandomArray(random, g.OutChannels)),
            GradientCheck.Rounded(GradientCheck.RandomArray(random, batch * g.OutputSize)));
    }

    private static float[] Forward(Conv2DGeometry g, int batch, double[] x, double[] w, double[]? b)
    {
        var backend = CpuTensors.NewCpu();
        var y = backend.Zeros(batch * g.OutputSize);
        backend.Fill(y, float.NaN); // forward must overwrite every output
        backend.Conv2DForward(g, batch, backend.Upload(x), backend.Upload(w), b is null ? BufferView.Empty : backend.Upload(b), y);
        return backend.Download(y);
    }

    // ---- forward and gradients over the case table --------------------------------------------

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Forward_matches_naive_reference(string name)
    {
        var c = Cases[name];
        var g = c.Geometry;
        var d = RandomData(g, c.Batch, name.Length);
        GradientCheck.AssertClose(Reference(g, c.Batch, d.X, d.W, d.B), Forward(g, c.Batch, d.X, d.W, d.B), 1e-4, "y");
        GradientCheck.AssertClose(Reference(g, c.Batch, d.X, d.W, null), Forward(g, c.Batch, d.X, d.W, null), 1e-4, "y without bias");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Backward_matches_finite_differences(string name)
    {
        var c = Cases[name];
        var g = c.Geometry;
        int batch = c.Batch;
        var d = RandomData(g, batch, name.Length + 1);
        var backend = CpuTensors.NewCpu();
        var dx = backend.Zeros(d.X.Length);
        var dw = backend.Zeros(d.W.Length);
        var db = backend.Zeros(d.B.Length);
        backend.Conv2DBackward(g, batch, backend.Upload(d.X), backend.Upload(d.W), backend.Upload(d.R), dx, dw, db);

        GradientCheck.AssertClose(GradientCheck.Numerical(p => Reference(g, batch, p, d.W, d.B), d.X, d.R), backend.Download(dx), 1e-4, "dx");
        GradientCheck.AssertClose(GradientCheck.Numerical(p => Reference(g, batch, d.X, p, d.B), d.W, d.R), backend.Download(dw), 1e-4, "dW");
        GradientCheck.AssertClose(GradientCheck.Numerical(p => Reference(g, batch, d.X, d.W, p), d.B, d.R), backend.Download(db), 1e-4, "db");
    }

    [Theory]
    [InlineData("3->5 channels 7x7, k3 s2 p1, batch 3")]
    [InlineData("pointwise 1x1, batch 3")]
    public void Backward_accumulates_into_prefilled_gradients(string name)
    {
        var c = Cases[name];
        var g = c.Geometry;
        int batch = c.Batch;
        var d = RandomData(g, batch, 7);
        var random = new Random(8);
        double[] dx0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, d.X.Length, 3));
        double[] dw0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, d.W.Length, 3));
        double[] db0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, d.B.Length, 3));
        var backend = CpuTensors.NewCpu();
        var dx = backend.Upload(dx0);
        var dw = backend.Upload(dw0);
        var db = backend.Upload(db0);
        backend.Conv2DBackward(g, batch, backend.Upload(d.X), backend.Upload(d.W), backend.Upload(d.R), dx, dw, db);

        static double[] Plus(double[] a, double[] b) => a.Zip(b, (p, q) => p + q).ToArray();
        GradientCheck.AssertClose(Plus(dx0, GradientCheck.Numerical(p => Reference(g, batch, p, d.W, d.B), d.X, d.R)), backend.Download(dx), 1e-4, "dx");
        GradientCheck.AssertClose(Plus(dw0, GradientCheck.Numerical(p => Reference(g, batch, d.X, p, d.B), d.W, d.R)), backend.Download(dw), 1e-4, "dW");
        GradientCheck.AssertClose(Plus(db0, GradientCheck.Numerical(p => Reference(g, batch, d.X, d.W, p), d.B, d.R)), backend.Download(db), 1e-4, "db");
    }

    [Theory]
    [InlineData("3->5 channels 7x7, k3 s2 p1, batch 3")]
    [InlineData("pointwise 1x1, batch 3")]
    public void Backward_skips_empty_gradient_views(string name)
    {
        var c = Cases[name];
        var g = c.Geometry;
        int batch = c.Batch;
        var d = RandomData(g, batch, 11);
        var backend = CpuTensors.NewCpu();
        var x = backend.Upload(d.X);
        var w = backend.Upload(d.W);
        var dy = backend.Upload(d.R);
        double[] expectedDx = GradientCheck.Numerical(p => Reference(g, batch, p, d.W, d.B), d.X, d.R);
        double[] expectedDw = GradientCheck.Numerical(p => Reference(g, batch, d.X, p, d.B), d.W, d.R);
        double[] expectedDb = GradientCheck.Numerical(p => Reference(g, batch, d.X, d.W, p), d.B, d.R);

        // Only the parameter gradients (a first layer: the input gradient is not wanted).
        var dw = backend.Zeros(d.W.Length);
        var db = backend.Zeros(d.B.Length);
        backend.Conv2DBackward(g, batch, x, w, dy, BufferView.Empty, dw, db);
        GradientCheck.AssertClose(expectedDw, backend.Download(dw), 1e-4, "dW without dx");
        GradientCheck.AssertClose(expectedDb, backend.Download(db), 1e-4, "db without dx");

        // Only the input gradient (frozen weights, no bias).
        var dx = backend.Zeros(d.X.Length);
        backend.Conv2DBackward(g, batch, x, w, dy, dx, BufferView.Empty, BufferView.Empty);
        GradientCheck.AssertClose(expectedDx, backend.Download(dx), 1e-4, "dx alone");

        // Only the bias gradient: neither x nor the weights are needed.
        var dbOnly = backend.Zeros(d.B.Length);
        backend.Conv2DBackward(g, batch, BufferView.Empty, BufferView.Empty, dy, BufferView.Empty, BufferView.Empty, dbOnly);
        GradientCheck.AssertClose(expectedDb, backend.Download(dbOnly), 1e-4, "db alone");

        // Nothing wanted: nothing happens.
        backend.Conv2DBackward(g, batch, x, w, dy, BufferView.Empty, BufferView.Empty, BufferView.Empty);
    }

    // ---- awkward sizes against naive loops ----------------------------------------------------

    /// <summary>Larger cases (too large for finite differences): odd channel counts, widths past a vector, many samples.</summary>
    private static readonly Dictionary<string, Case> LargeCases = new()
    {
        ["17 input channels, width 65, k3 p1"] = new(1, 17, 5, 65, 3, 3, 3, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1),
        ["65 output channels, 17x17, k3"] = new(2, 3, 17, 17, 65, 3, 3),
        ["63 input channels, 4x4, k2 Same"] = new(3, 63, 4, 4, 5, 2, 2, PadBottom: 1, PadRight: 1),
        ["65 samples of 2x6x6, k3 p1"] = new(65, 2, 6, 6, 3, 3, 3, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1),
        ["1x1 input, 1x3 kernel padded to width 1"] = new(2, 3, 1, 1, 4, 1, 3, PadLeft: 1, PadRight: 1),
        ["rectangular 5x3, dilation (2,1), 9 output channels, width 33"] = new(2, 4, 11, 33, 9, 5, 3, PadTop: 2, PadBottom: 1, PadLeft: 0, PadRight: 2, Dh: 2),
        ["LeNet C1: 1->6, 28x28, k5 p2, batch 3"] = new(3, 1, 28, 28, 6, 5, 5, PadTop: 2, PadBottom: 2, PadLeft: 2, PadRight: 2),
        ["LeNet C3: 6->16, 14x14, k5, batch 3"] = new(3, 6, 14, 14, 16, 5, 5),
        ["width 257, k3, stride (1,1)"] = new(1, 2, 3, 257, 3, 3, 3),
        ["padding wider than the window's reach: output larger than the input"] = new(2, 2, 4, 5, 3, 3, 3, PadTop: 3, PadBottom: 3, PadLeft: 4, PadRight: 2),
        ["3 input channels, 63 output channels, 3x1 kernel dilation 3"] = new(2, 3, 9, 7, 63, 3, 1, PadTop: 1, PadBottom: 2, Dh: 3),
    };

    public static TheoryData<string> LargeCaseNames => new(LargeCases.Keys);

    /// <summary>dx, dW and db of Y = W ⋆ X + b for the output gradient r, by plain loops over every (output, tap).</summary>
    internal static (double[] Dx, double[] Dw, double[] Db) ReferenceBackward(Conv2DGeometry g, int batch, double[] x, double[] w, double[] r)
    {
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[g.OutChannels];
        for (int n = 0; n < batch; n++)
            for (int co = 0; co < g.OutChannels; co++)
                for (int oy = 0; oy < g.OutHeight; oy++)
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        double gy = r[((n * g.OutChannels + co) * g.OutHeight + oy) * g.OutWidth + ox];
                        db[co] += gy;
                        for (int ci = 0; ci < g.InChannels; ci++)
                            for (int a = 0; a < g.KernelHeight; a++)
                                for (int bb = 0; bb < g.KernelWidth; bb++)
                                {
                                    int iy = oy * g.StrideHeight + a * g.DilationHeight - g.PadTop;
                                    int ix = ox * g.StrideWidth + bb * g.DilationWidth - g.PadLeft;
                                    if (iy < 0 || iy >= g.InHeight || ix < 0 || ix >= g.InWidth) continue;
                                    int wi = ((co * g.InChannels + ci) * g.KernelHeight + a) * g.KernelWidth + bb;
                                    int xi = ((n * g.InChannels + ci) * g.InHeight + iy) * g.InWidth + ix;
                                    dx[xi] += w[wi] * gy;
                                    dw[wi] += x[xi] * gy;
                                }
                    }
        return (dx, dw, db);
    }

    [Theory]
    [MemberData(nameof(LargeCaseNames))]
    public void Large_and_awkward_sizes_match_naive_loops_forward_and_backward(string name)
    {
        var c = LargeCases[name];
        var g = c.Geometry;
        int batch = c.Batch;
        var d = RandomData(g, batch, name.Length + 3);
        GradientCheck.AssertClose(Reference(g, batch, d.X, d.W, d.B), Forward(g, batch, d.X, d.W, d.B), 1e-4, "y");

        var random = new Random(name.Length);
        double[] dx0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, d.X.Length));
        double[] dw0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, d.W.Length));
        double[] db0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, d.B.Length));
        var backend = CpuTensors.NewCpu();
        var dx = backend.Upload(dx0);
        var dw = backend.Upload(dw0);
        var db = backend.Upload(db0);
        backend.Conv2DBackward(g, batch, backend.Upload(d.X), backend.Upload(d.W), backend.Upload(d.R), dx, dw, db);
        var (ex, ew, eb) = ReferenceBackward(g, batch, d.X, d.W, d.R);
        static double[] Plus(double[] a, double[] b) => a.Zip(b, (p, q) => p + q).ToArray();
        GradientCheck.AssertClose(Plus(dx0, ex), backend.Download(dx), 1e-4, "dx");
        GradientCheck.AssertClose(Plus(dw0, ew), backend.Download(dw), 1e-4, "dW");
        GradientCheck.AssertClose(Plus(db0, eb), backend.Download(db), 1e-4, "db");
    }

    [Theory]
    [InlineData("65 samples of 2x6x6, k3 p1", 2)]
    [InlineData("LeNet C3: 6->16, 14x14, k5, batch 3", 3)]
    [InlineData("3->5 channels 7x7, k3 s2 p1, batch 3", 2)]
    public void Split_over_threads_matches_naive_loops(string name, int threads)
    {
        var c = LargeCases.TryGetValue(name, out var large) ? large : Cases[name];
        var g = c.Geometry;
        int batch = c.Batch;
        var d = RandomData(g, batch, 17);
        using var backend = CpuTensors.NewCpu(threads);
        backend.Pool.MinimumWorkPerPart = 0; // split even these small problems
        var y = backend.Zeros(batch * g.OutputSize);
        backend.Conv2DForward(g, batch, backend.Upload(d.X), backend.Upload(d.W), backend.Upload(d.B), y);
        GradientCheck.AssertClose(Reference(g, batch, d.X, d.W, d.B), backend.Download(y), 1e-4, "y");

        var dx = backend.Zeros(d.X.Length);
        var dw = backend.Upload(d.W); // prefilled: the gradient accumulates
        var db = backend.Zeros(d.B.Length);
        backend.Conv2DBackward(g, batch, backend.Upload(d.X), backend.Upload(d.W), backend.Upload(d.R), dx, dw, db);
        var (ex, ew, eb) = ReferenceBackward(g, batch, d.X, d.W, d.R);
        GradientCheck.AssertClose(ex, backend.Download(dx), 1e-4, "dx");
        GradientCheck.AssertClose(ew.Zip(d.W, (p, q) => p + q).ToArray(), backend.Download(dw), 1e-4, "dW");
        GradientCheck.AssertClose(eb, backend.Download(db), 1e-4, "db");
    }

    // ---- worked examples from the course ------------------------------------------------------

    private static Conv2DGeometry Single(int h, int w, int k, int stride = 1, int pad = 0) =>
        new(1, h, w, 1, k, k, stride, stride, pad, pad, 1, 1, OutSize(h, 2 * pad, k, stride, 1), OutSize(w, 2 * pad, k, stride, 1));

    [Fact]
    public void Small_example_is_cross_correlation_not_flipped_convolution()
    {
        // 3×3 input, 2×2 kernel, worked by hand:
        // out[0,0] = 1·1 + 2·2 + 4·3 + 5·4 = 37 (a flipped convolution would give 4·1 + 3·2 + 2·4 + 1·5 = 23)
        // out[0,1] = 2·1 + 3·2 + 5·3 + 6·4 = 47, out[1,0] = 4·1 + 5·2 + 7·3 + 8·4 = 67, out[1,1] = 5 + 12 + 24 + 36 = 77
        double[] x = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        double[] k = { 1, 2, 3, 4 };
        var y = Forward(Single(3, 3, 2), 1, x, k, null);
        Assert.Equal(new float[] { 37, 47, 67, 77 }, y);
        Assert.NotEqual(23f, y[0]);
    }

    private static readonly double[] CourseImage =
    {
        7, 2, 3, 3, 8,
        4, 5, 3, 8, 4,
        3, 3, 2, 8, 4,
        2, 8, 7, 2, 7,
        5, 4, 4, 5, 4,
    };

    private static readonly double[] VerticalEdge = { 1, 0, -1, 1, 0, -1, 1, 0, -1 };

    [Fact]
    public void Course_example_E03_vertical_edge_kernel()
    {
        // out[0,0] = 7+4+3 − (3+3+2) = 6, out[0,1] = 2+5+3 − (3+8+8) = −9 (the notes' written sums drop the −1s).
        Assert.Equal(new float[] { 6, -9, -8, -3, -2, -3, -3, 0, -2 }, Forward(Single(5, 5, 3), 1, CourseImage, VerticalEdge, null));
        Assert.Equal(new float[] { 6, -8, -3, -2 }, Forward(Single(5, 5, 3, stride: 2), 1, CourseImage, VerticalEdge, null));
        Assert.Equal(new float[]
        {
            -7, 5, -4, -6, 11,
            -10, 6, -9, -8, 19,
            -16, -3, -2, -3, 18,
            -15, -3, 0, -2, 15,
            -12, -4, 5, 0, 7,
        }, Forward(Single(5, 5, 3, pad: 1), 1, CourseImage, VerticalEdge, null));
    }

    /// <summary>
    /// The reference's own count of output positions along an axis: the window positions o ≥ 0 whose
    /// last tap o·s + d(k−1) still lies inside the padded input. Enumerated, not from the formula.
    /// </summary>
    private static int CountWindows(int n, int pad, int k, int s, int d)
    {
        int count = 0;
        while (count * s + d * (k - 1) <= n + 2 * pad - 1) count++;
        return count;
    }

    [Theory]
    [InlineData(1, 0, 5)] // N=7, F=3, S=1 → 5
    [InlineData(2, 0, 3)] // S=2 → 3
    [InlineData(1, 1, 7)] // P=1, S=1 → 7: zero padding keeps 7×7
    [InlineData(3, 0, 2)] // S=3 → ⌊4/3⌋ + 1 = 2 (the notes call the stride illegal; frameworks floor)
    public void Course_output_sizes_for_7x7_input_and_3x3_filter(int stride, int pad, int expected)
    {
        Assert.Equal(expected, CountWindows(7, pad, 3, stride, 1));
        var g = Single(7, 7, 3, stride, pad);
        Assert.Equal(expected, g.OutHeight);
        Assert.Equal(expected, g.OutWidth);

        var d = RandomData(g, 2, 100 + stride + pad);
        var y = Forward(g, 2, d.X, d.W, d.B);
        Assert.Equal(2 * expected * expected, y.Length);
        GradientCheck.AssertClose(Reference(g, 2, d.X, d.W, d.B), y, 1e-4, "y");
    }

    // ---- contract details ------------------------------------------------------------------

    [Fact]
    public void Scratch_is_reused_across_geometries_of_different_sizes()
    {
        var big = Cases["3->5 channels 7x7, k3 s2 p1, batch 3"];
        var small = Cases["Same with even k2: no top/left padding, extra bottom row and right column"];
        foreach (var c in new[] { big, small, big })
        {
            var g = c.Geometry;
            var d = RandomData(g, c.Batch, 5);
            GradientCheck.AssertClose(Reference(g, c.Batch, d.X, d.W, d.B), Forward(g, c.Batch, d.X, d.W, d.B), 1e-4, "y");
        }
    }

    [Fact]
    public void Repeated_calls_allocate_nothing()
    {
        var c = Cases["3->5 channels 7x7, k3 s2 p1, batch 3"];
        var g = c.Geometry;
        var d = RandomData(g, c.Batch, 3);
        var backend = CpuTensors.NewCpu();
        var x = backend.Upload(d.X); var w = backend.Upload(d.W); var b = backend.Upload(d.B); var dy = backend.Upload(d.R);
        var y = backend.Zeros(d.R.Length); var dx = backend.Zeros(d.X.Length); var dw = backend.Zeros(d.W.Length); var db = backend.Zeros(d.B.Length);

        backend.Conv2DForward(g, c.Batch, x, w, b, y);
        backend.Conv2DBackward(g, c.Batch, x, w, dy, dx, dw, db);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
        {
            backend.Conv2DForward(g, c.Batch, x, w, b, y);
            backend.Conv2DBackward(g, c.Batch, x, w, dy, dx, dw, db);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Wrong_lengths_are_rejected_naming_the_argument()
    {
        var c = Cases["3->5 channels 7x7, k3 s2 p1, batch 3"];
        var g = c.Geometry;
        var backend = CpuTensors.NewCpu();
        var x = backend.Zeros(c.Batch * g.InputSize);
        var w = backend.Zeros(g.WeightCount);
        var b = backend.Zeros(g.OutChannels);
        var y = backend.Zeros(c.Batch * g.OutputSize);

        var e = Assert.Throws<ArgumentException>(() => backend.Conv2DForward(g, c.Batch, x, w, b, backend.Zeros(y.Length - 1)));
        Assert.Equal("y", e.ParamName);
        Assert.Contains($"{y.Length}", e.Message);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => backend.Conv2DForward(g, c.Batch, x, backend.Zeros(g.WeightCount + 1), b, y)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => backend.Conv2DForward(g, c.Batch, x, w, backend.Zeros(2), y)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => backend.Conv2DForward(g, c.Batch - 1, x, w, b, backend.Zeros((c.Batch - 1) * g.OutputSize))).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => backend.Conv2DBackward(g, c.Batch, x, w, y, backend.Zeros(3), BufferView.Empty, BufferView.Empty)).ParamName);
        Assert.Equal("dWeight", Assert.Throws<ArgumentException>(() => backend.Conv2DBackward(g, c.Batch, x, w, y, BufferView.Empty, backend.Zeros(3), BufferView.Empty)).ParamName);
        Assert.Throws<ArgumentException>(() => backend.Conv2DForward(g with { StrideHeight = 0 }, c.Batch, x, w, b, y));
    }
}
