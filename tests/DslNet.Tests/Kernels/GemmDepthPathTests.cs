using System;
using System.Collections.Generic;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

/// <summary>
/// The GEMM's short-depth path (k ≤ KC, m ≤ MC: each panel of B packed just before use, Gemm.ShortDepth.cs)
/// and long-depth path (A read in place by the micro-kernel, Gemm.LongDepth.cs): against the naive
/// double product at the edges of their panels and blocks, and bit for bit across thread counts.
/// </summary>
public class GemmDepthPathTests
{
    public static TheoryData<bool, bool, int> TransposesAndThreads()
    {
        var data = new TheoryData<bool, bool, int>();
        foreach (int threads in new[] { 1, 2 })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(ta, tb, threads);
        return data;
    }

    [Theory]
    [MemberData(nameof(TransposesAndThreads))]
    public void Short_depth_products_match_naive_at_every_edge(bool transposeA, bool transposeB, int threads)
    {
        using var pool = GemmTests.Pool(threads);
        var random = new Random(61 + threads);
        // m: one register panel, a partial panel, several with a partial last one; n with a partial
        // last panel; k up to one whole K block; B just past the path's least size. Beta 1 with
        // padded leading dimensions, beta 0 without.
        var shapes = new List<(int M, int N, int K)> { (8, 1030, 255), (17, 1100, 257), (9, 513, Gemm.KC), (33, 700, 380) };
        if (threads == 2 && !transposeA && !transposeB) shapes.Add((Gemm.MC, 520, Gemm.KC)); // a whole M block, once (its reference is the slowest)
        for (int i = 0; i < shapes.Count; i++)
        {
            var (m, n, k) = shapes[i];
            Assert.True(Gemm.IsShortDepth(m, n, k), $"{m}×{n}×{k} should take the short-depth path");
            int pad = i % 2 == 0 ? 0 : 3;
            GemmTests.RunCase(random, transposeA, transposeB, m, n, k, i % 2 == 0 ? 0f : 1f, padA: pad, padB: pad + 1, padC: pad + 2, pool);
        }
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 2)]
    [InlineData(false, 3)]
    [InlineData(true, 3)]
    public void Long_depth_products_match_naive_at_every_edge(bool transposeB, int threads)
    {
        using var pool = GemmTests.Pool(threads);
        var random = new Random(67 + threads);
        // m: one whole register panel, a partial last panel (packed), many panels; n: from two panels
        // to the most, partial last panel; k: one K block past the minimum, not a multiple of 16.
        foreach (var (m, n, k) in new[] { (8, 33, Gemm.LongDepthMinimum), (17, 65, 2049), (63, 128, 2053), (30, 100, 3001) })
        {
            Assert.Equal(Vector512Available, Gemm.IsLongDepth(false, m, n, k));
            foreach (float beta in new[] { 0f, 1f })
                GemmTests.RunCase(random, false, transposeB, m, n, k, beta, padA: 0, padB: 0, padC: 0, pool);
            GemmTests.RunCase(random, false, transposeB, m, n, k, 1f, padA: 1, padB: 2, padC: 3, pool);
        }
    }

    private static bool Vector512Available => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;

    [Fact]
    public void Dense_layer_shapes_take_the_new_paths_and_others_keep_the_five_loops()
    {
        // W3's dense layer 12544→128 at batch 128: backward dx += dz·W and dW += dzᵀ·x, forward x·Wᵀ.
        Assert.True(Gemm.IsShortDepth(128, 12544, 128));
        Assert.Equal(Vector512Available, Gemm.IsLongDepth(false, 128, 128, 12544));
        Assert.False(Gemm.IsShortDepth(128, 12544, Gemm.KC + 1)); // two K blocks
        Assert.False(Gemm.IsShortDepth(Gemm.MC + 1, 12544, 128)); // two M blocks
        Assert.False(Gemm.IsShortDepth(128, 1000, 128));          // B small enough to stay in L2
        Assert.False(Gemm.IsShortDepth(128, 256, 512));           // W1's second layer
        Assert.False(Gemm.IsShortDepth(128, Gemm.NR, Gemm.KC));   // one column panel: rows may be split
        Assert.False(Gemm.IsLongDepth(true, 128, 128, 12544));    // A stored transposed
        Assert.False(Gemm.IsLongDepth(false, 128, 129 + Gemm.LongDepthMaxColumns, 12544));
        Assert.False(Gemm.IsLongDepth(false, 128, 128, Gemm.LongDepthMinimum - 1));
        Assert.False(Gemm.IsLongDepth(false, Gemm.MR - 1, 128, 12544));

        // W1's products at batch 128 (784-512-256-10: forward x·Wᵀ, backward dz·W and dzᵀ·x) and the
        // SGEMM rows keep the five loops (or the few-rows kernels), where they were tuned.
        foreach (var (ta, m, n, k) in new[]
        {
            (false, 128, 512, 784), (false, 128, 256, 512), (false, 128, 10, 256),
            (false, 128, 256, 10), (true, 10, 256, 128), (false, 128, 512, 256), (true, 256, 512, 128), (true, 512, 784, 128),
            (false, 1024, 1024, 1024), (false, 2048, 2048, 2048),
        })
        {
            Assert.False(Gemm.IsShortDepth(m, n, k), $"{m}×{n}×{k}");
            Assert.False(Gemm.IsLongDepth(ta, m, n, k), $"{m}×{n}×{k}");
        }
    }

    [Theory]
    [InlineData(false, false, 128, 3000, 128)] // dx += dz·W, short depth (3000 columns: more than one NC block's worth of panels)
    [InlineData(true, false, 128, 3000, 128)]  // dW += dzᵀ·x
    [InlineData(false, true, 70, 2100, 300)]
    [InlineData(false, true, 128, 128, 4100)]  // x·Wᵀ, long depth
    [InlineData(false, false, 37, 97, 2500)]
    public void Results_do_not_depend_on_the_thread_count(bool transposeA, bool transposeB, int m, int n, int k)
    {
        var random = new Random(71);
        float[] a = GradientCheck.ToFloat(GradientCheck.RandomArray(random, m * k));
        float[] b = GradientCheck.ToFloat(GradientCheck.RandomArray(random, k * n));
        float[] c0 = GradientCheck.ToFloat(GradientCheck.RandomArray(random, m * n));
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        var sequential = (float[])c0.Clone();
        Gemm.Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, sequential, n, 1f);
        foreach (int threads in new[] { 2, 3, 4 })
        {
            using var pool = GemmTests.Pool(threads);
            var parallel = (float[])c0.Clone();
            Gemm.Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, parallel, n, 1f, pool);
            Assert.True(sequential.AsSpan().SequenceEqual(parallel), $"{m}×{n}×{k} at {threads} threads differs from 1 thread");
        }
    }

    [Fact]
    public void The_new_paths_allocate_nothing_after_the_first_call()
    {
        var a = new float[128 * 2100];
        var b = new float[2100 * 128];
        var c = new float[128 * 2100];
        void Both(WorkerPool? pool)
        {
            Gemm.Multiply(false, false, 128, 2100, 128, a, 128, b, 2100, c, 2100, 1f, pool); // short depth
            Gemm.Multiply(false, true, 128, 128, 2100, a, 2100, b, 2100, c, 128, 1f, pool);  // long depth
        }
        Both(null);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Both(null);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        using var pool = GemmTests.Pool(2)!;
        Both(pool);
        AllocationCheck.AssertRepeatedCallsAllocateNothing(() => Both(pool), 1, "the short- and long-depth paths on a 2-thread pool");
    }
}
