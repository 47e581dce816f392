using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace DslNet.Backends.Cpu;

// Multi-threaded GEMM, BLIS style (Smith et al., "Anatomy of High-Performance Many-Threaded Matrix
// Multiplication", IPDPS 2014): the threads split one dimension of C into shares of whole register
// panels and run the same five loops, each packing only what it alone reads. The operand they all
// read is packed once, cooperatively, into a shared double buffer:
//
//   columns split (the default): thread s owns columns of C [its NR panels of each NC block].
//     B: each thread packs its own columns into its private buffer (no synchronisation).
//     A: every MC×KC block is packed by all threads together (each packs some MR panels) into the
//        shared buffer, then a barrier, then each thread runs the macro-kernel on its columns.
//   rows split (when C is tall and narrow): thread s owns rows of C [its MR panels].
//     A: private; B: every KC×NC block packed together into the shared buffer, then a barrier.
//
// Double buffering (block i uses half i mod 2) needs one barrier per shared block: when a thread
// passes the barrier of block i + 1 every thread has finished computing with block i, so block i + 2
// may overwrite its half. Each element of C is still summed over K in the same order as on one
// thread, so results do not depend on the thread count.
internal static unsafe partial class Gemm
{
    /// <summary>
    /// The packed micro-kernel does about this many floating-point operations in the time the
    /// element-wise kernels, for which <see cref="WorkerPool.MinimumWorkPerPart"/> is calibrated, do one
    /// unit of work; a share of a product must carry this many flops per unit of that threshold, so the
    /// hand-off and the barriers (a microsecond or so) stay small against it.
    /// </summary>
    internal const double FlopsPerWorkUnit = 10;

    /// <summary>
    /// Flops a share of a product must carry per unit of <see cref="WorkerPool.MinimumWorkPerPart"/>
    /// (400k with the default, 4–8 µs of micro-kernel): lower than <see cref="FlopsPerWorkUnit"/>
    /// because a product's shares meet spinning workers (a join and one barrier per shared block cost
    /// about a microsecond), so LeNet's 120→84 layer at batch 64 (1.3 Mflop per product, ~20 µs on one
    /// thread) is worth splitting; the 84→10 layer (0.1 Mflop) still runs on the caller.
    /// </summary>
    internal const double MinimumShareFlopsPerWorkUnit = 4;

    /// <summary>Shared packing buffer, owned by the calling thread of a parallel product.</summary>
    [ThreadStatic] private static float[]? s_packShared;

    private static bool TryMultiplyParallel(bool transposeA, bool transposeB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, WorkerPool? pool)
    {
        int shares = Shares(pool, m, n, k, out bool splitColumns);
        if (shares <= 1) return false;

        int nr = NR;
        int half = splitColumns
            ? RoundUp(Math.Min(m, MC), MR) * Math.Min(k, KC)   // one packed A block
            : Math.Min(k, KC) * RoundUp(Math.Min(n, NC), nr);  // one packed B block
        var job = new ParallelProduct
        {
            TransposeA = transposeA, TransposeB = transposeB, Accumulate = accumulate, SplitColumns = splitColumns,
            M = m, N = n, K = k, A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc,
            Shares = shares, Shared = PackBuffer(ref s_packShared, 2 * half + 16), SharedHalf = RoundUp(half, 16),
        };
        // This thread does the whole product alone when no worker joins in time or the pool is busy
        // (ParallelProduct.Execute): size its buffers for that now, so that a later step which falls
        // back allocates nothing (a training step allocates only in its first call).
        SequentialPackBuffers(m, n, k, out _, out _);
        // The shares wait for each other at barriers, so they must run at the same time, one per thread
        // (or all inline on this thread when the pool is busy, which Execute recognises).
        pool!.ForConcurrent(shares, ref job, JoinTimeout(2.0 * m * n * k));
        return true;
    }

    /// <summary>
    /// How long the caller waits for the workers to join a product before doing it alone: half the
    /// product's time on one thread at 100 GFLOP/s, at least 20 µs and at most 100 ms. Doing it alone
    /// costs about that much (the share a worker would have done), so waiting longer cannot pay, and
    /// waiting less gives up a whole share to a worker that is merely slow to wake. A blocked worker on
    /// an idle virtual CPU here wakes in ~60 µs at the median but takes over 2 ms in 1–3 % of wakes
    /// (measured 2026-12-03), and a product that falls back leaves its worker asleep for the next one:
    /// with the former cap of 2 ms, a 2048³ product (~85 ms on two threads) could lose ~85 ms to a
    /// 3 ms wake-up. A worker that is never scheduled (a fully loaded machine) costs at most the wait.
    /// </summary>
    internal static TimeSpan JoinTimeout(double flops) => TimeSpan.FromSeconds(Math.Clamp(flops / 100e9 * 0.5, 20e-6, 0.1));

    /// <summary>
    /// How many threads to use (1 = sequential) and which dimension of C they split: the one whose
    /// panels divide most evenly among them (columns on a tie, since B is then never shared).
    /// </summary>
    internal static int Shares(WorkerPool? pool, int m, int n, int k, out bool splitColumns)
    {
        splitColumns = true;
        if (pool is null || pool.Threads == 1) return 1;
        int panelsN = (n + NR - 1) / NR, panelsM = (m + MR - 1) / MR;
        int sharesN = Math.Min(pool.Threads, panelsN), sharesM = Math.Min(pool.Threads, panelsM);
        // Speed-up if the busiest share sets the pace.
        double speedupN = (double)panelsN / ((panelsN + sharesN - 1) / sharesN);
        double speedupM = (double)panelsM / ((panelsM + sharesM - 1) / sharesM);
        splitColumns = speedupN >= speedupM;
        int shares = splitColumns ? sharesN : sharesM;
        if (Math.Max(speedupN, speedupM) < 1.25) return 1;
        return 2.0 * m * n * k / shares < MinimumShareFlopsPerWorkUnit * pool.MinimumWorkPerPart ? 1 : shares;
    }

    /// <summary>One parallel product; every share (thread) runs <see cref="Execute"/> on the same instance.</summary>
    private struct ParallelProduct : IParallelJob
    {
        public bool TransposeA, TransposeB, Accumulate, SplitColumns;
        public int M, N, K, Lda, Ldb, Ldc, Shares, SharedHalf;
        public float* A, B, C, Shared;

        // Barrier state. The pool hands every part a reference to this one struct (the caller's
        // variable), so these fields are shared memory. _aborted is set by a share that throws, so the
        // others leave their barriers instead of waiting for it forever.
        private int _arrived, _phase, _aborted;

        public void Execute(int start, int end, int part)
        {
            if (end - start != 1)
            {
                // The pool ran the loop inline (it was busy, e.g. this product is nested in another
                // parallel kernel, or no worker joined in time): this thread is alone, so do the whole
                // product without barriers.
                MultiplyBlocked(TransposeA, TransposeB, M, N, K, A, Lda, B, Ldb, C, Ldc, Accumulate);
                return;
            }
            try
            {
                if (SplitColumns) RunColumnShare(start);
                else RunRowShare(start);
            }
            catch
            {
                Volatile.Write(ref _aborted, 1); // the pool rethrows this exception on the caller
                throw;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunColumnShare(int share)
        {
            int nr = NR;
            int widestShare = ((Math.Min(N, NC) + nr - 1) / nr + Shares - 1) / Shares * nr;
            int kStep = BlockStep(K, KC, 1), mStep = BlockStep(M, MC, MR);
            float* packB = PackBuffer(ref s_packB, kStep * widestShare);
            int block = 0;
            for (int jc = 0; jc < N; jc += NC)
            {
                int nc = Math.Min(NC, N - jc);
                int panels = (nc + nr - 1) / nr;
                int col0 = WorkerPool.PartStart(panels, Shares, share) * nr;
                int cols = Math.Min(WorkerPool.PartStart(panels, Shares, share + 1) * nr, nc) - col0;
                for (int p0 = 0; p0 < K; p0 += kStep)
                {
                    int kc = Math.Min(kStep, K - p0);
                    bool accumulate = Accumulate || p0 > 0;
                    if (cols > 0) PackB(TransposeB, B, Ldb, p0, jc + col0, kc, cols, nr, packB);
                    for (int ic = 0; ic < M; ic += mStep, block++)
                    {
                        int mc = Math.Min(mStep, M - ic);
                        float* packA = Shared + (block & 1) * SharedHalf;
                        int aPanels = (mc + MR - 1) / MR;
                        int row0 = WorkerPool.PartStart(aPanels, Shares, share) * MR;
                        int rows = Math.Min(WorkerPool.PartStart(aPanels, Shares, share + 1) * MR, mc) - row0;
                        if (rows > 0) PackA(TransposeA, A, Lda, ic + row0, p0, rows, kc, packA + row0 * kc);
                        if (!Barrier()) return;
                        if (cols > 0) MacroKernel(packA, packB, mc, cols, kc, C + (long)ic * Ldc + jc + col0, Ldc, accumulate);
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunRowShare(int share)
        {
            int nr = NR;
            int mPanels = (M + MR - 1) / MR;
            int rowBegin = WorkerPool.PartStart(mPanels, Shares, share) * MR;
            int rowEnd = Math.Min(WorkerPool.PartStart(mPanels, Shares, share + 1) * MR, M);
            int kStep = BlockStep(K, KC, 1), mStep = BlockStep(Math.Max(rowEnd - rowBegin, 1), MC, MR);
            float* packA = PackBuffer(ref s_packA, mStep * kStep);
            int block = 0;
            for (int jc = 0; jc < N; jc += NC)
            {
                int nc = Math.Min(NC, N - jc);
                int panels = (nc + nr - 1) / nr;
                int col0 = WorkerPool.PartStart(panels, Shares, share) * nr;
                int cols = Math.Min(WorkerPool.PartStart(panels, Shares, share + 1) * nr, nc) - col0;
                for (int p0 = 0; p0 < K; p0 += kStep, block++)
                {
                    int kc = Math.Min(kStep, K - p0);
                    bool accumulate = Accumulate || p0 > 0;
                    float* packB = Shared + (block & 1) * SharedHalf;
                    if (cols > 0) PackB(TransposeB, B, Ldb, p0, jc + col0, kc, cols, nr, packB + col0 * kc);
                    if (!Barrier()) return;
                    for (int ic = rowBegin; ic < rowEnd; ic += mStep)
                    {
                        int mc = Math.Min(mStep, rowEnd - ic);
                        PackA(TransposeA, A, Lda, ic, p0, mc, kc, packA);
                        MacroKernel(packA, packB, mc, nc, kc, C + (long)ic * Ldc + jc, Ldc, accumulate);
                    }
                }
            }
        }

        /// <summary>
        /// Waits until every share has arrived (a sense-reversing spin barrier). False when another
        /// share has failed: the product is abandoned and the caller gets that share's exception.
        /// </summary>
        private bool Barrier()
        {
            int phase = Volatile.Read(ref _phase);
            if (Interlocked.Increment(ref _arrived) == Shares)
            {
                _arrived = 0;
                Volatile.Write(ref _phase, phase + 1);
                return true;
            }
            var spin = new SpinWait();
            while (Volatile.Read(ref _phase) == phase)
            {
                if (Volatile.Read(ref _aborted) != 0) return false;
                spin.SpinOnce(sleep1Threshold: -1);
            }
            return true;
        }
    }
}
