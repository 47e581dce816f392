using System;
using DslNet.Backends;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

public class DenseKernelTests
{
    /// <summary>y[r, o] = Σ_i x[r, i]·w[o, i] + b[o] for every row r (b may be null).</summary>
    private static double[] Reference(int rows, int inF, int outF, double[] x, double[] w, double[]? b)
    {
        var y = new double[rows * outF];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outF; o++)
            {
                double s = b is null ? 0 : b[o];
                for (int i = 0; i < inF; i++) s += x[r * inF + i] * w[o * inF + i];
                y[r * outF + o] = s;
            }
        return y;
    }

    [Theory]
    [InlineData(5, 7, 1, 3, true)]
    [InlineData(5, 7, 1, 3, false)]
    [InlineData(4, 6, 3, 2, true)]
    [InlineData(4, 6, 3, 2, false)]
    [InlineData(1, 1, 1, 1, true)]
    [InlineData(17, 33, 3, 2, true)]
    [InlineData(70, 40, 1, 9, true)]
    public void Forward_and_backward_match_reference_and_finite_differences(int inF, int outF, int rowsPerSample, int batch, bool withBias)
    {
        var random = new Random(inF * 31 + outF);
        var g = new DenseGeometry(inF, outF, rowsPerSample);
        int rows = batch * rowsPerSample;
        double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(random, rows * inF));
        double[] w = GradientCheck.Rounded(GradientCheck.RandomArray(random, outF * inF));
        double[]? b = withBias ? GradientCheck.Rounded(GradientCheck.RandomArray(random, outF)) : null;
        double[] r = GradientCheck.Rounded(GradientCheck.RandomArray(random, rows * outF));
        // Pre-filled gradients: the backward must add to them.
        double[] dx0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, x.Length));
        double[] dw0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, w.Length));
        double[] db0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, outF));

        var backend = CpuTensors.NewCpu();
        var vx = backend.Upload(x);
        var vw = backend.Upload(w);
        var vb = b is null ? BufferView.Empty : backend.Upload(b);
        var y = backend.Zeros(rows * outF);
        var dy = backend.Upload(r);
        var dx = backend.Upload(dx0);
        var dw = backend.Upload(dw0);
        var db = b is null ? BufferView.Empty : backend.Upload(db0);

        backend.DenseForward(g, batch, vx, vw, vb, y);
        backend.DenseBackward(g, batch, vx, vw, dy, dx, dw, db);

        GradientCheck.AssertClose(Reference(rows, inF, outF, x, w, b), backend.Download(y), 1e-5, "y");
        GradientCheck.AssertClose(Add(dx0, GradientCheck.Numerical(p => Reference(rows, inF, outF, p, w, b), x, r)),
            backend.Download(dx), 1e-4, "dx");
        GradientCheck.AssertClose(Add(dw0, GradientCheck.Numerical(p => Reference(rows, inF, outF, x, p, b), w, r)),
            backend.Download(dw), 1e-4, "dW");
        if (b is not null)
            GradientCheck.AssertClose(Add(db0, GradientCheck.Numerical(p => Reference(rows, inF, outF, x, w, p), b, r)),
                backend.Download(db), 1e-4, "db");
    }

    [Theory]
    [InlineData(1)]   // batch 1: the few-rows GEMM, split over output columns
    [InlineData(37)]
    public void Two_threads_give_the_same_results_as_one(int batch)
    {
        var random = new Random(batch);
        var g = new DenseGeometry(130, 90);
        double[] x = GradientCheck.RandomArray(random, batch * 130);
        double[] w = GradientCheck.RandomArray(random, 90 * 130);
        double[] b = GradientCheck.RandomArray(random, 90);
        double[] r = GradientCheck.RandomArray(random, batch * 90);
        float[][] Run(int threads)
        {
            using var backend = CpuTensors.NewCpu(threads);
            backend.Pool.MinimumWorkPerPart = 0; // split even these small products
            var vx = backend.Upload(x); var vw = backend.Upload(w); var vb = backend.Upload(b);
            var y = backend.Zeros(batch * 90); var dy = backend.Upload(r);
            var dx = backend.Zeros(x.Length); var dw = backend.Zeros(w.Length); var db = backend.Zeros(90);
            backend.DenseForward(g, batch, vx, vw, vb, y);
            backend.DenseBackward(g, batch, vx, vw, dy, dx, dw, db);
            return new[] { backend.Download(y), backend.Download(dx), backend.Download(dw), backend.Download(db) };
        }
        var one = Run(1);
        var two = Run(2);
        GradientCheck.AssertClose(Reference(batch, 130, 90, GradientCheck.Rounded(x), GradientCheck.Rounded(w), GradientCheck.Rounded(b)), two[0], 1e-5, "y");
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
    }

    [Fact]
    public void Empty_gradient_views_are_skipped()
    {
        var random = new Random(2);
        var g = new DenseGeometry(6, 5, 3);
        int batch = 2, rows = 6;
        double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(random, rows * 6));
        double[] w = GradientCheck.Rounded(GradientCheck.RandomArray(random, 30));
        double[] b = GradientCheck.Rounded(GradientCheck.RandomArray(random, 5));
        double[] r = GradientCheck.Rounded(GradientCheck.RandomArray(random, rows * 5));
        var backend = CpuTensors.NewCpu();
        var vx = backend.Upload(x); var vw = backend.Upload(w); var dy = backend.Upload(r);

        // No dx (a first layer): parameter gradients still right.
        var dw = backend.Zeros(30); var db = backend.Zeros(5);
        backend.DenseBackward(g, batch, vx, vw, dy, BufferView.Empty, dw, db);
        GradientCheck.AssertClose(GradientCheck.Numerical(p => Reference(rows, 6, 5, x, p, b), w, r), backend.Download(dw), 1e-4, "dW");
        GradientCheck.AssertClose(GradientCheck.Numerical(p => Reference(rows, 6, 5, x, w, p), b, r), backend.Download(db), 1e-4, "db");

        // Only dx (frozen parameters).
        var dx = backend.Zeros(rows * 6);
        backend.DenseBackward(g, batch, vx, vw, dy, dx, BufferView.Empty, BufferView.Empty);
        GradientCheck.AssertClose(GradientCheck.Numerical(p => Reference(rows, 6, 5, p, w, b), x, r), backend.Download(dx), 1e-4, "dx");

        // Nothing wanted: nothing happens.
        backend.DenseBackward(g, batch, vx, vw, dy, BufferView.Empty, BufferView.Empty, BufferView.Empty);
    }

    [Fact]
    public void Forward_overwrites_y()
    {
        var backend = CpuTensors.NewCpu();
        var g = new DenseGeometry(2, 2);
        // x = [[1, 0], [0, 1], [1, 1]], W = [[1, −1], [2, 0]] (the course's full-layer example, before ReLU)
        var x = backend.Upload(new double[] { 1, 0, 0, 1, 1, 1 });
        var w = backend.Upload(new double[] { 1, -1, 2, 0 });
        var y = backend.Upload(new double[] { 9, 9, 9, 9, 9, 9 });
        backend.DenseForward(g, 3, x, w, BufferView.Empty, y);
        Assert.Equal(new float[] { 1, 2, -1, 0, 0, 2 }, backend.Download(y));
        var bias = backend.Upload(new double[] { 0.5, -0.5 });
        backend.DenseForward(g, 3, x, w, bias, y);
        Assert.Equal(new float[] { 1.5f, 1.5f, -0.5f, -0.5f, 0.5f, 1.5f }, backend.Download(y));
    }

    [Fact]
    public void Wrong_view_lengths_are_reported_with_both_sizes()
    {
        var backend = CpuTensors.NewCpu();
        var g = new DenseGeometry(3, 2, 2);
        var ex = Assert.Throws<ArgumentException>(() =>
            backend.DenseForward(g, 2, backend.Zeros(11), backend.Zeros(6), BufferView.Empty, backend.Zeros(8)));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("11", ex.Message);
        Assert.Contains("12", ex.Message);
        ex = Assert.Throws<ArgumentException>(() =>
            backend.DenseForward(g, 2, backend.Zeros(12), backend.Zeros(6), backend.Zeros(3), backend.Zeros(8)));
        Assert.Equal("bias", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() =>
            backend.DenseBackward(g, 2, backend.Zeros(12), backend.Zeros(6), backend.Zeros(8), backend.Zeros(12), backend.Zeros(5), BufferView.Empty));
        Assert.Equal("dWeight", ex.ParamName);
    }

    [Fact]
    public void Allocates_nothing_after_the_first_call()
    {
        var backend = CpuTensors.NewCpu();
        var g = new DenseGeometry(300, 70, 2);
        var x = backend.Zeros(4 * 600); var w = backend.Zeros(21000); var b = backend.Zeros(70);
        var y = backend.Zeros(4 * 140); var dx = backend.Zeros(4 * 600); var dw = backend.Zeros(21000); var db = backend.Zeros(70);
        backend.DenseForward(g, 4, x, w, b, y);
        backend.DenseBackward(g, 4, x, w, y, dx, dw, db);
        long before = GC.GetAllocatedBytesForCurrentThread();
        backend.DenseForward(g, 4, x, w, b, y);
        backend.DenseBackward(g, 4, x, w, y, dx, dw, db);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static double[] Add(double[] a, double[] b)
    {
        var s = new double[a.Length];
        for (int i = 0; i < s.Length; i++) s[i] = a[i] + b[i];
        return s;
    }
}
