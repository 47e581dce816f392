using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

// Short products: the whole depth fits one K block and the whole of op(A) one packed A block
// (k ≤ KC, m ≤ MC), such as a Dense layer's backward products dx += dz·W and dW += dzᵀ·x
// (W3's 12544→128 layer at batch 128: M = 128, N = 12544, K = 128). Each element of B then serves
// only k multiply-adds, so the five loops spend a large share of their time moving B: they pack a
// KC×NC block of it (1.5 MB at K = 128, more than a core's L2) and read it back panel by panel from
// L3. Here A is packed once, and each NR-wide panel of B is packed just before the M tiles use it,
// into a buffer that stays in L1, while the next panel's rows are prefetched. The micro-kernel, its
// depth and its operands are exactly those of the five loops, so C comes out bit for bit the same.
//
// Threads take whole panels of C's columns (pool.For: no barriers, so a thread the operating system
// has not scheduled delays nothing); each packs A itself (at most MC×KC floats, a few microseconds
// against milliseconds of product).
internal static unsafe partial class Gemm
{
    [ThreadStatic] private static float[]? s_packPanel;

    /// <summary>
    /// Least size of B (k·n floats: 1 MiB, a core's L2) for the short-depth path. A smaller B stays in
    /// L2 once packed whole, and there the per-panel packing and prefetching cost more than they save
    /// (W2's and W1's dense products at batch 64 and 128, B of 8–130 K floats: 2–10 % slower, bench --dense).
    /// </summary>
    internal const int ShortDepthMinimumB = 256 * 1024;

    /// <summary>
    /// Whether Multiply takes the short-depth path: one K block, one M block, and a B larger than
    /// <see cref="ShortDepthMinimumB"/> of at least two column panels.
    /// </summary>
    internal static bool IsShortDepth(int m, int n, int k) => k <= KC && m <= MC && n > NR && (long)k * n >= ShortDepthMinimumB;

    private static void MultiplyShortDepth(bool transposeA, bool transposeB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, WorkerPool? pool)
    {
        var job = new ShortDepthProduct
        {
            TransposeA = transposeA, TransposeB = transposeB, Accumulate = accumulate,
            M = m, N = n, K = k, A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc,
        };
        int panels = (n + NR - 1) / NR;
        if (pool is null) job.Execute(0, panels, 0);
        else pool.For(panels, (long)(2.0 * m * k * NR / MinimumShareFlopsPerWorkUnit), ref job);
    }

    private struct ShortDepthProduct : IParallelJob
    {
        public bool TransposeA, TransposeB, Accumulate;
        public int M, N, K, Lda, Ldb, Ldc;
        public float* A, B, C;

        /// <summary>Columns [start·NR, end·NR) of C.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Execute(int start, int end, int part)
        {
            int nr = NR, k = K;
            float* packA = PackBuffer(ref s_packA, RoundUp(M, MR) * k);
            PackA(TransposeA, A, Lda, 0, 0, M, k, packA);
            float* panel = PackBuffer(ref s_packPanel, k * nr);
            for (int q = start; q < end; q++)
            {
                int j0 = q * nr, cols = Math.Min(nr, N - j0);
                PackB(TransposeB, B, Ldb, 0, j0, k, cols, nr, panel);
                if (q + 1 < end) PrefetchPanel(j0 + nr, Math.Min(nr, N - j0 - nr));
                MacroKernel(packA, panel, M, cols, k, C + j0, Ldc, Accumulate);
            }
        }

        /// <summary>
        /// Asks for the next panel of B (k rows of <paramref name="cols"/> floats, or cols rows of k
        /// floats when B is stored transposed) to be brought towards L2 while this panel is
        /// multiplied: its rows are far apart (W3's are 49 KiB), too many separate streams for the
        /// hardware prefetchers, so each one would otherwise wait on memory when it is packed. W3's
        /// backward products, one thread, interleaved A/B in one process (load 7-10): dx 4.73 -> 4.51 ms
        /// and dW 4.74 -> 4.48 (medians) with the caches evicted between calls, 4.45 -> 4.11 and
        /// 4.48 -> 4.20 warm. Prefetching two panels ahead, or the strip of C too, gained nothing.
        /// </summary>
        private readonly void PrefetchPanel(int j0, int cols)
        {
            if (!Sse.IsSupported) return;
            long ldb = Ldb;
            if (!TransposeB)
            {
                float* row = B + j0;
                int bytes = cols * sizeof(float);
                for (int p = 0; p < K; p++, row += ldb) PrefetchRow((byte*)row, bytes);
            }
            else
            {
                float* row = B + j0 * ldb;
                int bytes = K * sizeof(float);
                for (int j = 0; j < cols; j++, row += ldb) PrefetchRow((byte*)row, bytes);
            }
        }

        /// <summary>Every line of bytes [row, row + bytes), whatever the alignment of row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PrefetchRow(byte* row, int bytes)
        {
            for (int offset = 0; offset < bytes; offset += 64) Sse.Prefetch1(row + offset);
            Sse.Prefetch1(row + bytes - 1);
        }
    }
}
