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
    /// 63, 65 and 257 in each position so every blocking edge (MR, NR, MC = 16·MR) is crossed
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
        yield return (130, 70, 600); // two MC blocks and two KC blocks at once (MC ≤ 128, KC = 512)
        yield return (9, 40, 1100);  // three KC blocks
    }

    public static TheoryData<bool, bool, float, int> Combinations()
    {
        var data = new TheoryData<bool, bool, float, int>();
        foreach (int threads in new[] { 1, 2, 3 })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (float beta in new[] { 0f, 1f })
                        data.Add(ta, tb, beta, threads);
        return data;
    }

    /// <summary>
    /// A pool that splits every product it can (no minimum work), so small awkward sizes take the
    /// parallel paths too; null for one thread (the sequential code, as callers without a pool get).
    /// </summary>
    internal static WorkerPool? Pool(int threads) => threads == 1 ? null : new WorkerPool(threads) { MinimumWorkPerPart = 0 };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Matches_naive_double_product_for_awkward_sizes(bool transposeA, bool transposeB, float beta, int threads)
    {
        using var pool = Pool(threads);
        var random = new Random(17 + (transposeA ? 1 : 0) + (transposeB ? 2 : 0) + (int)beta * 4);
        foreach (var (m, n, k) in Sizes())
            RunCase(random, transposeA, transposeB, m, n, k, beta, padA: 0, padB: 0, padC: 0, pool);
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Respects_leading_dimensions_larger_than_rows(bool transposeA, bool transposeB, float beta, int threads)
    {
        using var pool = Pool(threads);
        var random = new Random(5);
        foreach (var (m, n, k) in new[] { (3, 5, 7), (17, 63, 65), (65, 17, 257), (1, 33, 9) })
            RunCase(random, transposeA, transposeB, m, n, k, beta, padA: 3, padB: 5, padC: 7, pool);
    }

    [Fact]
    public void Every_awkward_size_triple_matches_at_one_and_two_threads()
    {
        // The whole 6³ product of sizes, all four transposes, sequential and split across two threads.
        using var pool = Pool(2);
        var random = new Random(23);
        int index = 0;
        foreach (int m in Awkward)
            foreach (int n in Awkward)
                foreach (int k in Awkward)
                {
                    bool ta = (index & 1) != 0, tb = (index & 2) != 0;
                    index++;
                    if ((long)m * n * k > 257L * 257 * 65) continue; // the largest cubes are covered above
                    RunCase(random, ta, tb, m, n, k, 1f, 0, 0, 0, null);
                    RunCase(random, ta, tb, m, n, k, 0f, 0, 0, 0, pool);
                }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Results_do_not_depend_on_the_thread_count(bool transposeA, bool transposeB)
    {
        // Every element of C is summed over K in the same order whatever the split: bitwise equal.
        var random = new Random(31);
        foreach (var (m, n, k) in new[] { (257, 65, 600), (17, 257, 63), (4, 300, 257), (130, 3100, 20) })
        {
            float[] a = GradientCheck.ToFloat(GradientCheck.RandomArray(random, m * k));
            float[] b = GradientCheck.ToFloat(GradientCheck.RandomArray(random, k * n));
            int lda = transposeA ? m : k, ldb = transposeB ? k : n;
            var sequential = new float[m * n];
            Gemm.Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, sequential, n, 0f);
            foreach (int threads in new[] { 2, 3, 4 })
            {
                using var pool = Pool(threads);
                var parallel = new float[m * n];
                Gemm.Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, parallel, n, 0f, pool);
                Assert.True(sequential.AsSpan().SequenceEqual(parallel), $"{m}×{n}×{k} at {threads} threads differs from 1 thread");
            }
        }
    }

    [Fact]
    public void One_row_products_match_naive_and_do_not_depend_on_the_read_direction()
    {
        // x·Wᵀ at batch 1 (the few-rows dot kernel, eight columns per pass plus single columns): a
        // product over the same W reads it in the opposite direction from the previous one, and may be
        // split across threads; every call must agree with the double reference and with the first,
        // bit for bit.
        var random = new Random(43);
        using var pool = Pool(3)!;
        foreach (int n in Awkward)
            foreach (int k in Awkward)
            {
                double[] a = GradientCheck.Rounded(GradientCheck.RandomArray(random, k));
                double[] b = GradientCheck.Rounded(GradientCheck.RandomArray(random, n * (k + 1)));
                float[] af = GradientCheck.ToFloat(a), bf = GradientCheck.ToFloat(b);
                double[] expected = Reference(false, true, 1, n, k, a, k, b, k + 1, new double[n], n, 0);
                var first = new float[n];
                Gemm.Multiply(false, true, 1, n, k, af, k, bf, k + 1, first, n, 0f);
                GradientCheck.AssertClose(expected, first, 1e-5, $"C (1×{n}×{k})");
                for (int call = 0; call < 4; call++)
                {
                    var again = new float[n];
                    Gemm.Multiply(false, true, 1, n, k, af, k, bf, k + 1, again, n, 0f, call % 2 == 0 ? null : pool);
                    Assert.True(first.AsSpan().SequenceEqual(again), $"1×{n}×{k}: call {call + 2} differs from the first");
                }
            }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Few_row_products_give_each_row_exactly_its_one_row_product(bool transposeB)
    {
        // The few-rows kernels read B once for all rows of A (or A once, for a narrow transposed B),
        // so the loop order differs with m: every row must still come out bit for bit as alone.
        var random = new Random(47);
        foreach (var (m, n, k) in new[] { (2, 257, 63), (3, 17, 65), (7, 65, 257), (65, 3, 63), (257, 1, 17) })
        {
            if (!transposeB && m >= Gemm.MR) continue; // the packed path
            float[] a = GradientCheck.ToFloat(GradientCheck.RandomArray(random, m * k));
            float[] b = GradientCheck.ToFloat(GradientCheck.RandomArray(random, n * k));
            int ldb = transposeB ? k : n;
            var all = new float[m * n];
            Gemm.Multiply(false, transposeB, m, n, k, a, k, b, ldb, all, n, 0f);
            for (int i = 0; i < m; i++)
            {
                var row = new float[n];
                Gemm.Multiply(false, transposeB, 1, n, k, a.AsSpan(i * k, k), k, b, ldb, row, n, 0f);
                Assert.True(row.AsSpan().SequenceEqual(all.AsSpan(i * n, n)), $"{m}×{n}×{k}, transposeB {transposeB}: row {i} differs");
            }
        }
    }

    [Fact]
    public unsafe void Products_over_the_same_transposed_b_alternate_their_read_direction()
    {
        float* b = stackalloc float[2];
        float* other = b + 1;
        Assert.False(Gemm.ReadOrder.NextIsReversed(b));
        Assert.True(Gemm.ReadOrder.NextIsReversed(b));
        Assert.False(Gemm.ReadOrder.NextIsReversed(other)); // each matrix keeps its own direction
        Assert.False(Gemm.ReadOrder.NextIsReversed(b));
        Assert.True(Gemm.ReadOrder.NextIsReversed(other));
    }

    private struct NestedProducts : IParallelJob
    {
        public WorkerPool Pool;
        public float[] A, B;
        public float[][] Results;
        public void Execute(int start, int end, int part)
        {
            // A kernel parallel over samples whose per-sample GEMM also asks for the (busy) pool.
            for (int i = start; i < end; i++) Gemm.Multiply(false, true, 40, 70, 50, A, 50, B, 50, Results[i], 70, 0f, Pool);
        }
    }

    [Fact]
    public void A_product_issued_inside_a_parallel_kernel_runs_on_its_own_thread()
    {
        var random = new Random(41);
        float[] a = GradientCheck.ToFloat(GradientCheck.RandomArray(random, 40 * 50));
        float[] b = GradientCheck.ToFloat(GradientCheck.RandomArray(random, 70 * 50));
        var expected = new float[40 * 70];
        Gemm.Multiply(false, true, 40, 70, 50, a, 50, b, 50, expected, 70, 0f);
        using var pool = Pool(2)!;
        var job = new NestedProducts { Pool = pool, A = a, B = b, Results = new float[4][] };
        for (int i = 0; i < 4; i++) job.Results[i] = new float[40 * 70];
        pool.For(4, 1, ref job);
        foreach (var result in job.Results) Assert.Equal(expected, result);
    }

    [Theory]
    [InlineData(257, 17, false)]   // tall: row blocks of C are the units, B is shared
    [InlineData(1024, 1024, false)]
    [InlineData(128, 512, true)]   // a Dense layer's batch: column groups are the units, A is shared
    [InlineData(17, 257, true)]
    [InlineData(256, 512, true)]   // up to two M blocks (W1's dW2)
    public void The_units_follow_the_shape_of_c(int m, int n, bool columns)
    {
        using var pool = new WorkerPool(2);
        Assert.True(Gemm.PlanParallel(pool, m, n, 512, out var plan));
        Assert.Equal(columns, plan.ColumnMode);
        Assert.True(plan.UnitWidth % (columns ? Gemm.NR : Gemm.MR) == 0, "units must be whole register panels");
        Assert.True(columns ? plan.UnitWidth < Math.Min(n, Gemm.NC) : plan.UnitWidth < m, "at least two units per stage");
        Assert.False(Gemm.PlanParallel(pool, 8, 8, 8, out _));    // too small to pay for a hand-off
        Assert.True(Gemm.PlanParallel(pool, 64, 84, 120, out _)); // LeNet's 120→84 layer at batch 64 (1.3 Mflop)
        Assert.False(Gemm.PlanParallel(pool, 64, 10, 84, out _)); // its 84→10 layer (0.1 Mflop) stays whole
        Assert.False(Gemm.PlanParallel(null, m, n, 512, out _));
    }

    [Fact]
    public void Crosses_the_column_block_boundary()
    {
        // n > NC = 3072 exercises the outermost loop.
        RunCase(new Random(3), false, true, 7, Gemm.NC + 33, 5, 1f, padA: 0, padB: 0, padC: 0);
        RunCase(new Random(4), true, false, 2, Gemm.NC + 1, 3, 0f, padA: 1, padB: 0, padC: 2);
        using var pool = Pool(2);
        RunCase(new Random(5), false, false, 13, Gemm.NC + 65, 7, 1f, padA: 0, padB: 0, padC: 3, pool);
        RunCase(new Random(6), true, true, 7, 2 * Gemm.NC + 1, 3, 0f, padA: 0, padB: 1, padC: 0, pool);
    }

    [Theory]
    [InlineData(784, 256, 1, 196)]  // 4 equal K blocks, not 256 + 256 + 256 + 16
    [InlineData(512, 256, 1, 256)]
    [InlineData(10, 256, 1, 10)]
    [InlineData(130, 128, 8, 72)]   // 2 M blocks of whole register panels
    [InlineData(128, 128, 8, 128)]
    [InlineData(1, 128, 8, 8)]
    public void Blocks_are_balanced(int total, int max, int multiple, int expected)
    {
        int step = Gemm.BlockStep(total, max, multiple);
        Assert.Equal(expected, step);
        Assert.True(step <= max && step % multiple == 0);
        Assert.Equal((total + max - 1) / max, (total + step - 1) / step); // no more blocks than needed
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

        using var pool = Pool(2)!;
        Gemm.Multiply(false, true, m, n, k, a, k, b, k, c, n, 0f, pool);
        Gemm.Multiply(true, false, 3, 90, 40, a, 3, b, 90, c, 90, 0f, pool);
        AllocationCheck.AssertRepeatedCallsAllocateNothing(() =>
        {
            Gemm.Multiply(false, true, m, n, k, a, k, b, k, c, n, 1f, pool);
            Gemm.Multiply(true, false, 3, 90, 40, a, 3, b, 90, c, 90, 0f, pool);
        }, 1, "products on a 2-thread pool");
    }

    /// <summary>
    /// Runs one product with stored matrices padded by padX extra columns (ld = cols + pad) and checks
    /// C against the double reference, including that C's padding columns are left untouched.
    /// </summary>
    internal static void RunCase(Random random, bool transposeA, bool transposeB, int m, int n, int k, float beta,
        int padA, int padB, int padC, WorkerPool? pool = null)
    {
        int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
        int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
        int lda = aCols + padA, ldb = bCols + padB, ldc = n + padC;
        double[] a = GradientCheck.Rounded(GradientCheck.RandomArray(random, aRows * lda));
        double[] b = GradientCheck.Rounded(GradientCheck.RandomArray(random, bRows * ldb));
        double[] c0 = GradientCheck.Rounded(GradientCheck.RandomArray(random, m * ldc));
        var c = GradientCheck.ToFloat(c0);

        Gemm.Multiply(transposeA, transposeB, m, n, k, GradientCheck.ToFloat(a), lda, GradientCheck.ToFloat(b), ldb, c, ldc, beta, pool);

        double[] expected = Reference(transposeA, transposeB, m, n, k, a, lda, b, ldb, c0, ldc, beta);
        GradientCheck.AssertClose(expected, c, 1e-5,
            $"C (transposeA {transposeA}, transposeB {transposeB}, m {m}, n {n}, k {k}, beta {beta}, ld pads {padA}/{padB}/{padC}, {pool?.Threads ?? 1} threads)");
    }

    /// <summary>Naive double triple loop; columns of C beyond n keep their initial values.</summary>
    internal static double[] Reference(bool transposeA, bool transposeB, int m, int n, int k,
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

    [Fact]
    public void A_parallel_product_done_by_the_caller_alone_allocates_nothing_after_the_first_product()
    {
        // A parallel product runs on the caller alone when the pool is busy (a product inside a parallel
        // kernel), or when no worker joins in time. Its first, parallel call must already have sized
        // everything the caller needs for that: a later training step may run alone and must not allocate.
        using var pool = new WorkerPool(2) { MinimumWorkPerPart = 0 };
        var job = new ProductInsideALoop { A = new float[64 * 300], B = new float[300 * 512], C = new float[64 * 512], Pool = pool };
        Assert.True(Gemm.PlanParallel(pool, 64, 512, 300, out _), "the product should be split over the pool");
        job.Run();  // parallel: the pool is free

        long before = GC.GetAllocatedBytesForCurrentThread();
        pool.For(2, 1, ref job); // part 0, on this thread, issues the product while the pool is busy: it runs here, whole
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private struct ProductInsideALoop : IParallelJob
    {
        public float[] A, B, C;
        public WorkerPool Pool;

        public void Run() => Gemm.Multiply(false, false, 64, 512, 300, A, 300, B, 512, C, 512, 0f, Pool);

        public void Execute(int start, int end, int part)
        {
            if (start == 0) Run();
        }
    }
}
