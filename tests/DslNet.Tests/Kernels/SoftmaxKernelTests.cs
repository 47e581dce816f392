using System;
using DslNet.Backends;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

public class SoftmaxKernelTests
{
    /// <summary>Row-wise softmax in double, straight from the definition e^(x_i)/Σ e^(x_k) (inputs kept small).</summary>
    private static double[] Softmax(int rows, int columns, double[] x)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int c = 0; c < columns; c++) sum += Math.Exp(x[r * columns + c]);
            for (int c = 0; c < columns; c++) y[r * columns + c] = Math.Exp(x[r * columns + c]) / sum;
        }
        return y;
    }

    private static double[] LogSoftmax(int rows, int columns, double[] x) => Array.ConvertAll(Softmax(rows, columns, x), Math.Log);

    [Fact]
    public void Softmax_of_the_course_example()
    {
        // softmax([1, 2, 3]) (course E62), and the same row shifted by 1000 must give the same values.
        var backend = CpuTensors.NewCpu();
        var x = backend.Upload(new double[] { 1, 2, 3, 1000, 1001, 1002 });
        var y = backend.Zeros(6);
        backend.SoftmaxForward(2, 3, x, y);
        double[] expected = { 0.09003057317038046, 0.24472847105479764, 0.6652409557748218 };
        GradientCheck.AssertClose(new[] { expected[0], expected[1], expected[2], expected[0], expected[1], expected[2] },
            backend.Download(y), 1e-7, "softmax");
    }

    [Fact]
    public void Log_softmax_of_large_logits_is_finite_and_exact()
    {
        var backend = CpuTensors.NewCpu();
        var x = backend.Upload(new double[] { 1000, 1001, 1002, -1000, 0, 1000 });
        var y = backend.Zeros(6);
        backend.LogSoftmaxForward(2, 3, x, y);
        // log(softmax([1,2,3])); −log of the last entry is the course's CE value 0.40760596444438046.
        double[] expected = { -2.4076059644443806, -1.4076059644443804, -0.40760596444438046, -2000, -1000, 0 };
        var actual = backend.Download(y);
        for (int i = 0; i < 6; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"[{i}] {actual[i]} vs {expected[i]}");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(4, 3)]
    [InlineData(5, 17)]
    [InlineData(2, 1030)] // longer than the 1024-element chunk
    public void Softmax_matches_reference_rows_sum_to_one_and_backward_matches_finite_differences(int rows, int columns)
    {
        var random = new Random(rows * 100 + columns);
        double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(random, rows * columns, 3));
        double[] r = GradientCheck.Rounded(GradientCheck.RandomArray(random, x.Length));
        double[] dx0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, x.Length));
        var backend = CpuTensors.NewCpu();
        var vx = backend.Upload(x);
        var y = backend.Zeros(x.Length);
        var dx = backend.Upload(dx0);
        backend.SoftmaxForward(rows, columns, vx, y);
        backend.SoftmaxBackward(rows, columns, y, backend.Upload(r), dx);

        var ys = backend.Download(y);
        GradientCheck.AssertClose(Softmax(rows, columns, x), ys, 1e-6, "y");
        for (int row = 0; row < rows; row++)
        {
            double sum = 0;
            for (int c = 0; c < columns; c++) sum += ys[row * columns + c];
            Assert.Equal(1.0, sum, 1e-5);
        }
        double[] expected = GradientCheck.Numerical(p => Softmax(rows, columns, p), x, r);
        for (int i = 0; i < expected.Length; i++) expected[i] += dx0[i];
        GradientCheck.AssertClose(expected, backend.Download(dx), 1e-4, "dx");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 3)]
    [InlineData(5, 17)]
    [InlineData(2, 1030)]
    public void Log_softmax_matches_reference_and_backward_matches_finite_differences(int rows, int columns)
    {
        var random = new Random(rows * 10 + columns);
        double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(random, rows * columns, 3));
        double[] r = GradientCheck.Rounded(GradientCheck.RandomArray(random, x.Length));
        double[] dx0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, x.Length));
        var backend = CpuTensors.NewCpu();
        var vx = backend.Upload(x);
        var y = backend.Zeros(x.Length);
        var dx = backend.Upload(dx0);
        backend.LogSoftmaxForward(rows, columns, vx, y);
        backend.LogSoftmaxBackward(rows, columns, y, backend.Upload(r), dx);

        GradientCheck.AssertClose(LogSoftmax(rows, columns, x), backend.Download(y), 1e-6, "y");
        double[] expected = GradientCheck.Numerical(p => LogSoftmax(rows, columns, p), x, r);
        for (int i = 0; i < expected.Length; i++) expected[i] += dx0[i];
        GradientCheck.AssertClose(expected, backend.Download(dx), 1e-4, "dx");
    }

    [Fact]
    public void Forward_works_in_place()
    {
        var backend = CpuTensors.NewCpu();
        double[] x = { 0.5, -1, 2, 3, 3, 3 };
        var v = backend.Upload(x);
        backend.SoftmaxForward(2, 3, v, v);
        GradientCheck.AssertClose(Softmax(2, 3, x), backend.Download(v), 1e-6, "softmax in place");
        v = backend.Upload(x);
        backend.LogSoftmaxForward(2, 3, v, v);
        GradientCheck.AssertClose(LogSoftmax(2, 3, x), backend.Download(v), 1e-6, "log-softmax in place");
    }

    [Fact]
    public void Empty_dx_is_skipped_and_lengths_are_checked()
    {
        var backend = CpuTensors.NewCpu();
        var y = backend.Upload(new double[] { 0.2, 0.8 });
        backend.SoftmaxBackward(1, 2, y, y, BufferView.Empty);
        backend.LogSoftmaxBackward(1, 2, y, y, BufferView.Empty);
        // Zero rows or zero columns: nothing to do, no exception.
        backend.SoftmaxForward(3, 0, BufferView.Empty, BufferView.Empty);
        backend.LogSoftmaxForward(0, 4, BufferView.Empty, BufferView.Empty);
        var ex = Assert.Throws<ArgumentException>(() => backend.SoftmaxForward(2, 3, backend.Zeros(6), backend.Zeros(5)));
        Assert.Equal("y", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => backend.LogSoftmaxBackward(2, 3, backend.Zeros(6), backend.Zeros(6), backend.Zeros(7)));
        Assert.Equal("dx", ex.ParamName);
    }

    [Fact]
    public void Allocates_nothing_after_the_first_call()
    {
        var backend = CpuTensors.NewCpu();
        var x = backend.Upload(GradientCheck.RandomArray(new Random(1), 2000));
        var y = backend.Zeros(2000);
        var dx = backend.Zeros(2000);
        void Run()
        {
            backend.SoftmaxForward(4, 500, x, y);
            backend.SoftmaxBackward(4, 500, y, x, dx);
            backend.LogSoftmaxForward(4, 500, x, y);
            backend.LogSoftmaxBackward(4, 500, y, x, dx);
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
