using System;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

public class NormalizationKernelTests
{
    private const double Eps = 1e-5;

    // ---- independent double references ----------------------------------------------------

    /// <summary>Training-mode batch norm: batch mean and biased variance per channel.</summary>
    private static double[] BatchNormReference(double[] x, double[] gamma, double[] beta, int batch, int channels, int spatial,
        out double[] mean, out double[] biasedVariance)
    {
        int m = batch * spatial;
        mean = new double[channels];
        biasedVariance = new double[channels];
        var y = new double[x.Length];
        for (int c = 0; c < channels; c++)
        {
            double s = 0;
            for (int n = 0; n < batch; n++)
                for (int p = 0; p < spatial; p++) s += x[(n * channels + c) * spatial + p];
            double mu = s / m;
            double v = 0;
            for (int n = 0; n < batch; n++)
                for (int p = 0; p < spatial; p++) { double d = x[(n * channels + c) * spatial + p] - mu; v += d * d; }
            v /= m;
            mean[c] = mu;
            biasedVariance[c] = v;
            for (int n = 0; n < batch; n++)
                for (int p = 0; p < spatial; p++)
                {
                    int i = (n * channels + c) * spatial + p;
                    y[i] = gamma[c] * (x[i] - mu) / Math.Sqrt(v + Eps) + beta[c];
                }
        }
        return y;
    }

    private static double[] BatchNormReference(double[] x, double[] gamma, double[] beta, int batch, int channels, int spatial) =>
        BatchNormReference(x, gamma, beta, batch, channels, spatial, out _, out _);

    private static double[] PReluReference(double[] x, double[] slope, int batch, int channels, int spatial)
    {
        var y = new double[x.Length];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < spatial; p++)
                {
                    int i = (n * channels + c) * spatial + p;
                    y[i] = x[i] > 0 ? x[i] : slope[c] * x[i];
                }
        return y;
    }

    private static double[] Rnd(Random random, int length, double scale = 1.0, double offset = 0.0)
    {
        var a = GradientCheck.RandomArray(random, length, scale);
        for (int i = 0; i < a.Length; i++) a[i] += offset;
        return GradientCheck.Rounded(a);
    }

    // ---- batch norm -----------------------------------------------------------------------

    [Theory]
    [InlineData(4, 3, 1)]     // dense-style BN: Spatial = 1
    [InlineData(2, 3, 5)]
    [InlineData(3, 2, 19)]    // more than one SIMD vector plus a tail
    [InlineData(2, 1, 1)]     // smallest valid training batch
    public void BatchNorm_training_forward_matches_reference_and_saves_statistics(int batch, int channels, int spatial)
    {
        var random = new Random(10 + batch * 7 + spatial);
        var backend = CpuTensors.NewCpu();
        int length = batch * channels * spatial;
        double[] x = Rnd(random, length, 2.0, 0.5);
        double[] gamma = Rnd(random, channels, 1.0, 1.0);
        double[] beta = Rnd(random, channels);
        var g = new BatchNormGeometry(channels, spatial);

        var y = backend.Zeros(length);
        var savedMean = backend.Zeros(channels); var savedInvStd = backend.Zeros(channels);
        backend.BatchNormForward(g, batch, true, 0.1f, (float)Eps, backend.Upload(x), backend.Upload(gamma), backend.Upload(beta),
            backend.Zeros(channels), backend.Upload(Ones(channels)), savedMean, savedInvStd, y);

        double[] expected = BatchNormReference(x, gamma, beta, batch, channels, spatial, out var mean, out var variance);
        GradientCheck.AssertClose(expected, backend.Download(y), 1e-5, "y");
        GradientCheck.AssertClose(mean, backend.Download(savedMean), 1e-6, "savedMean");
        var invStd = Array.ConvertAll(variance, v => 1 / Math.Sqrt(v + Eps));
        GradientCheck.AssertClose(invStd, backend.Download(savedInvStd), 1e-6, "savedInvStd");
    }

    [Fact]
    public void BatchNorm_forward_is_accurate_when_the_mean_dwarfs_the_spread()
    {
        // Values near 1000 with spread ~1: E[x²] − E[x]² in float would lose everything.
        var random = new Random(3);
        var backend = CpuTensors.NewCpu();
        int batch = 16, channels = 2, spatial = 9, length = batch * channels * spatial;
        double[] x = Rnd(random, length, 1.0, 1000.0);
        double[] gamma = { 1.5, 0.5 }, beta = { 0.25, -1 };
        var y = backend.Zeros(length);
        backend.BatchNormForward(new BatchNormGeometry(channels, spatial), batch, true, 0.1f, (float)Eps,
            backend.Upload(x), backend.Upload(gamma), backend.Upload(beta), backend.Zeros(channels), backend.Upload(Ones(channels)),
            backend.Zeros(channels), backend.Zeros(channels), y);
        GradientCheck.AssertClose(BatchNormReference(x, gamma, beta, batch, channels, spatial), backend.Download(y), 1e-4, "y");
    }

    [Theory]
    [InlineData(5, 2, 1)]
    [InlineData(2, 3, 4)]
    [InlineData(3, 2, 11)]
    public void BatchNorm_backward_matches_finite_differences_in_training_mode(int batch, int channels, int spatial)
    {
        var random = new Random(100 + batch * 13 + spatial);
        var backend = CpuTensors.NewCpu();
        int length = batch * channels * spatial;
        double[] x = Rnd(random, length, 1.5, 0.3);
        double[] gamma = Rnd(random, channels, 0.5, 1.0);
        double[] beta = Rnd(random, channels);
        double[] r = Rnd(random, length);
        var g = new BatchNormGeometry(channels, spatial);

        var vx = backend.Upload(x); var vGamma = backend.Upload(gamma);
        var savedMean = backend.Zeros(channels); var savedInvStd = backend.Zeros(channels);
        backend.BatchNormForward(g, batch, true, 0.1f, (float)Eps, vx, vGamma, backend.Upload(beta),
            backend.Zeros(channels), backend.Upload(Ones(channels)), savedMean, savedInvStd, backend.Zeros(length));

        var dx = backend.Zeros(length); var dGamma = backend.Zeros(channels); var dBeta = backend.Zeros(channels);
        backend.BatchNormBackward(g, batch, true, vx, vGamma, savedMean, savedInvStd, backend.Upload(r), dx, dGamma, dBeta);

        var ex = GradientCheck.Numerical(p => BatchNormReference(p, gamma, beta, batch, channels, spatial), x, r);
        var eGamma = GradientCheck.Numerical(p => BatchNormReference(x, p, beta, batch, channels, spatial), gamma, r);
        var eBeta = GradientCheck.Numerical(p => BatchNormReference(x, gamma, p, batch, channels, spatial), beta, r);
        GradientCheck.AssertClose(ex, backend.Download(dx), 1e-4, "dx");
        GradientCheck.AssertClose(eGamma, backend.Download(dGamma), 1e-4, "dGamma");
        GradientCheck.AssertClose(eBeta, backend.Download(dBeta), 1e-4, "dBeta");
    }

    [Theory]
    [InlineData(1, 3, 1)]
    [InlineData(3, 2, 5)]
    public void BatchNorm_backward_after_an_inference_forward_differentiates_the_running_statistics_form(int batch, int channels, int spatial)
    {
        // Input gradients of a frozen (eval-mode) network: the statistics are constants, so the
        // gradient is that of y = γ(x − running mean)/sqrt(running var + ε) + β, as in PyTorch's eval().
        // The save views hold stale training statistics first, to show inference overwrites them.
        var random = new Random(12);
        var backend = CpuTensors.NewCpu();
        int length = batch * channels * spatial;
        double[] x = Rnd(random, length, 1.5, 0.3), gamma = Rnd(random, channels, 0.5, 1.0), beta = Rnd(random, channels);
        double[] runMean = Rnd(random, channels), runVar = Rnd(random, channels, 0.4, 1.0), r = Rnd(random, length);
        var g = new BatchNormGeometry(channels, spatial);
        var vx = backend.Upload(x); var vGamma = backend.Upload(gamma);
        var savedMean = backend.Upload(Rnd(random, channels)); var savedInvStd = backend.Upload(Rnd(random, channels, 1, 2));
        backend.BatchNormForward(g, batch, false, 0.1f, (float)Eps, vx, vGamma, backend.Upload(beta),
            backend.Upload(runMean), backend.Upload(runVar), savedMean, savedInvStd, backend.Zeros(length));

        var dx = backend.Zeros(length); var dGamma = backend.Zeros(channels); var dBeta = backend.Zeros(channels);
        backend.BatchNormBackward(g, batch, false, vx, vGamma, savedMean, savedInvStd, backend.Upload(r), dx, dGamma, dBeta);

        double[] Inference(double[] xs, double[] gs, double[] bs)
        {
            var y = new double[xs.Length];
            for (int n = 0; n < batch; n++)
                for (int c = 0; c < channels; c++)
                    for (int p = 0; p < spatial; p++)
                    {
                        int i = (n * channels + c) * spatial + p;
                        y[i] = gs[c] * (xs[i] - runMean[c]) / Math.Sqrt(runVar[c] + Eps) + bs[c];
                    }
            return y;
        }
        GradientCheck.AssertClose(GradientCheck.Numerical(p => Inference(p, gamma, beta), x, r), backend.Download(dx), 1e-4, "dx");
        GradientCheck.AssertClose(GradientCheck.Numerical(p => Inference(x, p, beta), gamma, r), backend.Download(dGamma), 1e-4, "dGamma");
        GradientCheck.AssertClose(GradientCheck.Numerical(p => Inference(x, gamma, p), beta, r), backend.Download(dBeta), 1e-4, "dBeta");
    }

    [Theory]
    [InlineData(true, 5, 37)]   // rows of 37 values per channel: vectors plus a tail
    [InlineData(false, 5, 37)]
    [InlineData(true, 37, 1)]   // after a Dense layer: two blocks of 16 columns and a partial one
    [InlineData(false, 37, 1)]
    public void BatchNorm_split_over_channels_matches_the_reference_and_one_thread_bit_for_bit(bool training, int channels, int spatial)
    {
        // Over three threads that split every loop, each channel must come out exactly as on one
        // thread, and right.
        int batch = 3, length = batch * channels * spatial;
        var random = new Random(77);
        double[] x = Rnd(random, length, 2.0, 0.5), gamma = Rnd(random, channels, 1.0, 1.0), beta = Rnd(random, channels);
        double[] runningVariance = Rnd(random, channels, 0.2, 1.0), r = Rnd(random, length);
        var g = new BatchNormGeometry(channels, spatial);

        float[][] Run(CpuBackend backend)
        {
            var vx = backend.Upload(x); var vGamma = backend.Upload(gamma);
            var y = backend.Zeros(length); var mean = backend.Zeros(channels); var invStd = backend.Zeros(channels);
            var rm = backend.Upload(beta); var rv = backend.Upload(runningVariance);
            backend.BatchNormForward(g, batch, training, 0.1f, (float)Eps, vx, vGamma, backend.Upload(beta), rm, rv, mean, invStd, y);
            var dx = backend.Zeros(length); var dg = backend.Zeros(channels); var db = backend.Zeros(channels);
            backend.BatchNormBackward(g, batch, training, vx, vGamma, mean, invStd, backend.Upload(r), dx, dg, db);
            return new[] { backend.Download(y), backend.Download(rm), backend.Download(rv), backend.Download(dx), backend.Download(dg), backend.Download(db) };
        }

        using var one = new CpuBackend(1);
        using var three = new CpuBackend(3);
        three.Pool.MinimumWorkPerPart = 0;
        var expected = Run(one);
        var split = Run(three);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], split[i]);
        if (training)
            GradientCheck.AssertClose(BatchNormReference(x, gamma, beta, batch, channels, spatial), split[0], 1e-5, "y");
        var ex = GradientCheck.Numerical(p => training
            ? BatchNormReference(p, gamma, beta, batch, channels, spatial)
            : InferenceReference(p, gamma, beta, beta, runningVariance, batch, channels, spatial), x, r);
        GradientCheck.AssertClose(ex, split[3], 2e-3, "dx");
    }

    /// <summary>y = (x − μ)/√(σ² + ε)·γ + β with fixed running statistics μ and σ².</summary>
    private static double[] InferenceReference(double[] x, double[] gamma, double[] beta, double[] mean, double[] variance,
        int batch, int channels, int spatial)
    {
        var y = new double[x.Length];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int s = 0; s < spatial; s++)
                {
                    int i = (n * channels + c) * spatial + s;
                    y[i] = (x[i] - mean[c]) / Math.Sqrt(variance[c] + Eps) * gamma[c] + beta[c];
                }
        return y;
    }

    [Fact]
    public void BatchNorm_backward_accumulates_and_skips_empty_gradients()
    {
        var random = new Random(5);
        var backend = CpuTensors.NewCpu();
        int batch = 3, channels = 2, spatial = 10, length = batch * channels * spatial;
        double[] x = Rnd(random, length), gamma = Rnd(random, channels, 0.5, 1), beta = Rnd(random, channels), r = Rnd(random, length);
        var g = new BatchNormGeometry(channels, spatial);
        var vx = backend.Upload(x); var vGamma = backend.Upload(gamma); var vr = backend.Upload(r);
        var savedMean = backend.Zeros(channels); var savedInvStd = backend.Zeros(channels);
        backend.BatchNormForward(g, batch, true, 0.1f, (float)Eps, vx, vGamma, backend.Upload(beta),
            BufferView.Empty, BufferView.Empty, savedMean, savedInvStd, backend.Zeros(length));

        // Reference gradients from a fresh (zeroed) call.
        var dx0 = backend.Zeros(length); var dg0 = backend.Zeros(channels); var db0 = backend.Zeros(channels);
        backend.BatchNormBackward(g, batch, true, vx, vGamma, savedMean, savedInvStd, vr, dx0, dg0, db0);

        double[] preX = Rnd(random, length), preG = Rnd(random, channels), preB = Rnd(random, channels);
        var dx = backend.Upload(preX); var dg = backend.Upload(preG); var db = backend.Upload(preB);
        backend.BatchNormBackward(g, batch, true, vx, vGamma, savedMean, savedInvStd, vr, dx, dg, db);
        GradientCheck.AssertClose(Sum(preX, backend.Download(dx0)), backend.Download(dx), 1e-6, "dx accumulated");
        GradientCheck.AssertClose(Sum(preG, backend.Download(dg0)), backend.Download(dg), 1e-6, "dGamma accumulated");
        GradientCheck.AssertClose(Sum(preB, backend.Download(db0)), backend.Download(db), 1e-6, "dBeta accumulated");

        // Only dGamma wanted: the others are skipped, dGamma is still right.
        var dgOnly = backend.Zeros(channels);
        backend.BatchNormBackward(g, batch, true, vx, vGamma, savedMean, savedInvStd, vr, BufferView.Empty, dgOnly, BufferView.Empty);
        Assert.Equal(backend.Download(dg0), backend.Download(dgOnly));
        // Nothing wanted: a no-op.
        backend.BatchNormBackward(g, batch, true, vx, vGamma, savedMean, savedInvStd, vr, BufferView.Empty, BufferView.Empty, BufferView.Empty);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void BatchNorm_running_statistics_after_two_steps_follow_the_PyTorch_formula(int spatial)
    {
        var random = new Random(21 + spatial);
        var backend = CpuTensors.NewCpu();
        int batch = 4, channels = 3, length = batch * channels * spatial;
        const double momentum = 0.1;
        double[] gamma = Ones(channels), beta = new double[channels];
        double[] x1 = Rnd(random, length, 2, 1), x2 = Rnd(random, length, 1, -0.5);
        var g = new BatchNormGeometry(channels, spatial);
        var rm = backend.Zeros(channels); var rv = backend.Upload(Ones(channels));
        var vGamma = backend.Upload(gamma); var vBeta = backend.Upload(beta);
        foreach (var x in new[] { x1, x2 })
            backend.BatchNormForward(g, batch, true, (float)momentum, (float)Eps, backend.Upload(x), vGamma, vBeta, rm, rv,
                backend.Zeros(channels), backend.Zeros(channels), backend.Zeros(length));

        // Hand formula: running = (1 − m)·running + m·batch, with the UNBIASED batch variance.
        int count = batch * spatial;
        var expectedMean = new double[channels];
        var expectedVar = Ones(channels);
        foreach (var x in new[] { x1, x2 })
        {
            BatchNormReference(x, gamma, beta, batch, channels, spatial, out var mu, out var biased);
            for (int c = 0; c < channels; c++)
            {
                expectedMean[c] = (1 - momentum) * expectedMean[c] + momentum * mu[c];
                expectedVar[c] = (1 - momentum) * expectedVar[c] + momentum * biased[c] * count / (count - 1);
            }
        }
        GradientCheck.AssertClose(expectedMean, backend.Download(rm), 1e-6, "runningMean");
        GradientCheck.AssertClose(expectedVar, backend.Download(rv), 1e-6, "runningVariance");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(1, 12)]
    public void BatchNorm_inference_uses_running_statistics_and_changes_no_state(int batch, int spatial)
    {
        var random = new Random(8);
        var backend = CpuTensors.NewCpu();
        int channels = 3, length = batch * channels * spatial;
        double[] x = Rnd(random, length, 3), gamma = Rnd(random, channels, 0.5, 1), beta = Rnd(random, channels);
        double[] runMean = Rnd(random, channels), runVar = Rnd(random, channels, 0.4, 1.0);
        var rm = backend.Upload(runMean); var rv = backend.Upload(runVar);
        var y = backend.Zeros(length);
        backend.BatchNormForward(new BatchNormGeometry(channels, spatial), batch, false, 0.1f, (float)Eps,
            backend.Upload(x), backend.Upload(gamma), backend.Upload(beta), rm, rv, BufferView.Empty, BufferView.Empty, y);

        var expected = new double[length];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < spatial; p++)
                {
                    int i = (n * channels + c) * spatial + p;
                    expected[i] = gamma[c] * (x[i] - runMean[c]) / Math.Sqrt(runVar[c] + Eps) + beta[c];
                }
        GradientCheck.AssertClose(expected, backend.Download(y), 1e-5, "y");
        GradientCheck.AssertClose(runMean, backend.Download(rm), 0, "runningMean unchanged");
        GradientCheck.AssertClose(runVar, backend.Download(rv), 0, "runningVariance unchanged");
    }

    [Fact]
    public void BatchNorm_matches_the_worked_example()
    {
        // Course notes E65-D: one feature, batch [1, 2, 3, 4], γ = 1, β = 0, ε = 0. Running statistics
        // with PyTorch's momentum 0.1 from (0, 1): mean 0.25, variance 0.9 + 0.1·5/3 (unbiased).
        var backend = CpuTensors.NewCpu();
        var g = new BatchNormGeometry(1, 1);
        var x = backend.Upload(new double[] { 1, 2, 3, 4 });
        var gamma = backend.Upload(new double[] { 1 });
        var rm = backend.Zeros(1); var rv = backend.Upload(new double[] { 1 });
        var sm = backend.Zeros(1); var si = backend.Zeros(1); var y = backend.Zeros(4);
        backend.BatchNormForward(g, 4, true, 0.1f, 0f, x, gamma, backend.Zeros(1), rm, rv, sm, si, y);
        GradientCheck.AssertClose(new[] { -1.3416407864998738, -0.4472135954999579, 0.4472135954999579, 1.3416407864998738 },
            backend.Download(y), 1e-6, "x̂");
        GradientCheck.AssertClose(new[] { 0.25 }, backend.Download(rm), 1e-7, "runningMean");
        GradientCheck.AssertClose(new[] { 0.9 + 0.1 * 5.0 / 3.0 }, backend.Download(rv), 1e-7, "runningVariance");

        var dx = backend.Zeros(4); var dGamma = backend.Zeros(1); var dBeta = backend.Zeros(1);
        backend.BatchNormBackward(g, 4, true, x, gamma, sm, si, backend.Upload(new double[] { 1, 0, 0, 0 }), dx, dGamma, dBeta);
        GradientCheck.AssertClose(new[] { 0.2683281572999747, -0.35777087639996635, -0.08944271909999159, 0.17888543819998318 },
            backend.Download(dx), 1e-6, "dx");
        GradientCheck.AssertClose(new[] { -1.3416407864998738 }, backend.Download(dGamma), 1e-6, "dGamma");
        GradientCheck.AssertClose(new[] { 1.0 }, backend.Download(dBeta), 1e-7, "dBeta");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(0, 4)]
    public void BatchNorm_training_with_a_single_value_per_channel_throws_naming_the_sizes(int batch, int spatial)
    {
        var backend = CpuTensors.NewCpu();
        int channels = 2, length = batch * channels * spatial;
        var ex = Assert.Throws<ArgumentException>(() => backend.BatchNormForward(new BatchNormGeometry(channels, spatial), batch, true, 0.1f, 1e-5f,
            backend.Zeros(length), backend.Upload(Ones(channels)), backend.Zeros(channels), backend.Zeros(channels), backend.Upload(Ones(channels)),
            backend.Zeros(channels), backend.Zeros(channels), backend.Zeros(length)));
        Assert.Contains($"batch = {batch}", ex.Message);
        Assert.Contains($"Spatial = {spatial}", ex.Message);
    }

    [Fact]
    public void BatchNorm_rejects_wrong_lengths_naming_both_sizes()
    {
        var backend = CpuTensors.NewCpu();
        var g = new BatchNormGeometry(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => backend.BatchNormForward(g, 2, true, 0.1f, 1e-5f,
            backend.Zeros(24), backend.Zeros(2), backend.Zeros(3), backend.Zeros(3), backend.Zeros(3),
            backend.Zeros(3), backend.Zeros(3), backend.Zeros(24)));
        Assert.Equal("gamma", ex.ParamName);
        Assert.Contains("2", ex.Message);
        Assert.Contains("3", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => backend.BatchNormForward(g, 2, true, 0.1f, 1e-5f,
            backend.Zeros(23), backend.Zeros(3), backend.Zeros(3), backend.Zeros(3), backend.Zeros(3),
            backend.Zeros(3), backend.Zeros(3), backend.Zeros(23)));
        Assert.Contains("23", ex.Message);
        Assert.Contains("24", ex.Message);
    }

    // ---- dropout --------------------------------------------------------------------------

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.25)]
    [InlineData(0.9)]
    public void Dropout_drops_about_rate_and_scales_the_kept_values(double rate)
    {
        var random = new Random(2);
        var backend = CpuTensors.NewCpu();
        const int n = 100_003;
        double[] x = Rnd(random, n, 1, 2); // all > 0, so a zero in y means dropped
        var mask = backend.Zeros(n); var y = backend.Zeros(n);
        backend.DropoutForward((float)rate, 1234, backend.Upload(x), mask, y);
        float[] m = backend.Download(mask), ys = backend.Download(y);

        float keep = 1f / (1f - (float)rate);
        int zeros = 0;
        for (int i = 0; i < n; i++)
        {
            Assert.True(m[i] == 0f || m[i] == keep, $"mask[{i}] = {m[i]} is neither 0 nor {keep}");
            Assert.Equal((float)x[i] * m[i], ys[i]);
            if (m[i] == 0f) zeros++;
        }
        // Binomial: 6 standard deviations is a bound a correct generator essentially never exceeds.
        double sigma = Math.Sqrt(rate * (1 - rate) / n);
        double fraction = (double)zeros / n;
        Assert.True(Math.Abs(fraction - rate) < 6 * sigma, $"dropped fraction {fraction} vs rate {rate} (σ {sigma:G3})");
    }

    [Fact]
    public void Dropout_mask_depends_on_the_seed_only()
    {
        var random = new Random(4);
        const int n = 4099;
        var x = Rnd(random, n);
        float[] MaskOf(int threads, ulong seed)
        {
            var backend = CpuTensors.NewCpu(threads);
            var mask = backend.Zeros(n);
            backend.DropoutForward(0.5f, seed, backend.Upload(x), mask, backend.Zeros(n));
            return backend.Download(mask);
        }
        float[] a = MaskOf(1, 7), b = MaskOf(2, 7), c = MaskOf(1, 8);
        Assert.Equal(a, b);
        int differ = 0;
        for (int i = 0; i < n; i++) if (a[i] != c[i]) differ++;
        // Independent masks at rate 0.5 differ at about half the positions.
        Assert.InRange(differ, n / 2 - 250, n / 2 + 250);
    }

    [Fact]
    public void Dropout_rate_zero_keeps_everything_and_invalid_rates_throw()
    {
        var backend = CpuTensors.NewCpu();
        var x = backend.Upload(new double[] { 1, -2, 3, 4.5, 0, 7 });
        var mask = backend.Zeros(6); var y = backend.Zeros(6);
        backend.DropoutForward(0f, 99, x, mask, y);
        Assert.Equal(new float[] { 1, 1, 1, 1, 1, 1 }, backend.Download(mask));
        Assert.Equal(backend.Download(x), backend.Download(y));

        foreach (float bad in new[] { 1f, -0.1f, 1.5f, float.NaN })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => backend.DropoutForward(bad, 1, x, mask, y));
            Assert.Equal("rate", ex.ParamName);
        }
    }

    [Fact]
    public void Dropout_backward_multiplies_by_the_mask_accumulates_and_skips_empty()
    {
        var random = new Random(6);
        var backend = CpuTensors.NewCpu();
        const int n = 37;
        var x = backend.Upload(Rnd(random, n));
        var mask = backend.Zeros(n);
        backend.DropoutForward(0.3f, 5, x, mask, backend.Zeros(n));
        double[] dy = Rnd(random, n), pre = Rnd(random, n);
        var dx = backend.Upload(pre);
        backend.DropoutBackward(mask, backend.Upload(dy), dx);
        float[] m = backend.Download(mask);
        var expected = new double[n];
        for (int i = 0; i < n; i++) expected[i] = pre[i] + dy[i] * m[i];
        GradientCheck.AssertClose(expected, backend.Download(dx), 1e-6, "dx");
        backend.DropoutBackward(mask, backend.Upload(dy), BufferView.Empty);
    }

    // ---- PReLU ----------------------------------------------------------------------------

    [Theory]
    [InlineData(2, 3, 11)]   // per-channel slopes, vector body + tail
    [InlineData(3, 1, 20)]   // one shared slope over everything
    [InlineData(4, 5, 1)]    // per-feature slopes after a dense layer
    public void PRelu_forward_and_backward_match_reference_and_finite_differences(int batch, int channels, int spatial)
    {
        var random = new Random(batch * 100 + channels * 10 + spatial);
        var backend = CpuTensors.NewCpu();
        int length = batch * channels * spatial;
        double[] x = Rnd(random, length, 2);
        for (int i = 0; i < length; i++) if (Math.Abs(x[i]) < 0.01) x[i] = 0.5; // keep away from the kink
        double[] slope = Rnd(random, channels, 0.3, 0.2);
        double[] r = Rnd(random, length);

        var vx = backend.Upload(x); var vs = backend.Upload(slope);
        var y = backend.Zeros(length);
        backend.PReluForward(batch, channels, spatial, vx, vs, y);
        GradientCheck.AssertClose(PReluReference(x, slope, batch, channels, spatial), backend.Download(y), 1e-6, "y");

        double[] preX = Rnd(random, length), preS = Rnd(random, channels);
        var dx = backend.Upload(preX); var dSlope = backend.Upload(preS);
        backend.PReluBackward(batch, channels, spatial, vx, vs, backend.Upload(r), dx, dSlope);
        var ex = GradientCheck.Numerical(p => PReluReference(p, slope, batch, channels, spatial), x, r);
        var es = GradientCheck.Numerical(p => PReluReference(x, p, batch, channels, spatial), slope, r);
        GradientCheck.AssertClose(Sum(preX, ex), backend.Download(dx), 1e-4, "dx (accumulated)");
        GradientCheck.AssertClose(Sum(preS, es), backend.Download(dSlope), 1e-4, "dSlope (accumulated)");

        // Each gradient alone, the other skipped.
        var dxOnly = backend.Zeros(length);
        backend.PReluBackward(batch, channels, spatial, vx, vs, backend.Upload(r), dxOnly, BufferView.Empty);
        GradientCheck.AssertClose(ex, backend.Download(dxOnly), 1e-4, "dx alone");
        var dsOnly = backend.Zeros(channels);
        backend.PReluBackward(batch, channels, spatial, vx, vs, backend.Upload(r), BufferView.Empty, dsOnly);
        GradientCheck.AssertClose(es, backend.Download(dsOnly), 1e-4, "dSlope alone");
    }

    [Fact]
    public void PRelu_rejects_a_slope_of_the_wrong_length()
    {
        var backend = CpuTensors.NewCpu();
        var ex = Assert.Throws<ArgumentException>(() => backend.PReluForward(2, 3, 4, backend.Zeros(24), backend.Zeros(1), backend.Zeros(24)));
        Assert.Equal("slope", ex.ParamName);
    }

    [Fact]
    public void Kernels_allocate_nothing_after_their_first_call()
    {
        var random = new Random(9);
        var backend = CpuTensors.NewCpu();
        int batch = 4, channels = 3, spatial = 10, length = batch * channels * spatial;
        var g = new BatchNormGeometry(channels, spatial);
        var x = backend.Upload(Rnd(random, length)); var dy = backend.Upload(Rnd(random, length));
        var y = backend.Zeros(length); var dx = backend.Zeros(length); var mask = backend.Zeros(length);
        var gamma = backend.Upload(Ones(channels)); var beta = backend.Zeros(channels);
        var rm = backend.Zeros(channels); var rv = backend.Upload(Ones(channels));
        var sm = backend.Zeros(channels); var si = backend.Zeros(channels);
        var dg = backend.Zeros(channels); var db = backend.Zeros(channels);
        void All()
        {
            backend.BatchNormForward(g, batch, true, 0.1f, 1e-5f, x, gamma, beta, rm, rv, sm, si, y);
            backend.BatchNormForward(g, batch, false, 0.1f, 1e-5f, x, gamma, beta, rm, rv, sm, si, y);
            backend.BatchNormBackward(g, batch, true, x, gamma, sm, si, dy, dx, dg, db);
            backend.DropoutForward(0.5f, 3, x, mask, y);
            backend.DropoutBackward(mask, dy, dx);
            backend.PReluForward(batch, channels, spatial, x, dg, y);
            backend.PReluBackward(batch, channels, spatial, x, dg, dy, dx, db);
        }
        All();
        long before = GC.GetAllocatedBytesForCurrentThread();
        All();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static double[] Ones(int n)
    {
        var a = new double[n];
        Array.Fill(a, 1.0);
        return a;
    }

    private static double[] Sum(double[] a, double[] b)
    {
        var s = new double[a.Length];
        for (int i = 0; i < a.Length; i++) s[i] = a[i] + b[i];
        return s;
    }

    private static double[] Sum(double[] a, float[] b)
    {
        var s = new double[a.Length];
        for (int i = 0; i < a.Length; i++) s[i] = a[i] + b[i];
        return s;
    }
}
