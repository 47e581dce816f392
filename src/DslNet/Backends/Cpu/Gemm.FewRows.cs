using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DslNet.Backends.Cpu;

// Products whose C has fewer rows than one register tile (a Dense layer at batch 1, say), or whose
// transposed B has only a few columns (a logits layer: x·Wᵀ with 10 outputs): packing B
// would cost as much as the whole product, so C is computed straight from the stored B, in groups of
// ColumnGroup columns that the worker pool may split across threads. Such products are bound by
// reading B (at batch 1, W1's 2.1 MB at 92–100 GB/s from L3, 112–119 from L2: Zen 4's L2→L1 path
// moves 32 bytes per cycle whatever the source; bench --floor), so B is read once
// for all rows of A (blocks of B outside, rows inside), the kernels keep several independent sums
// per pass (8 columns for one row of A, 4×4 for four), and every element of C is summed the same way
// whichever kernel, direction or thread computes it.
internal static unsafe partial class Gemm
{
    /// <summary>Columns of C per parallel work item (a whole number of vectors).</summary>
    private const int ColumnGroup = 16;

    [ThreadStatic] private static float[]? s_gatherA;

    /// <summary>Whether Multiply computes this product with the few-rows kernels rather than packing.</summary>
    internal static bool IsFewRows(int m, int n, bool transposeB) => m < MR || (transposeB && n < NR / 2);

    /// <summary>
    /// A Dense layer's forward pass y = f(x·Wᵀ + bias) (x m×k, W n×k, y m×n, rows stored densely, bias
    /// empty or n long) when it is a few-rows product (<see cref="IsFewRows"/>); false, touching
    /// nothing, when it is not. Sizes are the caller's to check. The same values as Multiply onto y
    /// preset to the bias followed by f over y, but each thread presets, multiplies and activates its
    /// own columns of y, so no line of y is written by one core and then read by another within the
    /// layer (before, the calling thread filled all of y with the bias and activated all of y
    /// afterwards, so at two threads the worker's half of y crossed between the cores twice a layer).
    /// </summary>
    internal static bool TryDenseForwardFewRows(int m, int n, int k, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, ActivationKind activation, float alpha, Span<float> y, WorkerPool? pool)
    {
        if (m <= 0 || n <= 0 || k <= 0 || !IsFewRows(m, n, transposeB: true)) return false;
        // ReLU and the like give the same bits on any piece of y; Sigmoid and Tanh (TensorPrimitives'
        // approximations) may not on pieces shorter than a vector, so those still run over all of y.
        bool perThread = activation is ActivationKind.Identity or ActivationKind.ReLU or ActivationKind.LeakyReLU;
        fixed (float* px = x, pw = weight, pb = bias, py = y)
            MultiplyFewRows(false, true, m, n, k, px, k, pw, k, py, n, accumulate: false, pool,
                bias.IsEmpty ? null : pb, perThread ? activation : ActivationKind.Identity, alpha);
        if (!perThread) FusedActivation.Apply(activation, alpha, y.Slice(0, m * n));
        return true;
    }

    private static void MultiplyFewRows(bool transposeA, bool transposeB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, WorkerPool? pool,
        float* bias = null, ActivationKind activation = ActivationKind.Identity, float alpha = 0f)
    {
        // The kernels read rows of op(A) contiguously: gather them when A is stored transposed.
        float* rows = a;
        int ldr = lda;
        if (transposeA)
        {
            rows = PackBuffer(ref s_gatherA, m * k);
            for (int p = 0; p < k; p++)
                for (int i = 0; i < m; i++) rows[i * k + p] = a[(long)p * lda + i];
            ldr = k;
        }
        var job = new FewRowsProduct
        {
            TransposeB = transposeB, Accumulate = accumulate || bias != null, M = m, N = n, K = k,
            Rows = rows, Ldr = ldr, B = b, Ldb = ldb, C = c, Ldc = ldc,
            Reverse = transposeB && ReadOrder.NextIsReversed(b),
            Bias = bias, Activation = activation, Alpha = alpha,
        };
        int groups = (n + ColumnGroup - 1) / ColumnGroup;
        if (pool is null) job.Execute(0, groups, 0);
        else pool.For(groups, 2L * m * k * ColumnGroup, ref job);
    }

    /// <summary>
    /// The direction in which the next few-rows product over a transposed B reads it: the opposite of
    /// the previous product over the same B on this thread. At batch 1 a Dense layer streams its whole
    /// weight matrix (W1's three layers: 2.1 MB, more than the 1 MB L2), and a sweep in the same order
    /// every call finds nothing in L2, since each call evicts first what the next one needs first;
    /// alternating the direction starts each call on the rows the previous one read last, which are
    /// still in L2. Each column is computed the same way in either direction, so this changes speed only.
    /// Measured (bench --floor, one thread, load ~5, medians of three runs): x·W1ᵀ alone (1.6 MB)
    /// 17.8 µs against 19.5–22.4 µs in one direction; W1's three products in turn, 2.1 MB, where
    /// layer 2 is evicted either way, within the noise (27.8–31.1 µs both ways).
    /// </summary>
    internal static class ReadOrder
    {
        private const int Slots = 16;

        // The last products' B addresses, bit 0 set when that product read B in reverse (floats are
        // 4-byte aligned, so bit 0 of the address is free). Per thread: each thread alternates its own
        // calls. An inline array, so a thread's first product allocates nothing (a worker's first
        // few-rows product may come in the middle of a training step).
        [InlineArray(Slots)]
        private struct Entries { private nint _first; }

        [ThreadStatic] private static Entries s_entries;
        [ThreadStatic] private static int s_replace;

        public static bool NextIsReversed(float* b)
        {
            Span<nint> entries = s_entries;
            nint key = (nint)b;
            for (int i = 0; i < entries.Length; i++)
            {
                if ((entries[i] & ~(nint)1) != key) continue;
                entries[i] ^= 1;
                return (entries[i] & 1) != 0;
            }
            // A matrix not seen lately (or moved by the GC): forward, and remember it in the oldest slot.
            entries[s_replace] = key;
            s_replace = (s_replace + 1) % Slots;
            return false;
        }
    }

    private struct FewRowsProduct : IParallelJob
    {
        public bool TransposeB, Accumulate;
        /// <summary>Visit the columns from last to first (see <see cref="ReadOrder"/>).</summary>
        public bool Reverse;
        public int M, N, K, Ldr, Ldb, Ldc;
        public float* Rows, B, C;
        /// <summary>When set (with <see cref="Accumulate"/>), each row of C starts as this bias (N values).</summary>
        public float* Bias;
        /// <summary>Applied to the finished columns of C (Identity: nothing).</summary>
        public ActivationKind Activation;
        public float Alpha;

        public void Execute(int start, int end, int part)
        {
            int j0 = start * ColumnGroup, j1 = Math.Min(end * ColumnGroup, N);
            if (Bias != null)
                for (int i = 0; i < M; i++)
                    new ReadOnlySpan<float>(Bias + j0, j1 - j0).CopyTo(new Span<float>(C + (long)i * Ldc + j0, j1 - j0));
            Multiply(j0, j1);
            if (Activation != ActivationKind.Identity)
                for (int i = 0; i < M; i++) FusedActivation.Apply(Activation, Alpha, new Span<float>(C + (long)i * Ldc + j0, j1 - j0));
        }

        /// <summary>C[:, j0..j1) (=|+=) op(A)·op(B)[:, j0..j1).</summary>
        private readonly void Multiply(int j0, int j1)
        {
            if (!Vector512.IsHardwareAccelerated)
            {
                for (int i = 0; i < M; i++) Portable(Rows + (long)i * Ldr, C + (long)i * Ldc, j0, j1);
                return;
            }
            if (TransposeB)
            {
                // Whichever operand is larger is read once: B (x·Wᵀ at a small batch: blocks of B
                // outside, rows of A inside) or A (a logits layer at a large batch: rows outside).
                if (N > M) DotColumns(0, M, j0, j1);
                else for (int i = 0; i < M; i++) DotColumns(i, i + 1, j0, j1);
                return;
            }
            // Every row of A in turn over one band of columns, so the band of B (K × 64 floats) is
            // read from memory once and from cache by the other rows. Bands start at j0 in whole
            // vectors, so each column takes the same path as in one call over [j0, j1).
            for (int band = j0; band < j1; band += AxpyBand)
            {
                int bandEnd = Math.Min(band + AxpyBand, j1);
                for (int i = 0; i < M; i++) AxpyColumns(Rows + (long)i * Ldr, C + (long)i * Ldc, band, bandEnd);
            }
        }

        /// <summary>Columns per band of the untransposed path: the width of its register block.</summary>
        private const int AxpyBand = 64;

        /// <summary>
        /// B stored transposed (n×k): C[j] = dot(a, B row j), eight rows of B per pass over a (eight
        /// independent sums keep the FMA pipes busy while B streams in), in the direction
        /// <see cref="Reverse"/> says. Every column is summed the same way wherever it falls (one
        /// 16-lane sum over whole vectors of k, reduced by <see cref="LaneSums"/>' tree, then the scalar
        /// tail in order), so C does not depend on the grouping, the direction or the thread count.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void DotColumns(int i0, int i1, int j0, int j1)
        {
            // Each block of eight rows of B (8·K floats, in L1) serves rows i0..i1 of A before the
            // next block is read, so B streams from memory once for all of them.
            int blocks = (j1 - j0) / 8;
            if (i1 - i0 == 1) EightColumnBlocks(Rows + (long)i0 * Ldr, C + (long)i0 * Ldc, j0, j1, blocks);
            else for (int q = 0; q < blocks; q++)
            {
                int j = Reverse ? j1 - 8 * (q + 1) : j0 + 8 * q;
                int i = i0;
                for (; i + 4 <= i1; i += 4)
                {
                    DotFourRowsFourColumns(i, j);
                    DotFourRowsFourColumns(i, j + 4);
                }
                for (; i < i1; i++) DotEightColumns(Rows + (long)i * Ldr, C + (long)i * Ldc, j);
            }
            int rest = j1 - 8 * blocks;
            for (int step = 0; step < rest - j0; step++)
            {
                int j = Reverse ? rest - 1 - step : j0 + 8 * blocks + step;
                for (int i = i0; i < i1; i++) DotOneColumn(Rows + (long)i * Ldr, C + (long)i * Ldc, j);
            }
        }

        /// <summary>
        /// One row of A (batch 1) against <paramref name="blocks"/> blocks of eight rows of B, in the
        /// order <see cref="DotColumns"/> visits them: <see cref="DotEightColumns"/> in one loop, so
        /// nothing is reloaded or spilled between blocks (a call per block cost ~8 ns, 0.75 µs of W1's
        /// batch-1 forward pass).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void EightColumnBlocks(float* a, float* c, int j0, int j1, int blocks)
        {
            int k = K;
            long l = Ldb;
            nint whole = k & ~15;
            bool reverse = Reverse, accumulate = Accumulate;
            for (int q = 0; q < blocks; q++)
            {
                int j = reverse ? j1 - 8 * (q + 1) : j0 + 8 * q;
                float* b0 = B + j * l;
                var sums = EightDots(a, b0, l, whole);
                if (whole < k) sums += TailDots(a, b0, a, b0 + 4 * l, l, (int)whole, k);
                if (accumulate) sums += Vector256.Load(c + j);
                sums.Store(c + j);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void DotEightColumns(float* a, float* c, int j)
        {
            int k = K;
            long l = Ldb;
            float* b0 = B + j * l;
            nint whole = k & ~15;
            var sums = EightDots(a, b0, l, whole);
            if (whole < k) sums += TailDots(a, b0, a, b0 + 4 * l, l, (int)whole, k);
            Store(c + j, sums);
        }

        /// <summary>
        /// The sums over the first <paramref name="whole"/> elements (a whole number of vectors) of
        /// a times rows b0, b0 + l, …, b0 + 7l, each in 16 lanes reduced by <see cref="LaneSums.Eight"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> EightDots(float* a, float* b0, long l, nint whole)
        {
            float* b1 = b0 + l, b2 = b1 + l, b3 = b2 + l, b4 = b3 + l, b5 = b4 + l, b6 = b5 + l, b7 = b6 + l;
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default,
                s4 = default, s5 = default, s6 = default, s7 = default;
            // A base pointer per row and one index: nothing to recompute or spill in the loop, so the
            // loads of later iterations issue early (the loop waits on memory, not on arithmetic).
            for (nint p = 0; p < whole; p += 16)
            {
                var x = Vector512.Load(a + p);
                s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b0 + p), s0);
                s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b1 + p), s1);
                s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b2 + p), s2);
                s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b3 + p), s3);
                s4 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b4 + p), s4);
                s5 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b5 + p), s5);
                s6 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b6 + p), s6);
                s7 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b7 + p), s7);
            }
            return LaneSums.Eight(s0, s1, s2, s3, s4, s5, s6, s7);
        }

        /// <summary>
        /// C[i..i+3, j..j+3] from four rows of A and four rows of B: sixteen sums, each summed exactly
        /// as <see cref="DotEightColumns"/> sums its own, for half the loads per multiply-add (a row of A
        /// is loaded once for four columns, a row of B once for four rows).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void DotFourRowsFourColumns(int i, int j)
        {
            int k = K;
            long l = Ldb, lr = Ldr;
            float* a0 = Rows + i * lr, a1 = a0 + lr, a2 = a1 + lr, a3 = a2 + lr;
            float* b0 = B + j * l, b1 = b0 + l, b2 = b1 + l, b3 = b2 + l;
            Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default,
                s10 = default, s11 = default, s12 = default, s13 = default,
                s20 = default, s21 = default, s22 = default, s23 = default,
                s30 = default, s31 = default, s32 = default, s33 = default;
            nint p = 0, whole = k & ~15;
            for (; p < whole; p += 16)
            {
                var x0 = Vector512.Load(a0 + p); var x1 = Vector512.Load(a1 + p);
                var x2 = Vector512.Load(a2 + p); var x3 = Vector512.Load(a3 + p);
                var w = Vector512.Load(b0 + p);
                s00 = Vector512.FusedMultiplyAdd(x0, w, s00); s10 = Vector512.FusedMultiplyAdd(x1, w, s10);
                s20 = Vector512.FusedMultiplyAdd(x2, w, s20); s30 = Vector512.FusedMultiplyAdd(x3, w, s30);
                w = Vector512.Load(b1 + p);
                s01 = Vector512.FusedMultiplyAdd(x0, w, s01); s11 = Vector512.FusedMultiplyAdd(x1, w, s11);
                s21 = Vector512.FusedMultiplyAdd(x2, w, s21); s31 = Vector512.FusedMultiplyAdd(x3, w, s31);
                w = Vector512.Load(b2 + p);
                s02 = Vector512.FusedMultiplyAdd(x0, w, s02); s12 = Vector512.FusedMultiplyAdd(x1, w, s12);
                s22 = Vector512.FusedMultiplyAdd(x2, w, s22); s32 = Vector512.FusedMultiplyAdd(x3, w, s32);
                w = Vector512.Load(b3 + p);
                s03 = Vector512.FusedMultiplyAdd(x0, w, s03); s13 = Vector512.FusedMultiplyAdd(x1, w, s13);
                s23 = Vector512.FusedMultiplyAdd(x2, w, s23); s33 = Vector512.FusedMultiplyAdd(x3, w, s33);
            }
            // Rows i, i + 1 (four columns each) in one vector of eight sums, then rows i + 2, i + 3.
            var upper = LaneSums.Eight(s00, s01, s02, s03, s10, s11, s12, s13);
            var lower = LaneSums.Eight(s20, s21, s22, s23, s30, s31, s32, s33);
            if (whole < k)
            {
                upper += TailDots(a0, b0, a1, b0, l, (int)whole, k);
                lower += TailDots(a2, b0, a3, b0, l, (int)whole, k);
            }
            long ldc = Ldc;
            float* c0 = C + i * ldc + j;
            Store(c0, upper.GetLower());
            Store(c0 + ldc, upper.GetUpper());
            Store(c0 + 2 * ldc, lower.GetLower());
            Store(c0 + 3 * ldc, lower.GetUpper());
        }

        /// <summary>
        /// The scalar tails (elements p..k−1 in order) of eight dot products, laid out as
        /// <see cref="LaneSums.Eight"/> lays out its sums: a0 against rows b0, b0 + l, b0 + 2l, b0 + 3l of
        /// B, then a1 against rows b4, b4 + l, b4 + 2l, b4 + 3l.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // out of the kernels, whose registers it would take
        private static Vector256<float> TailDots(float* a0, float* b0, float* a1, float* b4, long l, int p, int k) =>
            Vector256.Create(
                TailDot(a0, b0, p, k), TailDot(a0, b0 + l, p, k), TailDot(a0, b0 + 2 * l, p, k), TailDot(a0, b0 + 3 * l, p, k),
                TailDot(a1, b4, p, k), TailDot(a1, b4 + l, p, k), TailDot(a1, b4 + 2 * l, p, k), TailDot(a1, b4 + 3 * l, p, k));

        /// <summary>One column, summed exactly as <see cref="DotEightColumns"/> sums each of its eight.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void DotOneColumn(float* a, float* c, int j)
        {
            int k = K;
            float* b = B + (long)j * Ldb;
            Vector512<float> s = default;
            int p = 0;
            for (; p + 16 <= k; p += 16) s = Vector512.FusedMultiplyAdd(Vector512.Load(a + p), Vector512.Load(b + p), s);
            float sum = LaneSums.Eight(s, default, default, default, default, default, default, default).ToScalar();
            Store(c + j, p < k ? sum + TailDot(a, b, p, k) : sum);
        }

        /// <summary>Σ a[p]·b[p] over the last k mod 16 elements, in order (0 when k is a whole number of vectors).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float TailDot(float* a, float* b, int p, int k)
        {
            float r = 0;
            for (; p < k; p++) r += a[p] * b[p];
            return r;
        }

        /// <summary>B stored as is (k×n): C[j0..j1] = Σ_p a[p]·B[p, j0..j1], 64 columns in registers at a time.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void AxpyColumns(float* a, float* c, int j0, int j1)
        {
            int k = K;
            long ldb = Ldb;
            int j = j0;
            for (; j + 64 <= j1; j += 64)
            {
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                float* bp = B + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    var x = Vector512.Create(a[p]);
                    s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp), s0);
                    s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 16), s1);
                    s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 32), s2);
                    s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 48), s3);
                }
                Store(c + j, s0); Store(c + j + 16, s1); Store(c + j + 32, s2); Store(c + j + 48, s3);
            }
            for (; j + 16 <= j1; j += 16)
            {
                Vector512<float> s = default;
                float* bp = B + j;
                for (int p = 0; p < k; p++, bp += ldb) s = Vector512.FusedMultiplyAdd(Vector512.Create(a[p]), Vector512.Load(bp), s);
                Store(c + j, s);
            }
            for (; j < j1; j++)
            {
                float s = 0;
                float* bp = B + j;
                for (int p = 0; p < k; p++, bp += ldb) s += a[p] * *bp;
                Store(c + j, s);
            }
        }

        /// <summary>Without 512-bit vectors: dot products or scaled row sums through TensorPrimitives.</summary>
        private readonly void Portable(float* a, float* c, int j0, int j1)
        {
            var aRow = new ReadOnlySpan<float>(a, K);
            if (TransposeB)
            {
                for (int j = j0; j < j1; j++) Store(c + j, TensorPrimitives.Dot(aRow, new ReadOnlySpan<float>(B + (long)j * Ldb, K)));
                return;
            }
            var cPart = new Span<float>(c + j0, j1 - j0);
            if (!Accumulate) cPart.Clear();
            for (int p = 0; p < K; p++)
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(B + (long)p * Ldb + j0, j1 - j0), a[p], cPart, cPart);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Store(float* c, float value) => *c = Accumulate ? *c + value : value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Store(float* c, Vector256<float> value) =>
            (Accumulate ? value + Vector256.Load(c) : value).Store(c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Store(float* c, Vector128<float> value) =>
            (Accumulate ? value + Vector128.Load(c) : value).Store(c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Store(float* c, Vector512<float> value) =>
            (Accumulate ? value + Vector512.Load(c) : value).Store(c);
    }
}
