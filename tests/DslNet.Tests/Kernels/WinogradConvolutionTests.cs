using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Kernels;

/// <summary>A Keras-MNIST-shaped network, small: its second convolution takes the Winograd path.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class SmallKerasCnn
{
    [Input(1, 8, 8)]                            public partial Tensor Image { get; }
    [Conv2D(32, Kernel = 3, Padding = 1), ReLU] public partial Tensor Conv1 { get; }
    [Conv2D(32, Kernel = 3, Padding = 1), ReLU] public partial Tensor Conv2 { get; }
    [MaxPool2D(2)]                              public partial Tensor Pool { get; }
    [Flatten, Dense(12), ReLU]                  public partial Tensor Hidden { get; }
    [Dense(4)]                                  public partial Tensor Logits { get; }
}

/// <summary>
/// Winograd F(4×4, 3×3) convolution (all three passes) against plain double-precision loops, called
/// directly (whatever the dispatch rule chooses) on awkward sizes, paddings, thread counts and flags.
/// </summary>
public class WinogradConvolutionTests
{
    /// <summary>A 3×3 stride-1 case; the bottom/right padding enters only through the output size.</summary>
    public sealed record Case(int Batch, int InC, int H, int W, int OutC, int PadTop, int PadLeft, int PadBottom, int PadRight)
    {
        public Conv2DGeometry Geometry => new(InC, H, W, OutC, 3, 3, 1, 1, PadTop, PadLeft, 1, 1,
            H + PadTop + PadBottom - 2, W + PadLeft + PadRight - 2);

        public static Case Square(int batch, int inC, int size, int outC, int pad) => new(batch, inC, size, size, outC, pad, pad, pad, pad);
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["1x1 input, pad 1, one channel"] = Case.Square(1, 1, 1, 1, 1),
        ["2x2 input, pad 2, 3 -> 17 channels, batch 3"] = Case.Square(3, 3, 2, 17, 2),
        ["3x3 input, pad 0: a single output, 17 -> 3 channels"] = Case.Square(3, 17, 3, 3, 0),
        ["17x17, pad 1, 63 -> 65 channels"] = Case.Square(1, 63, 17, 65, 1),
        ["batch 65 (5 groups, one lane in the last), 6x5, pad 2"] = new(65, 3, 6, 5, 17, 2, 2, 2, 2),
        ["65 -> 63 channels, 9x7, pad 2"] = new(3, 65, 9, 7, 63, 2, 2, 2, 2),
        ["33x33, pad 1, 17 -> 1 channel"] = Case.Square(1, 17, 33, 1, 1),
        ["28x28, pad 1, 3 -> 3 channels, batch 3"] = Case.Square(3, 3, 28, 3, 1),
        ["33x17, pad 0, 5 -> 7 channels, batch 2"] = new(2, 5, 33, 17, 7, 0, 0, 0, 0),
        ["Same-like asymmetric: pad top 2, left 0, bottom 0, right 2"] = new(2, 4, 7, 6, 5, 2, 0, 0, 2),
        ["bottom padding wider than the reach: rows of bias only"] = new(2, 3, 5, 5, 4, 1, 1, 4, 3),
        ["negative bottom padding: last input rows unread"] = new(3, 3, 9, 8, 4, 0, 1, -1, -2),
        ["65 input channels, 33x33: the forward frames come in two bands"] = Case.Square(1, 65, 33, 3, 1),
        ["63 -> 65 channels, 17x65: the weight gradient comes in two bands"] = new(1, 63, 17, 65, 65, 1, 1, 1, 1),
        // Tile rows cut into segments whose outputs are staged for every channel and copied out whole rows.
        ["3 -> 65 channels, 17x17, pad 1: dx's tile rows in segments, staged whole"] = Case.Square(2, 3, 17, 65, 1),
        ["65 -> 3 channels, 16x16, pad 1: y's tile rows in segments, staged whole"] = Case.Square(1, 65, 16, 3, 1),
    };

    public static TheoryData<string, int> CasesAndThreads
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var name in Cases.Keys)
            {
                data.Add(name, 1);
                data.Add(name, 2);
            }
            return data;
        }
    }

    // ---- the independent double reference -----------------------------------------------------

    private static double Input(Conv2DGeometry g, double[] x, int n, int c, int iy, int ix) =>
        iy < 0 || iy >= g.InHeight || ix < 0 || ix >= g.InWidth ? 0 : x[((n * g.InChannels + c) * g.InHeight + iy) * g.InWidth + ix];

    /// <summary>y[n, o, oy, ox] = b[o] + Σ_c Σ_(a,b) W[o, c, a, b]·x[n, c, oy + a − padTop, ox + b − padLeft].</summary>
    private static double[] ReferenceForward(Conv2DGeometry g, int batch, double[] x, double[] w, double[]? bias)
    {
        var y = new double[batch * g.OutputSize];
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
                for (int oy = 0; oy < g.OutHeight; oy++)
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        double sum = bias?[o] ?? 0;
                        for (int c = 0; c < g.InChannels; c++)
                            for (int a = 0; a < 3; a++)
                                for (int b = 0; b < 3; b++)
                                    sum += w[((o * g.InChannels + c) * 3 + a) * 3 + b] * Input(g, x, n, c, oy + a - g.PadTop, ox + b - g.PadLeft);
                        y[((n * g.OutChannels + o) * g.OutHeight + oy) * g.OutWidth + ox] = sum;
                    }
        return y;
    }

    /// <summary>dx and dW of the forward for output gradient dy, by scattering every (output, tap) product.</summary>
    private static (double[] Dx, double[] Dw) ReferenceBackward(Conv2DGeometry g, int batch, double[] x, double[] w, double[] dy)
    {
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
                for (int oy = 0; oy < g.OutHeight; oy++)
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        double gy = dy[((n * g.OutChannels + o) * g.OutHeight + oy) * g.OutWidth + ox];
                        for (int c = 0; c < g.InChannels; c++)
                            for (int a = 0; a < 3; a++)
                                for (int b = 0; b < 3; b++)
                                {
                                    int iy = oy + a - g.PadTop, ix = ox + b - g.PadLeft;
                                    if (iy < 0 || iy >= g.InHeight || ix < 0 || ix >= g.InWidth) continue;
                                    int xi = ((n * g.InChannels + c) * g.InHeight + iy) * g.InWidth + ix;
                                    int wi = ((o * g.InChannels + c) * 3 + a) * 3 + b;
                                    dx[xi] += w[wi] * gy;
                                    dw[wi] += x[xi] * gy;
                                }
                    }
        return (dx, dw);
    }

    private sealed record Data(double[] X, double[] W, double[] B, double[] Dy, double[] Dx0, double[] Dw0);

    private static Data RandomData(Conv2DGeometry g, int batch, int seed)
    {
        var random = new Random(seed);
        double[] Next(int length, double scale = 1) => GradientCheck.Rounded(GradientCheck.RandomArray(random, length, scale));
        return new Data(Next(batch * g.InputSize), Next(g.WeightCount, 0.5), Next(g.OutChannels), Next(batch * g.OutputSize),
            Next(batch * g.InputSize, 3), Next(g.WeightCount, 3));
    }

    private static float[] F(double[] a) => GradientCheck.ToFloat(a);

    private static double[] Plus(double[] a, double[] b) => a.Zip(b, (p, q) => p + q).ToArray();

    private static double[] Relu(double[] a) => a.Select(v => Math.Max(v, 0)).ToArray();

    private static CpuBackend Backend(int threads)
    {
        var backend = CpuTensors.NewCpu(threads);
        backend.Pool.MinimumWorkPerPart = 0; // split even small problems
        return backend;
    }

    private static float[] RunForward(Conv2DGeometry g, int batch, Data d, bool bias, bool relu, WorkerPool pool) =>
        RunForward(g, batch, d, bias, relu ? ActivationKind.ReLU : ActivationKind.Identity, 0f, pool);

    private static float[] RunForward(Conv2DGeometry g, int batch, Data d, bool bias, ActivationKind activation, float alpha, WorkerPool pool)
    {
        var y = new float[batch * g.OutputSize];
        Array.Fill(y, float.NaN); // the forward must overwrite every output
        WinogradConvolution.Forward(g, batch, F(d.X), F(d.W), bias ? F(d.B) : ReadOnlySpan<float>.Empty, y, activation, alpha, pool);
        return y;
    }

    // ---- the three passes -------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(CasesAndThreads))]
    public void Forward_matches_naive_loops_with_and_without_bias_and_relu(string name, int threads)
    {
        var c = Cases[name];
        var g = c.Geometry;
        Assert.True(WinogradConvolution.Supports(g), $"{name}: {g} should be supported");
        var d = RandomData(g, c.Batch, name.Length);
        using var backend = Backend(threads);
        var withBias = ReferenceForward(g, c.Batch, d.X, d.W, d.B);
        GradientCheck.AssertClose(withBias, RunForward(g, c.Batch, d, bias: true, relu: false, backend.Pool), 1e-4, "y");
        GradientCheck.AssertClose(ReferenceForward(g, c.Batch, d.X, d.W, null), RunForward(g, c.Batch, d, bias: false, relu: false, backend.Pool), 1e-4, "y without bias");
        GradientCheck.AssertClose(Relu(withBias), RunForward(g, c.Batch, d, bias: true, relu: true, backend.Pool), 1e-4, "relu(y)");
    }

    [Theory]
    [InlineData(ActivationKind.Tanh, 0f)]
    [InlineData(ActivationKind.LeakyReLU, 0.1f)]
    public void Other_fused_activations_follow_the_output_of_every_group(ActivationKind activation, float alpha)
    {
        var c = Cases["batch 65 (5 groups, one lane in the last), 6x5, pad 2"];
        var g = c.Geometry;
        var d = RandomData(g, c.Batch, 31);
        using var backend = Backend(2);
        Func<double, double> f = activation == ActivationKind.Tanh ? Math.Tanh : v => v > 0 ? v : alpha * v;
        var expected = ReferenceForward(g, c.Batch, d.X, d.W, d.B).Select(f).ToArray();
        GradientCheck.AssertClose(expected, RunForward(g, c.Batch, d, bias: true, activation, alpha, backend.Pool), 1e-4, $"{activation}(y)");
    }

    [Theory]
    [MemberData(nameof(CasesAndThreads))]
    public void Input_and_weight_gradients_add_into_prefilled_buffers(string name, int threads)
    {
        var c = Cases[name];
        var g = c.Geometry;
        var d = RandomData(g, c.Batch, name.Length + 1);
        using var backend = Backend(threads);
        var (dx, dw) = ReferenceBackward(g, c.Batch, d.X, d.W, d.Dy);

        float[] actualDx = F(d.Dx0);
        WinogradConvolution.BackwardInput(g, c.Batch, F(d.W), F(d.Dy), actualDx, backend.Pool);
        GradientCheck.AssertClose(Plus(d.Dx0, dx), actualDx, 1e-4, "dx");

        float[] actualDw = F(d.Dw0);
        WinogradConvolution.BackwardWeight(g, c.Batch, F(d.X), F(d.Dy), actualDw, backend.Pool);
        GradientCheck.AssertClose(Plus(d.Dw0, dw), actualDw, 1e-4, "dW");
    }

    /// <summary>
    /// The fused backward pass (dz packed once for dx, dW and db) on every case: the frames of dz serve
    /// both gradients' grids, which differ when the padding is not symmetric.
    /// </summary>
    [Theory]
    [MemberData(nameof(CasesAndThreads))]
    public void One_backward_pass_forms_all_three_gradients_through_a_relu(string name, int threads)
    {
        var c = Cases[name];
        var g = c.Geometry;
        var d = RandomData(g, c.Batch, name.Length + 2);
        double[] y = GradientCheck.Rounded(GradientCheck.RandomArray(new Random(name.Length), d.Dy.Length));
        double[] dz = ActivationGradient(ActivationKind.ReLU, 0, y, d.Dy);
        var (dx, dw) = ReferenceBackward(g, c.Batch, d.X, d.W, dz);
        double[] db = new double[g.OutChannels];
        for (int i = 0; i < dz.Length; i++) db[i / (g.OutHeight * g.OutWidth) % g.OutChannels] += dz[i];

        using var backend = Backend(threads);
        float[] actualDx = F(d.Dx0), actualDw = F(d.Dw0), actualDb = new float[g.OutChannels];
        WinogradConvolution.Backward(g, c.Batch, F(d.X), F(d.W), F(d.Dy), F(y), ActivationKind.ReLU, 0f,
            actualDx, actualDw, actualDb, backend.Pool);
        GradientCheck.AssertClose(Plus(d.Dx0, dx), actualDx, 1e-4, "dx");
        GradientCheck.AssertClose(Plus(d.Dw0, dw), actualDw, 1e-4, "dW");
        GradientCheck.AssertClose(db, actualDb, 1e-4, "db");
    }

    [Theory]
    [InlineData("batch 65 (5 groups, one lane in the last), 6x5, pad 2")]
    [InlineData("65 -> 63 channels, 9x7, pad 2")]
    [InlineData("63 -> 65 channels, 17x65: the weight gradient comes in two bands")]
    public void Results_are_bit_identical_on_one_two_and_three_threads(string name)
    {
        var c = Cases[name];
        var g = c.Geometry;
        var d = RandomData(g, c.Batch, 99);
        float[][] Run(int threads)
        {
            using var backend = Backend(threads);
            var y = RunForward(g, c.Batch, d, bias: true, relu: false, backend.Pool);
            float[] dx = F(d.Dx0), dw = F(d.Dw0);
            WinogradConvolution.BackwardInput(g, c.Batch, F(d.W), F(d.Dy), dx, backend.Pool);
            WinogradConvolution.BackwardWeight(g, c.Batch, F(d.X), F(d.Dy), dw, backend.Pool);
            float[] fusedDx = F(d.Dx0), fusedDw = F(d.Dw0), fusedDb = new float[g.OutChannels];
            WinogradConvolution.Backward(g, c.Batch, F(d.X), F(d.W), F(d.Dy), y, ActivationKind.ReLU, 0f, fusedDx, fusedDw, fusedDb, backend.Pool);
            return new[] { y, dx, dw, fusedDx, fusedDw, fusedDb };
        }
        // Parts claim groups and shares one at a time, so who runs which differs from call to call (and with
        // three threads, more parts than cores): the bits must not.
        var one = Run(1);
        foreach (int threads in new[] { 2, 3, 2 })
        {
            var many = Run(threads);
            for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], many[i]);
        }
    }

    /// <summary>
    /// Cases whose dx and dz tile grids agree, so one backward pass transforms each dz tile once for both
    /// gradients (InputAndGradientTransform): dz's tile starts at row/column 0, 1 or 2 of its input tile,
    /// the weight gradient's sub-bands hold one or several tile rows, the dz frames one band or two.
    /// </summary>
    public static TheoryData<string, int> SameGridCasesAndThreads
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var name in new[]
            {
                "2x2 input, pad 2, 3 -> 17 channels, batch 3", "3x3 input, pad 0: a single output, 17 -> 3 channels",
                "17x17, pad 1, 63 -> 65 channels", "batch 65 (5 groups, one lane in the last), 6x5, pad 2",
                "33x33, pad 1, 17 -> 1 channel", "28x28, pad 1, 3 -> 3 channels, batch 3",
                "Same-like asymmetric: pad top 2, left 0, bottom 0, right 2", "63 -> 65 channels, 17x65: the weight gradient comes in two bands",
                "3 -> 65 channels, 17x17, pad 1: dx's tile rows in segments, staged whole",
                "65 -> 3 channels, 16x16, pad 1: y's tile rows in segments, staged whole",
            })
            {
                data.Add(name, 1);
                data.Add(name, 2);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(SameGridCasesAndThreads))]
    public void Both_gradients_from_one_transform_of_dz_have_the_bits_of_separate_passes(string name, int threads)
    {
        var c = Cases[name];
        var g = c.Geometry;
        Assert.Equal((g.InHeight + 3) / 4, (g.OutHeight + 3) / 4);
        Assert.Equal((g.InWidth + 3) / 4, (g.OutWidth + 3) / 4);
        var d = RandomData(g, c.Batch, name.Length + 3);
        using var backend = Backend(threads);
        // Separate passes: dx alone transforms dz for the correlation only, dW alone transforms it itself.
        float[] dx = new float[d.Dx0.Length], dw = F(d.Dw0);
        WinogradConvolution.BackwardInput(g, c.Batch, F(d.W), F(d.Dy), dx, backend.Pool);
        WinogradConvolution.BackwardWeight(g, c.Batch, F(d.X), F(d.Dy), dw, backend.Pool);

        float[] fusedDx = Enumerable.Repeat(float.NaN, dx.Length).ToArray(), fusedDw = F(d.Dw0);
        WinogradConvolution.Backward(g, c.Batch, F(d.X), F(d.W), F(d.Dy), ReadOnlySpan<float>.Empty, ActivationKind.Identity, 0f,
            fusedDx, fusedDw, Span<float>.Empty, backend.Pool, overwriteDx: true);
        Assert.Equal(dx, fusedDx);
        Assert.Equal(dw, fusedDw);
        var (referenceDx, referenceDw) = ReferenceBackward(g, c.Batch, d.X, d.W, d.Dy);
        GradientCheck.AssertClose(referenceDx, fusedDx, 1e-4, "dx");
        GradientCheck.AssertClose(Plus(d.Dw0, referenceDw), fusedDw, 1e-4, "dW");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_weight_gradient_reads_nothing_left_in_scratch_by_an_earlier_call(int threads)
    {
        // 3 input channels: the transformed input's rows are padded to 32 channels; 3 samples leave 13
        // lanes of their group empty. A NaN left there by the call before would reach dW through 0 · NaN.
        var c = new Case(3, 3, 6, 5, 17, 2, 2, 2, 2);
        var g = c.Geometry;
        var d = RandomData(g, c.Batch, 77);
        using var backend = Backend(threads);
        var nan = Enumerable.Repeat(float.NaN, 32 * g.InputSize).ToArray();
        var dyFull = F(RandomData(g, 32, 78).Dy);
        WinogradConvolution.BackwardWeight(g, 32, nan, dyFull, new float[g.WeightCount], backend.Pool);

        var (_, dw) = ReferenceBackward(g, c.Batch, d.X, d.W, d.Dy);
        float[] actualDw = new float[dw.Length];
        WinogradConvolution.BackwardWeight(g, c.Batch, F(d.X), F(d.Dy), actualDw, backend.Pool);
        GradientCheck.AssertClose(dw, actualDw, 1e-4, "dW after a NaN call");
    }

    [Fact]
    public void Accuracy_on_a_W3_sized_layer_is_well_inside_the_tolerance()
    {
        // conv2 of the Keras MNIST CNN (32 → 64 channels, 28×28, pad 1), 16 samples: the largest
        // transform values (points ±2) meet sums over 32 channels. Forward and both gradients.
        var c = Case.Square(16, 32, 28, 64, 1);
        var g = c.Geometry;
        var d = RandomData(g, c.Batch, 5);
        using var backend = Backend(2);
        GradientCheck.AssertClose(ReferenceForward(g, c.Batch, d.X, d.W, d.B), RunForward(g, c.Batch, d, true, false, backend.Pool), 2e-5, "y");
        var (dx, dw) = ReferenceBackward(g, c.Batch, d.X, d.W, d.Dy);
        float[] actualDx = new float[dx.Length], actualDw = new float[dw.Length];
        WinogradConvolution.BackwardInput(g, c.Batch, F(d.W), F(d.Dy), actualDx, backend.Pool);
        WinogradConvolution.BackwardWeight(g, c.Batch, F(d.X), F(d.Dy), actualDw, backend.Pool);
        GradientCheck.AssertClose(dx, actualDx, 2e-5, "dx");
        GradientCheck.AssertClose(dw, actualDw, 2e-5, "dW");
    }

    // ---- dispatch and the backend contract ----------------------------------------------------

    [Fact]
    public void The_backend_runs_a_W3_like_layer_here_and_keeps_its_contract()
    {
        var c = Case.Square(16, 32, 12, 32, 1);
        var g = c.Geometry;
        Assert.True(WinogradConvolution.Prefers(g, c.Batch), "a 32 → 32 channel 3×3 layer at batch 16 should take the Winograd path");
        var d = RandomData(g, c.Batch, 21);
        using var backend = Backend(2);
        var y = backend.Zeros(c.Batch * g.OutputSize);
        backend.Fill(y, float.NaN);
        backend.Conv2DForward(g, c.Batch, backend.Upload(d.X), backend.Upload(d.W), backend.Upload(d.B), y);
        GradientCheck.AssertClose(ReferenceForward(g, c.Batch, d.X, d.W, d.B), backend.Download(y), 1e-4, "y");

        var (dx, dw) = ReferenceBackward(g, c.Batch, d.X, d.W, d.Dy);
        double[] db = new double[g.OutChannels];
        for (int i = 0; i < d.Dy.Length; i++) db[i / (g.OutHeight * g.OutWidth) % g.OutChannels] += d.Dy[i];
        var dxView = backend.Upload(d.Dx0);
        var dwView = backend.Upload(d.Dw0);
        var dbView = backend.Zeros(g.OutChannels);
        backend.Conv2DBackward(g, c.Batch, backend.Upload(d.X), backend.Upload(d.W), backend.Upload(d.Dy), dxView, dwView, dbView);
        GradientCheck.AssertClose(Plus(d.Dx0, dx), backend.Download(dxView), 1e-4, "dx");
        GradientCheck.AssertClose(Plus(d.Dw0, dw), backend.Download(dwView), 1e-4, "dW");
        GradientCheck.AssertClose(db, backend.Download(dbView), 1e-4, "db");

        // Only the input gradient, then only the weight gradient: the other views stay untouched.
        var dxOnly = backend.Zeros(d.X.Length);
        backend.Conv2DBackward(g, c.Batch, BufferView.Empty, backend.Upload(d.W), backend.Upload(d.Dy), dxOnly, BufferView.Empty, BufferView.Empty);
        GradientCheck.AssertClose(dx, backend.Download(dxOnly), 1e-4, "dx alone");
        var dwOnly = backend.Zeros(d.W.Length);
        backend.Conv2DBackward(g, c.Batch, backend.Upload(d.X), BufferView.Empty, backend.Upload(d.Dy), BufferView.Empty, dwOnly, BufferView.Empty);
        GradientCheck.AssertClose(dw, backend.Download(dwOnly), 1e-4, "dW alone");
    }

    /// <summary>dz = dy ⊙ f'(y), written from the activation's definition in terms of its output y.</summary>
    private static double[] ActivationGradient(ActivationKind kind, double alpha, double[] y, double[] dy) =>
        y.Select((v, i) => kind switch
        {
            ActivationKind.ReLU => v > 0 ? dy[i] : 0,
            ActivationKind.LeakyReLU => v > 0 ? dy[i] : alpha * dy[i],
            ActivationKind.Sigmoid => dy[i] * v * (1 - v),
            ActivationKind.Tanh => dy[i] * (1 - v * v),
            _ => dy[i],
        }).ToArray();

    [Theory]
    [InlineData(ActivationKind.Identity, 0f, 1)]
    [InlineData(ActivationKind.ReLU, 0f, 2)]
    [InlineData(ActivationKind.LeakyReLU, 0.2f, 1)]
    [InlineData(ActivationKind.Sigmoid, 0f, 2)]
    [InlineData(ActivationKind.Tanh, 0f, 1)]
    public void The_backend_backward_forms_the_fused_activation_gradient_while_packing(ActivationKind kind, float alpha, int threads)
    {
        // 17 samples (a full group and one lane), 6×5 (edge tiles), 32 → 33 channels.
        var c = new Case(17, 32, 6, 5, 33, 1, 1, 1, 1);
        var g = c.Geometry;
        Assert.True(WinogradConvolution.Prefers(g, c.Batch));
        var d = RandomData(g, c.Batch, 41 + (int)kind);
        // The activation's output: values of both signs, including exact zeros (ReLU's kink).
        double[] y = GradientCheck.Rounded(GradientCheck.RandomArray(new Random(42), d.Dy.Length));
        for (int i = 0; i < y.Length; i += 7) y[i] = 0;
        double[] dz = ActivationGradient(kind, alpha, y, d.Dy);
        var (dx, dw) = ReferenceBackward(g, c.Batch, d.X, d.W, dz);
        double[] db = new double[g.OutChannels];
        for (int i = 0; i < dz.Length; i++) db[i / (g.OutHeight * g.OutWidth) % g.OutChannels] += dz[i];

        using var backend = Backend(threads);
        var (xv, wv, yv, dyv) = (backend.Upload(d.X), backend.Upload(d.W), backend.Upload(y), backend.Upload(d.Dy));
        var dxView = backend.Upload(d.Dx0);
        var dwView = backend.Upload(d.Dw0);
        var dbView = backend.Zeros(g.OutChannels);
        backend.Conv2DBackward(g, c.Batch, xv, wv, kind, alpha, yv, dyv, dxView, dwView, dbView);
        GradientCheck.AssertClose(Plus(d.Dx0, dx), backend.Download(dxView), 1e-4, "dx");
        GradientCheck.AssertClose(Plus(d.Dw0, dw), backend.Download(dwView), 1e-4, "dW");
        GradientCheck.AssertClose(db, backend.Download(dbView), 1e-4, "db");

        // A frozen kernel: the bias gradient alone, then the input gradient alone.
        var dbOnly = backend.Zeros(g.OutChannels);
        backend.Conv2DBackward(g, c.Batch, BufferView.Empty, BufferView.Empty, kind, alpha, yv, dyv, BufferView.Empty, BufferView.Empty, dbOnly);
        GradientCheck.AssertClose(db, backend.Download(dbOnly), 1e-4, "db alone");
        var dxOnly = backend.Zeros(d.X.Length);
        backend.Conv2DBackward(g, c.Batch, BufferView.Empty, wv, kind, alpha, yv, dyv, dxOnly, BufferView.Empty, BufferView.Empty);
        GradientCheck.AssertClose(dx, backend.Download(dxOnly), 1e-4, "dx alone");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_training_step_of_a_W3_shaped_network_allocates_nothing_after_the_first(int threads)
    {
        // Every loop splits (no minimum work); 40 samples are three groups, so with two threads the parts
        // differ in size and meet each thread's scratch at different sizes.
        using var backend = Backend(threads);
        const int batch = 40;
        var net = new SmallKerasCnn(maxBatch: batch, seed: 3, backend);
        Assert.True(WinogradConvolution.Prefers(new Conv2DGeometry(32, 8, 8, 32, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8), batch),
            "the network's second convolution should take the Winograd path");
        var optimizer = new Adam(1e-3);
        float[] x = GradientCheck.ToFloat(GradientCheck.RandomArray(new Random(4), batch * SmallKerasCnn.Shapes.ImageSize));
        int[] labels = Enumerable.Range(0, batch).Select(i => i % 4).ToArray();
        net.TrainStep(x, labels, optimizer); // first call: optimizer state and kernel scratch are allocated here
        AllocationCheck.AssertRepeatedCallsAllocateNothing(() => net.TrainStep(x, labels, optimizer), 4, $"a W3-shaped training step on {threads} threads");
    }
}
