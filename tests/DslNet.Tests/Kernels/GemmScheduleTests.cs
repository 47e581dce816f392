using System;
using System.Diagnostics;
using System.Threading;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

/// <summary>
/// The dynamically scheduled parallel GEMM (Gemm.Parallel.cs): units claimed by whichever thread is
/// free must give C bit for bit as on one thread, whatever the thread count, whichever thread runs
/// which unit, and however late a worker arrives; a failing unit must reach the caller and free the
/// threads waiting for it.
/// </summary>
public class GemmScheduleTests
{
    /// <summary>Shapes of the dynamic path: (m, n, k, column mode expected).</summary>
    private static readonly (int M, int N, int K, bool Columns)[] Shapes =
    {
        (17, 257, 63, true),             // one stage
        (63, 65, 1100, true),            // three K blocks
        (65, Gemm.NC + 28, 20, true),    // two column blocks, the last one narrow
        (128, Gemm.NC + 257, 700, true), // a whole M block, two K blocks, two column blocks
        (200, Gemm.NC + 40, 530, true),  // two M blocks in each compute unit, two K and two column blocks
        (257, 63, 65, false),
        (260, 17, 1025, false),          // one column panel, three K blocks
        (257, 65, 600, false),
        (300, Gemm.NC + 28, 520, false), // two K blocks and two column blocks
    };

    public static TheoryData<bool, bool, float> TransposesAndBetas()
    {
        var data = new TheoryData<bool, bool, float>();
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (float beta in new[] { 0f, 1f })
                    data.Add(ta, tb, beta);
        return data;
    }

    [Theory]
    [MemberData(nameof(TransposesAndBetas))]
    public void Results_are_bitwise_those_of_one_thread_at_two_three_and_four_threads(bool transposeA, bool transposeB, float beta)
    {
        var random = new Random(71 + (transposeA ? 1 : 0) + (transposeB ? 2 : 0) + (int)beta * 4);
        var pools = new[] { GemmTests.Pool(2)!, GemmTests.Pool(3)!, GemmTests.Pool(4)! };
        try
        {
            foreach (var (m, n, k, columns) in Shapes)
            {
                var product = Product.Random(random, transposeA, transposeB, m, n, k, beta, pad: (m + n) % 3);
                float[] sequential = product.Run(null);
                foreach (var pool in pools)
                {
                    Assert.True(Gemm.PlanParallel(pool, m, n, k, out var plan), $"{m}×{n}×{k} should be split");
                    Assert.Equal(columns, plan.ColumnMode);
                    float[] parallel = product.Run(pool);
                    Assert.True(sequential.AsSpan().SequenceEqual(parallel),
                        $"{m}×{n}×{k} (transposeA {transposeA}, transposeB {transposeB}, beta {beta}) at {pool.Threads} threads differs from 1 thread");
                }
            }
        }
        finally
        {
            foreach (var pool in pools) pool.Dispose();
        }
    }

    [Fact]
    public void Several_stages_in_both_modes_match_the_double_reference()
    {
        // The bitwise tests compare with the one-thread product; this ties multi-stage products of both
        // modes to the naive double product too (small ones: the reference is slow).
        using var pool = GemmTests.Pool(3);
        var random = new Random(73);
        Assert.True(Gemm.PlanParallel(pool, 20, Gemm.NC + 28, 530, out var plan) && plan.ColumnMode);
        GemmTests.RunCase(random, false, true, 20, Gemm.NC + 28, 530, 1f, padA: 1, padB: 0, padC: 2, pool);
        Assert.True(Gemm.PlanParallel(pool, 260, 200, 1100, out plan) && !plan.ColumnMode);
        GemmTests.RunCase(random, true, false, 260, 200, 1100, 0f, padA: 0, padB: 3, padC: 0, pool);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(2.0)]
    [InlineData(30.0)] // longer than the product: the worker joins after the caller has done everything
    public void A_worker_that_arrives_late_gives_the_same_bits(double delayMs)
    {
        using var pool = GemmTests.Pool(2)!;
        var random = new Random(79);
        foreach (var (m, n, k) in new[] { (100, Gemm.NC + 200, 600), (257, 600, 1100) })
        {
            var product = Product.Random(random, false, false, m, n, k, 1f, pad: 0);
            float[] sequential = product.Run(null);
            // Before claiming anything, each worker waits: the caller is well into the product by then.
            float[] late = WithHook((unit, onCaller) => { if (unit < 0 && !onCaller) Sleep(delayMs); }, () => product.Run(pool));
            Assert.True(sequential.AsSpan().SequenceEqual(late), $"{m}×{n}×{k}: a worker {delayMs} ms late changed C");
        }
    }

    [Fact]
    public void A_worker_that_stalls_inside_its_units_gives_the_same_bits()
    {
        // Every third unit the worker takes, it stops for half a millisecond while holding it (as if
        // descheduled): the caller runs ahead as far as the dependencies allow and waits for the rest.
        using var pool = GemmTests.Pool(2)!;
        var random = new Random(83);
        foreach (var (m, n, k) in new[] { (100, Gemm.NC + 200, 600), (257, 600, 1100) })
            foreach (bool callerStalls in new[] { false, true })
            {
                var product = Product.Random(random, true, false, m, n, k, 0f, pad: 1);
                float[] sequential = product.Run(null);
                float[] stalled = WithHook((unit, onCaller) =>
                {
                    if (unit >= 0 && onCaller == callerStalls && unit % 3 == 1) Sleep(0.5);
                }, () => product.Run(pool));
                Assert.True(sequential.AsSpan().SequenceEqual(stalled), $"{m}×{n}×{k}: stalls on the {(callerStalls ? "caller" : "worker")} changed C");
            }
    }

    [Fact]
    public void A_unit_that_throws_on_a_worker_reaches_the_caller()
    {
        using var pool = GemmTests.Pool(2)!;
        var random = new Random(89);
        var product = Product.Random(random, false, true, 128, 700, 600, 0f, pad: 0);
        int thrown = 0;
        var error = Assert.Throws<InvalidOperationException>(() => WithHook((unit, onCaller) =>
        {
            if (unit < 0) return;
            if (!onCaller)
            {
                Volatile.Write(ref thrown, 1);
                throw new InvalidOperationException($"unit {unit} failed on a worker");
            }
            // The caller holds its first unit until the worker has failed (or 10 s have passed).
            SpinUntil(() => Volatile.Read(ref thrown) != 0);
        }, () => product.Run(pool)));
        Assert.Matches("^unit [0-9]+ failed on a worker$", error.Message);
        AssertPoolStillMultiplies(pool, random);
    }

    [Fact]
    public void A_unit_that_throws_on_the_caller_frees_the_worker_waiting_for_it()
    {
        // The caller's first unit packs part of stage 0's shared block; it fails only once the worker
        // has claimed a compute unit of stage 0, which waits for that pack: the worker must leave.
        // The worker holds its first unit until the caller has claimed one: a worker that is already
        // awake could otherwise take every unit of this small product before the caller claims any,
        // and then nothing throws (seen once in CI).
        using var pool = GemmTests.Pool(2)!;
        var random = new Random(97);
        const int m = 128, n = 700, k = 600;
        Assert.True(Gemm.PlanParallel(pool, m, n, k, out var plan) && plan.ColumnMode);
        int packUnits = (((m + Gemm.MR - 1) / Gemm.MR) + plan.PackPanels - 1) / plan.PackPanels;
        Assert.True(packUnits >= 2, "the worker must find a pack unit of stage 0 besides the caller's");
        var product = Product.Random(random, true, true, m, n, k, 1f, pad: 2);
        int workerWaiting = 0, callerClaimed = 0;
        var error = Assert.Throws<InvalidOperationException>(() => WithHook((unit, onCaller) =>
        {
            if (unit < 0) return;
            if (!onCaller)
            {
                SpinUntil(() => Volatile.Read(ref callerClaimed) != 0);
                if (unit >= packUnits) Volatile.Write(ref workerWaiting, 1);
                return;
            }
            Volatile.Write(ref callerClaimed, 1);
            SpinUntil(() => Volatile.Read(ref workerWaiting) != 0);
            throw new InvalidOperationException($"unit {unit} failed on the caller");
        }, () => product.Run(pool)));
        Assert.Matches("^unit [0-9]+ failed on the caller$", error.Message);
        Assert.Equal(1, Volatile.Read(ref workerWaiting));
        AssertPoolStillMultiplies(pool, random);
    }

    [Fact]
    public void Products_in_both_modes_allocate_nothing_after_the_first_call()
    {
        using var pool = GemmTests.Pool(2)!;
        var random = new Random(101);
        var column = Product.Random(random, false, true, 100, Gemm.NC + 200, 600, 1f, pad: 0);
        var row = Product.Random(random, true, false, 300, 500, 700, 0f, pad: 0);
        column.Run(pool);
        row.Run(pool);
        AllocationCheck.AssertRepeatedCallsAllocateNothing(() =>
        {
            column.RunInPlace(pool);
            row.RunInPlace(pool);
        }, 3, "products in both modes");
    }

    private static void AssertPoolStillMultiplies(WorkerPool pool, Random random)
    {
        var product = Product.Random(random, false, false, 257, 300, 700, 1f, pad: 0);
        Assert.True(product.Run(null).AsSpan().SequenceEqual(product.Run(pool)), "the pool gave a wrong product after a failed one");
    }

    private static float[] WithHook(Action<int, bool> hook, Func<float[]> run)
    {
        Gemm.UnitHookForTests = hook;
        try { return run(); }
        finally { Gemm.UnitHookForTests = null; }
    }

    private static void Sleep(double ms)
    {
        var clock = Stopwatch.StartNew();
        if (ms >= 2) Thread.Sleep((int)ms);
        while (clock.Elapsed.TotalMilliseconds < ms) Thread.SpinWait(100);
    }

    private static void SpinUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed.TotalSeconds < 10) Thread.Sleep(1);
    }

    /// <summary>One product's operands, with leading dimensions padded by <c>pad</c>; Run gives C from the same initial C.</summary>
    private sealed class Product
    {
        public bool TransposeA, TransposeB;
        public int M, N, K, Lda, Ldb, Ldc;
        public float Beta;
        public float[] A = Array.Empty<float>(), B = Array.Empty<float>(), C0 = Array.Empty<float>(), C = Array.Empty<float>();

        public static Product Random(Random random, bool transposeA, bool transposeB, int m, int n, int k, float beta, int pad)
        {
            var p = new Product { TransposeA = transposeA, TransposeB = transposeB, M = m, N = n, K = k, Beta = beta };
            p.Lda = (transposeA ? m : k) + pad;
            p.Ldb = (transposeB ? k : n) + pad;
            p.Ldc = n + pad;
            p.A = GradientCheck.ToFloat(GradientCheck.RandomArray(random, (transposeA ? k : m) * p.Lda));
            p.B = GradientCheck.ToFloat(GradientCheck.RandomArray(random, (transposeB ? n : k) * p.Ldb));
            p.C0 = GradientCheck.ToFloat(GradientCheck.RandomArray(random, m * p.Ldc));
            p.C = new float[p.C0.Length];
            return p;
        }

        public float[] Run(WorkerPool? pool)
        {
            RunInPlace(pool);
            return (float[])C.Clone();
        }

        public void RunInPlace(WorkerPool? pool)
        {
            C0.CopyTo(C, 0);
            Gemm.Multiply(TransposeA, TransposeB, M, N, K, A, Lda, B, Ldb, C, Ldc, Beta, pool);
        }
    }
}
