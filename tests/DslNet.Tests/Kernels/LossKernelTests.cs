using System;
using DslNet.Backends;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

public class LossKernelTests
{
    // ---- independent double references (textbook formulas, mean over all elements) ----------------

    private static double FloatLoss(Loss kind, double[] o, double[] t)
    {
        double sum = 0;
        for (int i = 0; i < o.Length; i++)
        {
            sum += kind switch
            {
                Loss.MeanSquaredError => (o[i] - t[i]) * (o[i] - t[i]),
                Loss.MeanAbsoluteError => Math.Abs(o[i] - t[i]),
                Loss.BinaryCrossEntropy => -(t[i] * Math.Log(o[i]) + (1 - t[i]) * Math.Log(1 - o[i])),
                // direct form: −[t·log σ(x) + (1 − t)·log(1 − σ(x))] (only used with moderate x)
                Loss.BinaryCrossEntropyWithLogits => -(t[i] * Math.Log(Sigmoid(o[i])) + (1 - t[i]) * Math.Log(1 - Sigmoid(o[i]))),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
        }
        return sum / o.Length;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double LabelLoss(Loss kind, int batch, int features, double[] o, int[] labels)
    {
        double sum = 0;
        for (int n = 0; n < batch; n++)
        {
            if (kind == Loss.NllLoss) { sum -= o[n * features + labels[n]]; continue; }
            double z = 0;
            for (int c = 0; c < features; c++) z += Math.Exp(o[n * features + c]);
            sum -= Math.Log(Math.Exp(o[n * features + labels[n]]) / z);
        }
        return sum / batch;
    }

    private static double[] Scalar(double v) => new[] { v };
    private static readonly double[] One = { 1 };

    // ---- float targets -----------------------------------------------------------------------------

    public static TheoryData<Loss> FloatLosses() => new()
    {
        Loss.MeanSquaredError, Loss.MeanAbsoluteError, Loss.BinaryCrossEntropy, Loss.BinaryCrossEntropyWithLogits,
    };

    [Theory]
    [MemberData(nameof(FloatLosses))]
    public void Float_loss_value_and_gradient_match_reference(Loss kind)
    {
        var random = new Random((int)kind);
        int batch = 5, features = 7;
        var o = new double[batch * features];
        var t = new double[o.Length];
        for (int i = 0; i < o.Length; i++)
        {
            if (kind == Loss.BinaryCrossEntropy)
            {
                o[i] = 0.05 + 0.9 * random.NextDouble();     // probabilities away from 0 and 1
                t[i] = random.NextDouble();                  // soft targets are allowed
            }
            else
            {
                t[i] = kind == Loss.BinaryCrossEntropyWithLogits ? random.Next(2) : random.NextDouble() * 2 - 1;
                double diff = 0.05 + random.NextDouble();    // |o − t| ≥ 0.05: away from MAE's kink
                o[i] = t[i] + (random.Next(2) == 0 ? diff : -diff);
            }
        }
        o = GradientCheck.Rounded(o);
        t = GradientCheck.Rounded(t);

        var backend = CpuTensors.NewCpu();
        var d = backend.Upload(GradientCheck.RandomArray(random, o.Length)); // garbage: must be overwritten
        float loss = backend.ComputeLoss(kind, batch, features, backend.Upload(o), GradientCheck.ToFloat(t), d);

        Assert.Equal(FloatLoss(kind, o, t), loss, 1e-6 * Math.Max(1, Math.Abs(loss)));
        GradientCheck.AssertClose(GradientCheck.Numerical(p => Scalar(FloatLoss(kind, p, t)), o, One), backend.Download(d), 1e-4, $"{kind} gradient");

        // Without a gradient view the value is the same.
        Assert.Equal(loss, backend.ComputeLoss(kind, batch, features, backend.Upload(o), GradientCheck.ToFloat(t), BufferView.Empty));
    }

    [Fact]
    public void Binary_cross_entropy_course_values()
    {
        // ŷ = 0.8: 0.2231435513142097 for y = 1 and 1.6094379124341005 for y = 0 (course E62).
        var backend = CpuTensors.NewCpu();
        var p = backend.Upload(new double[] { 0.8 });
        Assert.Equal(0.2231435513142097, backend.ComputeLoss(Loss.BinaryCrossEntropy, 1, 1, p, new float[] { 1 }, BufferView.Empty), 1e-6);
        Assert.Equal(1.6094379124341005, backend.ComputeLoss(Loss.BinaryCrossEntropy, 1, 1, p, new float[] { 0 }, BufferView.Empty), 1e-6);
    }

    [Fact]
    public void Binary_cross_entropy_clamps_the_log_at_minus_100()
    {
        // PyTorch: BCELoss(0, 1) = 100, BCELoss(1, 1) = 0, BCELoss(1, 0) = 100; gradients finite.
        var backend = CpuTensors.NewCpu();
        var d = backend.Zeros(4);
        float loss = backend.ComputeLoss(Loss.BinaryCrossEntropy, 1, 4, backend.Upload(new double[] { 0, 1, 1, 0 }), new float[] { 1, 1, 0, 0 }, d);
        Assert.Equal(50.0, loss, 1e-4); // (100 + 0 + 100 + 0) / 4
        Assert.All(backend.Download(d), g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void Binary_cross_entropy_with_logits_is_stable_at_plus_minus_100()
    {
        var backend = CpuTensors.NewCpu();
        var d = backend.Zeros(4);
        // x = 100, t = 1 → ~0; x = 100, t = 0 → 100; x = −100, t = 0 → ~0; x = −100, t = 1 → 100.
        float loss = backend.ComputeLoss(Loss.BinaryCrossEntropyWithLogits, 2, 2,
            backend.Upload(new double[] { 100, 100, -100, -100 }), new float[] { 1, 0, 0, 1 }, d);
        Assert.Equal(50.0, loss, 1e-4);
        // gradient (σ(x) − t)/4: [0, 1/4, 0, −1/4]
        GradientCheck.AssertClose(new[] { 0, 0.25, 0, -0.25 }, backend.Download(d), 1e-7, "gradient");

        // Stable form agrees with the direct formula where the latter is still accurate.
        float small = backend.ComputeLoss(Loss.BinaryCrossEntropyWithLogits, 1, 2, backend.Upload(new double[] { 3, -2 }), new float[] { 1, 0.25f }, BufferView.Empty);
        Assert.Equal(FloatLoss(Loss.BinaryCrossEntropyWithLogits, new double[] { 3, -2 }, new double[] { 1, 0.25 }), small, 1e-6);
    }

    [Fact]
    public void Mean_absolute_error_has_zero_subgradient_at_zero()
    {
        var backend = CpuTensors.NewCpu();
        var d = backend.Upload(new double[] { 5, 5, 5 });
        float loss = backend.ComputeLoss(Loss.MeanAbsoluteError, 1, 3, backend.Upload(new double[] { 1, 2, 3 }), new float[] { 1, 0, 5 }, d);
        Assert.Equal(4.0 / 3, loss, 1e-6);
        GradientCheck.AssertClose(new[] { 0, 1.0 / 3, -1.0 / 3 }, backend.Download(d), 1e-7, "gradient");
    }

    // ---- integer labels ----------------------------------------------------------------------------

    [Theory]
    [InlineData(Loss.SoftmaxCrossEntropy, 1, 1)]
    [InlineData(Loss.SoftmaxCrossEntropy, 4, 3)]
    [InlineData(Loss.SoftmaxCrossEntropy, 6, 10)]
    [InlineData(Loss.SoftmaxCrossEntropy, 2, 1100)]
    [InlineData(Loss.NllLoss, 4, 3)]
    [InlineData(Loss.NllLoss, 6, 10)]
    public void Label_loss_value_and_gradient_match_reference(Loss kind, int batch, int features)
    {
        var random = new Random(batch * 1000 + features);
        double[] o = GradientCheck.Rounded(GradientCheck.RandomArray(random, batch * features, 3));
        if (kind == Loss.NllLoss) o = GradientCheck.Rounded(Array.ConvertAll(o, v => v - 4)); // log-probability-like
        var labels = new int[batch];
        for (int n = 0; n < batch; n++) labels[n] = random.Next(features);

        var backend = CpuTensors.NewCpu();
        var d = backend.Upload(GradientCheck.RandomArray(random, o.Length)); // garbage: must be overwritten
        float loss = backend.ComputeLoss(kind, batch, features, backend.Upload(o), labels, d);

        double expected = LabelLoss(kind, batch, features, o, labels);
        Assert.Equal(expected, loss, 1e-6 * Math.Max(1, Math.Abs(expected)));
        GradientCheck.AssertClose(GradientCheck.Numerical(p => Scalar(LabelLoss(kind, batch, features, p, labels)), o, One),
            backend.Download(d), 1e-4, $"{kind} gradient");
    }

    [Fact]
    public void Cross_entropy_course_value_and_initial_loss_log_c()
    {
        var backend = CpuTensors.NewCpu();
        // CE of logits [1, 2, 3] with target class 3 (index 2) = 0.40760596444438046 (course E62).
        Assert.Equal(0.40760596444438046,
            backend.ComputeLoss(Loss.SoftmaxCrossEntropy, 1, 3, backend.Upload(new double[] { 1, 2, 3 }), new[] { 2 }, BufferView.Empty), 1e-6);
        // All-zero logits over C classes: loss = log C, the "initial loss" sanity check; gradient (1/C − onehot)/batch.
        foreach (int classes in new[] { 2, 10, 1000 })
        {
            var d = backend.Zeros(3 * classes);
            float loss = backend.ComputeLoss(Loss.SoftmaxCrossEntropy, 3, classes, backend.Zeros(3 * classes), new[] { 0, 1, classes - 1 }, d);
            Assert.Equal(Math.Log(classes), loss, 1e-6);
            var g = backend.Download(d);
            Assert.Equal((1.0 / classes - 1) / 3, g[0], 1e-7);
            Assert.Equal(1.0 / classes / 3, g[classes], 1e-7);
        }
    }

    [Fact]
    public void Cross_entropy_with_huge_logits_is_finite_and_correct()
    {
        var backend = CpuTensors.NewCpu();
        var d = backend.Zeros(6);
        // Row 1: correct class far ahead → 0. Row 2: correct class 2000 behind → 2000.
        float loss = backend.ComputeLoss(Loss.SoftmaxCrossEntropy, 2, 3,
            backend.Upload(new double[] { 1000, -1000, 0, 1000, -1000, 0 }), new[] { 0, 1 }, d);
        Assert.Equal(1000.0, loss, 1e-3);
        GradientCheck.AssertClose(new[] { 0, 0, 0, 0.5, -0.5, 0 }, backend.Download(d), 1e-7, "gradient");
    }

    [Fact]
    public void Nll_of_log_softmax_equals_softmax_cross_entropy()
    {
        var backend = CpuTensors.NewCpu();
        var random = new Random(4);
        var x = backend.Upload(GradientCheck.Rounded(GradientCheck.RandomArray(random, 12, 5)));
        var logp = backend.Zeros(12);
        backend.LogSoftmaxForward(3, 4, x, logp);
        int[] labels = { 3, 0, 2 };
        var dCe = backend.Zeros(12);
        var dNll = backend.Zeros(12);
        var dx = backend.Zeros(12);
        float ce = backend.ComputeLoss(Loss.SoftmaxCrossEntropy, 3, 4, x, labels, dCe);
        float nll = backend.ComputeLoss(Loss.NllLoss, 3, 4, logp, labels, dNll);
        backend.LogSoftmaxBackward(3, 4, logp, dNll, dx);
        Assert.Equal(ce, nll, 1e-6);
        GradientCheck.AssertClose(Array.ConvertAll(backend.Download(dCe), v => (double)v), backend.Download(dx), 1e-6, "chained gradient");
    }

    // ---- errors ------------------------------------------------------------------------------------

    [Fact]
    public void Label_out_of_range_names_sample_and_label()
    {
        var backend = CpuTensors.NewCpu();
        var o = backend.Zeros(9);
        var ex = Assert.Throws<ArgumentException>(() => backend.ComputeLoss(Loss.SoftmaxCrossEntropy, 3, 3, o, new[] { 0, 2, 3 }, BufferView.Empty));
        Assert.Contains("Label 3 of sample 2", ex.Message);
        Assert.Contains("[0, 3)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => backend.ComputeLoss(Loss.NllLoss, 3, 3, o, new[] { -1, 0, 0 }, BufferView.Empty));
        Assert.Contains("Label -1 of sample 0", ex.Message);
    }

    [Fact]
    public void Wrong_target_lengths_are_rejected()
    {
        var backend = CpuTensors.NewCpu();
        var o = backend.Zeros(6);
        var ex = Assert.Throws<ArgumentException>(() => backend.ComputeLoss(Loss.MeanSquaredError, 2, 3, o, new float[5], BufferView.Empty));
        Assert.Equal("targets", ex.ParamName);
        Assert.Contains("5", ex.Message);
        Assert.Contains("6", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => backend.ComputeLoss(Loss.SoftmaxCrossEntropy, 2, 3, o, new int[3], BufferView.Empty));
        Assert.Equal("labels", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => backend.ComputeLoss(Loss.MeanSquaredError, 2, 3, o, new float[6], backend.Zeros(5)));
        Assert.Equal("dOutput", ex.ParamName);
    }

    [Fact]
    public void Wrong_target_kind_says_which_kind_the_loss_needs()
    {
        var backend = CpuTensors.NewCpu();
        var o = backend.Zeros(6);
        foreach (var kind in new[] { Loss.MeanSquaredError, Loss.MeanAbsoluteError, Loss.BinaryCrossEntropy, Loss.BinaryCrossEntropyWithLogits })
        {
            var ex = Assert.Throws<ArgumentException>(() => backend.ComputeLoss(kind, 2, 3, o, new int[2], BufferView.Empty));
            Assert.Contains("needs float targets", ex.Message);
        }
        foreach (var kind in new[] { Loss.SoftmaxCrossEntropy, Loss.NllLoss })
        {
            var ex = Assert.Throws<ArgumentException>(() => backend.ComputeLoss(kind, 2, 3, o, new float[6], BufferView.Empty));
            Assert.Contains("needs integer class labels", ex.Message);
        }
        Assert.Throws<ArgumentException>(() => backend.ComputeLoss(Loss.None, 2, 3, o, new float[6], BufferView.Empty));
    }

    [Fact]
    public void Allocates_nothing_after_the_first_call()
    {
        var backend = CpuTensors.NewCpu();
        var o = backend.Upload(GradientCheck.RandomArray(new Random(2), 640));
        var d = backend.Zeros(640);
        var targets = new float[640];
        var labels = new int[64];
        void Run()
        {
            backend.ComputeLoss(Loss.SoftmaxCrossEntropy, 64, 10, o, labels, d);
            backend.ComputeLoss(Loss.NllLoss, 64, 10, o, labels, d);
            backend.ComputeLoss(Loss.BinaryCrossEntropyWithLogits, 64, 10, o, targets, d);
            backend.ComputeLoss(Loss.MeanSquaredError, 64, 10, o, targets, d);
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
