using System;
using System.Runtime.Intrinsics;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

/// <summary>
/// The few-rows products over a transposed B (x·Wᵀ at batch 1 to 7): the eight-column and 4×4 dot
/// kernels, their single-column remainder, and the eight-at-once horizontal sums they end with.
/// </summary>
public class FewRowsTests
{
    private static readonly int[] Awkward = { 1, 3, 17, 63, 65, 257 };

    [Fact]
    public void Eight_lane_sums_follow_the_documented_tree_in_every_slot()
    {
        // The vector reduction against its lane-by-lane definition, and a sum's bits must not depend
        // on its slot or on the other seven accumulators (kernels reduce one, four or eight at once).
        var random = new Random(3);
        for (int trial = 0; trial < 50; trial++)
        {
            var s = new Vector512<float>[8];
            for (int q = 0; q < 8; q++) s[q] = RandomVector(random, trial);
            var sums = LaneSums.Eight(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
            Assert.Equal(LaneSums.Portable(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]), sums);
            for (int q = 0; q < 8; q++)
            {
                var alone = new Vector512<float>[8];
                alone[q] = s[q];
                var single = LaneSums.Eight(alone[0], alone[1], alone[2], alone[3], alone[4], alone[5], alone[6], alone[7]);
                Assert.Equal(BitConverter.SingleToInt32Bits(sums[q]), BitConverter.SingleToInt32Bits(single[q]));
                double exact = 0;
                for (int lane = 0; lane < 16; lane++) exact += s[q][lane];
                Assert.True(Math.Abs(sums[q] - exact) <= 1e-5 * (1 + Math.Abs(exact)), $"slot {q}: {sums[q]} vs {exact}");
            }
        }
    }

    /// <summary>Lanes of mixed magnitudes (so a different order of additions would round differently).</summary>
    private static Vector512<float> RandomVector(Random random, int trial)
    {
        var lanes = new float[16];
        for (int i = 0; i < 16; i++) lanes[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4)) * (trial + 1));
        return Vector512.Create(lanes);
    }

    [Theory]
    [InlineData(0f, 1)]
    [InlineData(1f, 1)]
    [InlineData(0f, 2)]
    [InlineData(1f, 3)]
    public void Products_of_one_to_seven_rows_with_a_transposed_b_match_naive(float beta, int threads)
    {
        // Every row count below the packed path's MR, so one-row (eight columns per pass) and four-row
        // (4×4) kernels and their single-column rest all run, on the awkward sizes, with a leading
        // dimension of B larger than k, in both read directions (consecutive calls over the same B
        // alternate), sequential or split across threads (each column group on its own).
        using var pool = threads == 1 ? null : new WorkerPool(threads) { MinimumWorkPerPart = 0 };
        var random = new Random(59 + threads);
        for (int m = 1; m < Gemm.MR; m++)
            foreach (int n in Awkward)
                foreach (int k in Awkward)
                {
                    if (m > 3 && n == 257 && k == 257) continue; // large enough once
                    int ldb = k + 2;
                    double[] a = GradientCheck.Rounded(GradientCheck.RandomArray(random, m * k));
                    double[] b = GradientCheck.Rounded(GradientCheck.RandomArray(random, n * ldb));
                    double[] c0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, m * n));
                    float[] af = GradientCheck.ToFloat(a), bf = GradientCheck.ToFloat(b);
                    var expected = new double[m * n];
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                        {
                            double sum = beta == 0 ? 0 : c0[i * n + j];
                            for (int p = 0; p < k; p++) sum += a[i * k + p] * b[j * ldb + p];
                            expected[i * n + j] = sum;
                        }
                    float[]? first = null;
                    for (int call = 0; call < 2; call++)
                    {
                        var c = GradientCheck.ToFloat(c0);
                        Gemm.Multiply(false, true, m, n, k, af, k, bf, ldb, c, n, beta, pool);
                        GradientCheck.AssertClose(expected, c, 1e-5, $"C ({m}×{n}×{k}, beta {beta}, call {call + 1})");
                        if (first is null) first = c;
                        else Assert.True(first.AsSpan().SequenceEqual(c), $"{m}×{n}×{k}: the reversed read differs from the forward one");
                    }
                    // Each row exactly as its own one-row product (the 4×4 kernel sums as the one-row one).
                    for (int i = 0; i < m; i++)
                    {
                        var row = GradientCheck.ToFloat(c0.AsSpan(i * n, n).ToArray());
                        Gemm.Multiply(false, true, 1, n, k, af.AsSpan(i * k, k), k, bf, ldb, row, n, beta);
                        Assert.True(row.AsSpan().SequenceEqual(first!.AsSpan(i * n, n)), $"{m}×{n}×{k}: row {i} differs from its one-row product");
                    }
                }
    }

    [Theory]
    [InlineData(ActivationKind.Identity, 0f)]
    [InlineData(ActivationKind.ReLU, 0f)]
    [InlineData(ActivationKind.LeakyReLU, 0.1f)]
    [InlineData(ActivationKind.Sigmoid, 0f)]
    [InlineData(ActivationKind.Tanh, 0f)]
    public void Dense_forward_at_small_batches_sets_bias_and_activation_per_thread(ActivationKind kind, float alpha)
    {
        // DenseForward at batch 1 to 7 presets, multiplies and activates each thread's columns itself:
        // y must agree with the double reference f(x·Wᵀ + b), and bit for bit with the unfused
        // sequence it replaces (y = b, the product added onto it, then f over all of y), at 1, 2 and 3
        // threads with every product split, with and without a bias.
        var random = new Random(71 + (int)kind);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var backend = CpuTensors.NewCpu(threads);
            backend.Pool.MinimumWorkPerPart = 0;
            foreach (var (inF, outF, batch) in new[] { (1, 1, 1), (3, 17, 1), (17, 63, 2), (63, 65, 3), (65, 257, 1), (257, 3, 7), (257, 257, 5) })
                foreach (bool withBias in new[] { true, false })
                {
                    var g = new DenseGeometry(inF, outF);
                    double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(random, batch * inF));
                    double[] w = GradientCheck.Rounded(GradientCheck.RandomArray(random, outF * inF));
                    double[] b = GradientCheck.Rounded(GradientCheck.RandomArray(random, outF));
                    var vb = withBias ? backend.Upload(b) : BufferView.Empty;
                    var y = backend.Zeros(batch * outF);
                    backend.Fill(y, float.NaN); // every output must be written
                    backend.DenseForward(g, batch, backend.Upload(x), backend.Upload(w), vb, kind, alpha, y);
                    float[] actual = backend.Download(y);

                    var expected = new double[batch * outF];
                    for (int r = 0; r < batch; r++)
                        for (int j = 0; j < outF; j++)
                        {
                            double z = withBias ? b[j] : 0;
                            for (int p = 0; p < inF; p++) z += x[r * inF + p] * w[j * inF + p];
                            expected[r * outF + j] = Activate(kind, alpha, z);
                        }
                    string what = $"y ({batch}×{inF}→{outF}, {kind}, bias {withBias}, {threads} threads)";
                    GradientCheck.AssertClose(expected, actual, 1e-5, what);

                    float[] unfused = withBias ? GradientCheck.ToFloat(Repeat(b, batch)) : new float[batch * outF];
                    Gemm.Multiply(false, true, batch, outF, inF, GradientCheck.ToFloat(x), inF, GradientCheck.ToFloat(w), inF,
                        unfused, outF, withBias ? 1f : 0f);
                    var unfusedView = backend.Upload(Array.ConvertAll(unfused, v => (double)v));
                    backend.ActivationForward(kind, alpha, unfusedView, unfusedView);
                    Assert.True(backend.Download(unfusedView).AsSpan().SequenceEqual(actual), $"{what}: differs from the unfused sequence");
                }
        }
    }

    private static double[] Repeat(double[] row, int times)
    {
        var all = new double[row.Length * times];
        for (int t = 0; t < times; t++) row.CopyTo(all, t * row.Length);
        return all;
    }

    private static double Activate(ActivationKind kind, float alpha, double z) => kind switch
    {
        ActivationKind.ReLU => Math.Max(z, 0),
        ActivationKind.LeakyReLU => z > 0 ? z : alpha * z,
        ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-z)),
        ActivationKind.Tanh => Math.Tanh(z),
        _ => z,
    };
}
