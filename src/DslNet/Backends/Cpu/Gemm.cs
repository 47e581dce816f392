using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Numerics.Tensors;

namespace DslNet.Backends.Cpu;

/// <summary>
/// Single-precision matrix product C = op(A)·op(B) + beta·C, row-major, where op(X) is X or Xᵀ.
/// A is M×K after op, B is K×N after op, C is M×N; lda/ldb/ldc are the row strides of the stored
/// matrices. beta is 0 (overwrite: C is never read, so it may hold garbage) or 1 (accumulate, as
/// backward kernels need); any other value scales C first.
/// </summary>
/// <remarks>
/// Structured the BLIS way (Van Zee &amp; van de Geijn, "BLIS: A Framework for Rapidly Instantiating
/// BLAS Functionality", 2015). Five loops around a register-blocked micro-kernel:
/// <code>
/// for jc in N step NC:                 B block  KC×NC  → packed once, lives in L3
///   for pc in K step KC:
///     pack op(B)[pc.., jc..] into NR-wide column panels
///     for ic in M step MC:             A block  MC×KC  → packed, lives in L2
///       pack op(A)[ic.., pc..] into MR-tall row panels
///       for jr in NC step NR:          one B micro-panel KC×NR is reused …
///         for ir in MC step MR:        … by every A micro-panel of the block
///           micro-kernel: C[ir.., jr..] (MR×NR) += Apanel · Bpanel
/// </code>
/// The K and M blocks are balanced (BlockStep). The files: Gemm.cs (driver, loops), Gemm.Kernels.cs
/// (micro-kernels), Gemm.Packing.cs, Gemm.Parallel.cs (threads), Gemm.FewRows.cs (GEMV-like products),
/// Gemm.ShortDepth.cs (one K and one M block: B packed panel by panel) and Gemm.LongDepth.cs (a deep
/// product with a narrow C: A read in place) — the two shapes of a Dense layer's backward and forward.
/// Packing makes the micro-kernel's reads contiguous whatever the transposes and leading
/// dimensions are, and pads partial panels with zeros so the micro-kernel always computes a full
/// MR×NR tile; partial tiles of C are written through a small stack tile. The vectors run along N
/// (contiguous in row-major C), so each micro-kernel step broadcasts MR values of A and multiplies
/// them by NR/width vectors of B. Products with fewer than MR rows, or a transposed B with fewer than
/// NR/2 columns (a logits layer), skip packing (see Gemm.FewRows.cs).
///
/// Packing buffers are per thread ([ThreadStatic]) and grow on demand, so after the first call of a
/// given size no managed memory is allocated, and several threads may multiply at once (for example
/// a convolution parallel over samples).
/// </remarks>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Rows of the register tile (broadcast values of A per step): 8 with AVX-512, whose 32 registers
    /// hold 8×2 accumulators, two B vectors and the broadcast; 6 with AVX2 (6×2 of 16 registers).
    /// </summary>
    internal static readonly int MR = Vector512.IsHardwareAccelerated ? 8 : 6;

    /// <summary>Columns of the register tile: two vectors per row.</summary>
    internal static readonly int NR =
        Vector512.IsHardwareAccelerated ? 2 * Vector512<float>.Count :
        Vector256.IsHardwareAccelerated ? 2 * Vector256<float>.Count : 8;

    /// <summary>
    /// Most depth of a packed block. Deep blocks amortise loading and storing the C tile and the
    /// per-block packing; the MR×KC A micro-panel (16 KiB) stays in L1 while the KC×NR B micro-panel
    /// streams from L2, which has bandwidth to spare at 128 bytes per 8 cycles. On the 2-core Zen 5
    /// this was tuned on, 512 measured best (then 384, 256, 192).
    /// </summary>
    internal const int KC = 512;

    /// <summary>
    /// Most rows of a packed A block: MC×KC floats (256 KiB with AVX-512) fit in L2. Sixteen register
    /// panels. The K and M blocks actually used are balanced (see <see cref="BlockStep"/>).
    /// </summary>
    internal static readonly int MC = 16 * MR;

    /// <summary>Columns of a packed B block: KC×NC floats (3 MiB) go to L3. A multiple of every NR.</summary>
    internal const int NC = 3072;

    [ThreadStatic] private static float[]? s_packA;
    [ThreadStatic] private static float[]? s_packB;

    /// <summary>
    /// C = op(A)·op(B) + beta·C. With a <paramref name="pool"/> of several threads, products large
    /// enough to pay for it are split across the threads (see Gemm.Parallel.cs); the result is the
    /// same whatever the thread count, because every element of C is summed in the same order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, float beta, WorkerPool? pool = null)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must not be negative (m = {m}, n = {n}, k = {k}).");
        if (m == 0 || n == 0) return;
        RequireMatrix(c.Length, m, n, ldc, nameof(c));
        if (k == 0)
        {
            // The product is empty: C = beta·C.
            ScaleC(c, m, n, ldc, beta);
            return;
        }
        RequireMatrix(a.Length, transposeA ? k : m, transposeA ? m : k, lda, nameof(a));
        RequireMatrix(b.Length, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b));

        // beta ∉ {0, 1}: scale C once, then accumulate into it.
        if (beta != 0f && beta != 1f) { ScaleC(c, m, n, ldc, beta); beta = 1f; }
        bool accumulate = beta != 0f;

        fixed (float* pa = a, pb = b, pc = c)
        {
            if (IsFewRows(m, n, transposeB))
                MultiplyFewRows(transposeA, transposeB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, pool);
            else if (IsLongDepth(transposeA, m, n, k))
                MultiplyLongDepth(transposeB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, pool);
            else if (IsShortDepth(m, n, k))
                MultiplyShortDepth(transposeA, transposeB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, pool);
            else if (!TryMultiplyParallel(transposeA, transposeB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, pool))
                MultiplyBlocked(transposeA, transposeB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
        }
    }

    /// <summary>The five loops on one thread (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyBlocked(bool transposeA, bool transposeB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulateC)
    {
        SequentialPackBuffers(m, n, k, out float* packA, out float* packB);
        int nr = NR;
        int kStep = BlockStep(k, KC, 1), mStep = BlockStep(m, MC, MR);
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int p0 = 0; p0 < k; p0 += kStep)
            {
                int kc = Math.Min(kStep, k - p0);
                // The first K block applies beta; later blocks add their partial products.
                bool accumulate = accumulateC || p0 > 0;
                PackB(transposeB, b, ldb, p0, jc, kc, nc, nr, packB);
                for (int ic = 0; ic < m; ic += mStep)
                {
                    int mc = Math.Min(mStep, m - ic);
                    PackA(transposeA, a, lda, ic, p0, mc, kc, packA);
                    MacroKernel(packA, packB, mc, nc, kc, c + (long)ic * ldc + jc, ldc, accumulate);
                }
            }
        }
    }

    /// <summary>
    /// C[mc×nc] (=|+=) the packed A block times the packed B block: the two innermost loops. The B
    /// block's first panel holds column 0 of this C block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroKernel(float* packA, float* packB, int mc, int nc, int kc, float* c, int ldc, bool accumulate)
    {
        int nr = NR;
        float* tile = stackalloc float[MR * 2 * Vector512<float>.Count];
        for (int jr = 0; jr < nc; jr += nr)
        {
            int ncols = Math.Min(nr, nc - jr);
            float* bPanel = packB + jr * kc;
            for (int ir = 0; ir < mc; ir += MR)
            {
                int nrows = Math.Min(MR, mc - ir);
                float* aPanel = packA + ir * kc;
                float* cTile = c + (long)ir * ldc + jr;
                if (nrows == MR && ncols == nr)
                {
                    MicroKernel(kc, aPanel, bPanel, cTile, ldc, accumulate);
                }
                else
                {
                    // Edge tile: compute the full padded tile on the stack, copy the valid part.
                    MicroKernel(kc, aPanel, bPanel, tile, nr, accumulate: false);
                    MergeTile(tile, nr, cTile, ldc, nrows, ncols, accumulate);
                }
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /// <summary>This thread's packing buffers, sized for <see cref="MultiplyBlocked"/> on an m×n×k product.</summary>
    private static void SequentialPackBuffers(int m, int n, int k, out float* packA, out float* packB)
    {
        int kStep = BlockStep(k, KC, 1), mStep = BlockStep(m, MC, MR);
        packA = PackBuffer(ref s_packA, mStep * kStep);
        packB = PackBuffer(ref s_packB, kStep * RoundUp(Math.Min(n, NC), NR));
    }

    /// <summary>
    /// A 64-byte-aligned pointer to at least <paramref name="length"/> floats of this thread's packing
    /// buffer, growing it when needed. The array lives on the pinned object heap, so the pointer stays
    /// valid without a fixed block.
    /// </summary>
    private static float* PackBuffer(ref float[]? buffer, int length)
    {
        const int alignFloats = 16; // 64 bytes
        if (buffer is null || buffer.Length < length + alignFloats)
            buffer = GC.AllocateUninitializedArray<float>(length + alignFloats, pinned: true);
        float* p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        nint misalignment = (nint)p & 63;
        return misalignment == 0 ? p : (float*)((byte*)p + (64 - misalignment));
    }

    private static void ScaleC(Span<float> c, int m, int n, int ldc, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear(); // not 0·C: C may hold NaN or garbage when overwriting
            else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>
    /// The block size for a loop over <paramref name="total"/>: as few blocks as the limit
    /// <paramref name="max"/> allows, of equal size (a multiple of <paramref name="multiple"/>), so a
    /// 784-deep product runs as 4 × 196 rather than 3 × 256 + 16 — a thin last block would pay the
    /// per-block costs (packing, C tile loads and stores) for little work.
    /// </summary>
    internal static int BlockStep(int total, int max, int multiple)
    {
        int blocks = (total + max - 1) / max;
        return Math.Min(max, RoundUp((total + blocks - 1) / blocks, multiple));
    }

    /// <summary>A stored rows×cols matrix with row stride ld needs ld ≥ cols and (rows−1)·ld + cols elements.</summary>
    private static void RequireMatrix(int length, int rows, int cols, int ld, string name)
    {
        if (ld < cols)
            throw new ArgumentException($"GEMM: leading dimension of {name} is {ld}, less than its {cols} columns.", name);
        long needed = (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException($"GEMM: {name} has {length} elements where a {rows}×{cols} matrix with leading dimension {ld} needs {needed}.", name);
    }
}
