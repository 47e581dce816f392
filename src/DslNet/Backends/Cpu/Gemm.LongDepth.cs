using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

// Long products with few columns of C and A stored by rows: a Dense layer's forward product x·Wᵀ
// (W3's 12544→128 layer at batch 128: M = N = 128, K = 12544). The five loops pack every block of A
// (a transpose into MR-interleaved panels) for only N/NR = 4 uses of each packed panel, so packing
// A costs about a tenth of the product. Here the micro-kernel broadcasts A straight from its MR
// rows (eight sequential streams, which the hardware prefetchers follow); only B is packed. Rows
// past the last whole panel of A are packed as usual.
//
// Threads take whole panels of C's columns and pack only their own columns of B (pool.For: no
// shared buffer, no barriers, so a thread the operating system has not scheduled delays nothing);
// they all read A, which the shared L3 holds for the slower one. The K blocks, the micro-kernel's
// arithmetic and the values it broadcasts are those of the five loops, so C comes out bit for bit
// the same, whichever thread computes which columns.
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Depth from which the long-depth path is taken: products this deep with a narrow C are where
    /// packing A was measured to cost (W3's dense forward); shallower ones keep the five loops.
    /// </summary>
    internal const int LongDepthMinimum = 2048;

    /// <summary>Most columns of C for the long-depth path: with more, each packed panel of A is reused enough.</summary>
    internal const int LongDepthMaxColumns = 128;

    /// <summary>
    /// Whether Multiply takes the long-depth path: AVX-512, A stored by rows with at least one whole
    /// register panel, two to <see cref="LongDepthMaxColumns"/>/NR column panels, and a depth of at
    /// least <see cref="LongDepthMinimum"/>.
    /// </summary>
    internal static bool IsLongDepth(bool transposeA, int m, int n, int k) =>
        !transposeA && Vector512.IsHardwareAccelerated && MR == 8 && m >= MR && n > NR && n <= LongDepthMaxColumns && k >= LongDepthMinimum;

    private static void MultiplyLongDepth(bool transposeB, int m, int n, int k, float* a, int lda, float* b, int ldb,
        float* c, int ldc, bool accumulate, WorkerPool? pool)
    {
        var job = new LongDepthProduct
        {
            TransposeB = transposeB, Accumulate = accumulate, M = m, N = n, K = k, A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc,
        };
        int panels = (n + NR - 1) / NR;
        if (pool is null) job.Execute(0, panels, 0);
        else pool.For(panels, (long)(2.0 * m * k * NR / MinimumShareFlopsPerWorkUnit), ref job);
    }

    private struct LongDepthProduct : IParallelJob
    {
        public bool TransposeB, Accumulate;
        public int M, N, K, Lda, Ldb, Ldc;
        public float* A, B, C;

        /// <summary>Columns [start·NR, end·NR) of C, K block by K block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Execute(int start, int end, int part)
        {
            int nr = NR, mr = MR;
            int col0 = start * nr, cols = Math.Min(end * nr, N) - col0;
            int kStep = BlockStep(K, KC, 1);
            // Sized for all of C's columns whichever share this is, so that no later call, whatever
            // share this thread takes then (or the whole product, inline), needs a larger buffer.
            float* packB = PackBuffer(ref s_packB, kStep * RoundUp(N, nr));
            float* edgeA = PackBuffer(ref s_packA, mr * kStep);
            float* tile = stackalloc float[8 * 32];
            int wholeRows = M / mr * mr;
            for (int p0 = 0; p0 < K; p0 += kStep)
            {
                int kc = Math.Min(kStep, K - p0);
                bool accumulate = Accumulate || p0 > 0;
                PackB(TransposeB, B, Ldb, p0, col0, kc, cols, nr, packB);
                int nextK = Math.Min(kStep, K - p0 - kc), panelsA = wholeRows / mr;
                for (int ir = 0; ir < wholeRows; ir += mr)
                {
                    if (nextK > 0) PrefetchNextB(p0 + kc, nextK, col0, cols, ir / mr, panelsA);
                    float* aRows = A + (long)ir * Lda + p0;
                    float* cRow = C + (long)ir * Ldc + col0;
                    for (int jr = 0; jr < cols; jr += nr)
                    {
                        int ncols = Math.Min(nr, cols - jr);
                        if (ncols == nr) KernelRowsA(kc, aRows, Lda, packB + jr * kc, cRow + jr, Ldc, accumulate);
                        else
                        {
                            KernelRowsA(kc, aRows, Lda, packB + jr * kc, tile, nr, accumulate: false);
                            MergeTile(tile, nr, cRow + jr, Ldc, mr, ncols, accumulate);
                        }
                    }
                }
                if (wholeRows < M)
                {
                    // The last, partial panel of rows: packed with zero padding, through the usual macro-kernel.
                    PackA(false, A, Lda, wholeRows, p0, M - wholeRows, kc, edgeA);
                    MacroKernel(edgeA, packB, M - wholeRows, cols, kc, C + (long)wholeRows * Ldc + col0, Ldc, accumulate);
                }
            }
        }

        /// <summary>
        /// Part <paramref name="part"/> of <paramref name="parts"/> of the source of the next K block
        /// of B (rows p0 .. p0 + kc of op(B), columns col0 .. col0 + cols), asked into L2 while this
        /// block is multiplied, so that packing it does not wait on memory (W3's 128 rows of W are read
        /// 2 KB at a time, 49 KB apart). W3's dense forward, one thread, interleaved A/B in one process,
        /// load 5-7: median 4.82 -> 4.65 ms with the caches evicted between calls, 4.74 -> 4.66 warm.
        /// (Packing B whole costs ~0.6 ms of it: the product without repacking ran 3.9 ms.)
        /// </summary>
        private readonly void PrefetchNextB(int p0, int kc, int col0, int cols, int part, int parts)
        {
            if (!Sse.IsSupported) return;
            // Source rows: columns of op(B) when B is stored transposed, else its rows.
            int rows = TransposeB ? cols : kc;
            int first = WorkerPool.PartStart(rows, parts, part), last = WorkerPool.PartStart(rows, parts, part + 1);
            int bytes = (TransposeB ? kc : cols) * sizeof(float);
            long ldb = Ldb;
            byte* row = (byte*)(TransposeB ? B + (col0 + first) * ldb + p0 : B + (p0 + first) * ldb + col0);
            for (int r = first; r < last; r++, row += ldb * sizeof(float))
            {
                for (int offset = 0; offset < bytes; offset += 64) Sse.Prefetch1(row + offset);
                Sse.Prefetch1(row + bytes - 1);
            }
        }
    }

    /// <summary>
    /// The 8×32 micro-kernel of <see cref="Kernel512"/> with A read in place: the eight values it
    /// broadcasts at step p are a[r·lda + p] rather than the packed a[8p + r]. Same operations in the
    /// same order, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelRowsA(int kc, float* a, int lda, float* b, float* c, int ldc, bool accumulate)
    {
        PrefetchTile512(c, ldc);
        long l = lda;
        float* a0 = a, a1 = a + l, a2 = a + 2 * l, a3 = a + 3 * l, a4 = a + 4 * l, a5 = a + 5 * l, a6 = a + 6 * l, a7 = a + 7 * l;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> ai = Vector512.Create(a0[p]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00); c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a1[p]);
            c10 = Vector512.FusedMultiplyAdd(ai, b0, c10); c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a2[p]);
            c20 = Vector512.FusedMultiplyAdd(ai, b0, c20); c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a3[p]);
            c30 = Vector512.FusedMultiplyAdd(ai, b0, c30); c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a4[p]);
            c40 = Vector512.FusedMultiplyAdd(ai, b0, c40); c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a5[p]);
            c50 = Vector512.FusedMultiplyAdd(ai, b0, c50); c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a6[p]);
            c60 = Vector512.FusedMultiplyAdd(ai, b0, c60); c61 = Vector512.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a7[p]);
            c70 = Vector512.FusedMultiplyAdd(ai, b0, c70); c71 = Vector512.FusedMultiplyAdd(ai, b1, c71);
            b += 32;
        }
        StoreTile512(c, ldc, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
    }
}
