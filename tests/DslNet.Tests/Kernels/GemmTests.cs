using System;
using System.Collections.Generic;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

public class GemmTests
{
    private static readonly int[] Awkward = { 1, 3, 17, 63, 65, 257 };

    /// <summary>
    /// Size triples (m, n, k): the full cross product of the small awkward sizes, plus triples that put
    /// 63, 65 and 257 in each position so every blocking edge (MR, NR, MC = 120, KC = 256) is crossed
    /// in every dimension, without the cost of the whole 6³ product for eight combinations.
    /// </summary>
    private static IEnumerable<(int M, int N, int K)> Sizes()
    {
        int[] small = { 1, 3, 17 };
        foreach (int m in small) foreach (int n in small) foreach (int k in small) yield return (m, n, k);
        foreach (int big in new[] { 63, 65, 257 })
        {
            yield return (big, 3, 17);
            yield return (17, big, 3);
            yield return (3, 17, big);
            yield return (big, big, 1);
            yield return (1, big, big);
            yield return (big, 1, big);
        }
        yield return (257, 63, 65);
        yield return (63, 65, 257);
        yield return (65, 257, 63);
        yield return (257, 257, 17);
        yield return (130, 70, 300); // two MC blocks and two KC blocks at once
    }

    public static TheoryData<bool, bool, float> Combinations()
    {
        var data = new TheoryData<bool, bool, float>();
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (float beta in new[] { 0f, 1f })
                    data.Add(ta, tb, beta);
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Matches_naive_double_product_for_awkward_sizes(bool transposeA, bool transposeB, float beta)
    {
        var random = new Random(17 + (transposeA ? 1 : 0) + (transposeB ? 2 : 0) + (int)beta * 4);
        foreach (var (m, n, k) in Sizes())
            RunCase(random, transposeA, transposeB, m, n, k, beta, padA: 0, padB: 0, padC: 0);
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Respects_leading_dimensions_larger_than_rows(bool transposeA, bool transposeB, float beta)
    {
        var random = new Random(5);
        foreach (var (m, n, k) in new[] { (3, 5, 7), (17, 63, 65), (65, 17, 257), (1, 33, 9) })
            RunCase(random, transposeA, transposeB, m, n, k, beta, padA: 3, padB: 5, padC: 7);
    }

    [Fact]
    public void Crosses_the_column_block_boundary()
    {
        // n > NC = 3072 exercises the outermost loop.
        RunCase(new Random(3), false, true, 7, Gemm.NC + 33, 5, 1f, padA: 0, padB: 0, padC: 0);
        RunCase(new Random(4), true, false, 2, Gemm.NC + 1, 3, 0f, padA: 1, padB: 0, padC: 2);
    }

    [Fact]
    public void Beta_zero_never_reads_c()
    {
        // C full of NaN must be overwritten, not scaled by 0 (0·NaN = NaN).
        var random = new Random(9);
        int m = 13, n = 37, k = 11;
        double[] a = GradientCheck.Rounded(GradientCheck.RandomArray(random, m * k));
        double[] b = GradientCheck.Rounded(GradientCheck.RandomArray(random, k * n));
        var c = new float[m * n];
        Array.Fill(c, float.NaN);
        Gemm.Multiply(false, false, m, n, k, GradientCheck.ToFloat(a), k, GradientCheck.ToFloat(b), n, c, n, 0f);
        GradientCheck.AssertClose(Reference(false, false, m, n, k, a, k, b, n, new double[m * n], n, 0), c, 1e-5, "C");
    }

    [Fact]
    public void Other_beta_scales_c_and_k_zero_only_scales()
    {
        var random = new Random(11);
        RunCase(random, true, true, 9, 40, 20, 0.5f, padA: 0, padB: 0, padC: 0);

        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Multiply(false, false, 2, 2, 0, ReadOnlySpan<float>.Empty, 0, ReadOnlySpan<float>.Empty, 2, c, 2, 1f);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, c);
        Gemm.Multiply(false, false, 2, 2, 0, ReadOnlySpan<float>.Empty, 0, ReadOnlySpan<float>.Empty, 2, c, 2, 0f);
        Assert.Equal(new float[] { 0, 0, 0, 0 }, c);
    }

    [Fact]
    public void Rejects_too_short_operands_naming_them()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[4];
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 4, a, 4, b, 2, c, 2, 0f));
        Assert.Contains("a has 6 elements", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, a, 3, new float[5], 2, c, 2, 0f));
        Assert.Contains("b has 5 elements", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 3, 3, a, 3, new float[9], 3, c, 3, 0f));
        Assert.Contains("c has 4 elements", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, a, 2, b, 2, c, 2, 0f));
        Assert.Contains("leading dimension of a", ex.Message);
    }

    [Fact]
    public void Allocates_nothing_after_the_first_call()
    {
        int m = 70, n = 90, k = 300;
        var a = new float[m * k];
        var b = new float[k * n];
        var c = new float[m * n];
        Gemm.Multiply(false, true, m, n, k, a, k, b, k, c, n, 0f);
        Gemm.Multiply(true, true, 3, 30, 40, a, 3, b, 40, c, 30, 0f); // the few-rows path
        long before = GC.GetAllocatedBytesForCurrentThread();
        Gemm.Multiply(false, true, m, n, k, a, k, b, k, c, n, 1f);
        Gemm.Multiply(true, false, 20, 30, 40, a, 20, b, 30, c, 30, 0f);
        Gemm.Multiply(true, true, 3, 30, 40, a, 3, b, 40, c, 30, 1f);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Runs one product with stored matrices padded by padX extra columns (ld = cols + pad) and checks
    /// C against the double reference, including that C's padding columns are left untouched.
    /// </summary>
    private static void RunCase(Random random, bool transposeA, bool transposeB, int m, int n, int k, float beta,
        int padA, int padB, int padC)
    {
        int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
        int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
        int lda = aCols + padA, ldb = bCols + padB, ldc = n + padC;
        double[] a = GradientCheck.Rounded(GradientCheck.RandomArray(random, aRows * lda));
        double[] b = GradientCheck.Rounded(GradientCheck.RandomArray(random, bRows * ldb));
        double[] c0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, m * ldc));
        var c = GradientCheck.ToFloat(c0);

        Gemm.Multiply(transposeA, transposeB, m, n, k, GradientCheck.ToFloat(a), lda, GradientCheck.ToFloat(b), ldb, c, ldc, beta);

        double[] expected = Reference(transposeA, transposeB, m, n, k, a, lda, b, ldb, c0, ldc, beta);
        GradientCheck.AssertClose(expected, c, 1e-5,
            $"C (transposeA {transposeA}, transposeB {transposeB}, m {m}, n {n}, k {k}, beta {beta}, ld pads {padA}/{padB}/{padC})");
    }

    /// <summary>Naive double triple loop; columns of C beyond n keep their initial values.</summary>
    private static double[] Reference(bool transposeA, bool transposeB, int m, int n, int k,
        double[] a, int lda, double[] b, int ldb, double[] c0, int ldc, double beta)
    {
        var c = (double[])c0.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    double aip = transposeA ? a[p * lda + i] : a[i * lda + p];
                    double bpj = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    s += aip * bpj;
                }
                c[i * ldc + j] = (beta == 0 ? 0 : beta * c0[i * ldc + j]) + s;
            }
        return c;
    }
}
