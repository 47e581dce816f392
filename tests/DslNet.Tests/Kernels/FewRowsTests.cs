using System;
using System.Runtime.Intrinsics;
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
}
