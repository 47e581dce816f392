using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

// Packing: copies of blocks of op(A) and op(B) laid out in the order the micro-kernel reads them.
internal static unsafe partial class Gemm
{
    // ---- packing ---------------------------------------------------------------------------------

    /// <summary>
    /// Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into ⌈mc/MR⌉ row panels; panel q holds, for each p, the
    /// MR values op(A)[i0 + q·MR + r, p0 + p] contiguously (rows past mc are zero).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(bool transposeA, float* a, int lda, int i0, int p0, int mc, int kc, float* dst)
    {
        int mr = MR;
        for (int ir = 0; ir < mc; ir += mr, dst += mr * kc)
        {
            int rows = Math.Min(mr, mc - ir);
            if (!transposeA)
            {
                // op(A)(i, p) = a[i·lda + p]: rows contiguous in p, to be interleaved — a transpose.
                float* src = a + (long)(i0 + ir) * lda + p0;
                int p = 0;
                if (rows == 8 && Avx.IsSupported)
                    for (; p + 8 <= kc; p += 8) Transpose8x8(src + p, lda, dst + p * 8, 8);
                for (int r = 0; r < rows; r++)
                {
                    float* row = src + (long)r * lda;
                    for (int q = p; q < kc; q++) dst[q * mr + r] = row[q];
                }
            }
            else
            {
                // op(A)(i, p) = a[p·lda + i]: the MR values of one p are contiguous in the source.
                float* src = a + (long)p0 * lda + i0 + ir;
                if (rows == 8 && Vector256.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++) Vector256.Store(Vector256.Load(src + (long)p * lda), dst + p * 8);
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                        for (int r = 0; r < rows; r++) dst[p * mr + r] = src[(long)p * lda + r];
                }
            }
            if (rows < mr)
                for (int p = 0; p < kc; p++)
                    for (int r = rows; r < mr; r++) dst[p * mr + r] = 0f;
        }
    }

    /// <summary>
    /// Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into ⌈nc/NR⌉ column panels; panel q holds, for each p,
    /// the NR values op(B)[p0 + p, j0 + q·NR + j] contiguously (columns past nc are zero).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(bool transposeB, float* b, int ldb, int p0, int j0, int kc, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr, dst += nr * kc)
        {
            int cols = Math.Min(nr, nc - jr);
            if (!transposeB && cols == 32 && nr == 32 && Vector512.IsHardwareAccelerated)
            {
                // A full AVX-512 panel row is two vectors: copy them directly rather than through memmove.
                float* src = b + (long)p0 * ldb + j0 + jr;
                for (int p = 0; p < kc; p++, src += ldb)
                {
                    Vector512.Store(Vector512.Load(src), dst + p * 32);
                    Vector512.Store(Vector512.Load(src + 16), dst + p * 32 + 16);
                }
            }
            else if (!transposeB)
            {
                // op(B)(p, j) = b[p·ldb + j]: a row of the panel is a contiguous copy.
                for (int p = 0; p < kc; p++)
                {
                    var src = new ReadOnlySpan<float>(b + (long)(p0 + p) * ldb + j0 + jr, cols);
                    var row = new Span<float>(dst + p * nr, nr);
                    src.CopyTo(row);
                    if (cols < nr) row.Slice(cols).Clear();
                }
            }
            else
            {
                // op(B)(p, j) = b[j·ldb + p]: each source row is one column of the panel, so 8×8
                // blocks are transposed into place (the Dense forward product x·Wᵀ packs W this way).
                float* src = b + (long)(j0 + jr) * ldb + p0;
                int j = 0;
                if (Avx.IsSupported)
                {
                    for (; j + 8 <= cols; j += 8)
                    {
                        float* s = src + (long)j * ldb;
                        int p = 0;
                        for (; p + 8 <= kc; p += 8) Transpose8x8(s + p, ldb, dst + p * nr + j, nr);
                        for (; p < kc; p++)
                            for (int jj = 0; jj < 8; jj++) dst[p * nr + j + jj] = s[(long)jj * ldb + p];
                    }
                }
                for (; j < cols; j++)
                {
                    float* s = src + (long)j * ldb;
                    for (int p = 0; p < kc; p++) dst[p * nr + j] = s[p];
                }
                if (cols < nr)
                    for (int p = 0; p < kc; p++)
                        for (int jj = cols; jj < nr; jj++) dst[p * nr + jj] = 0f;
            }
        }
    }

    /// <summary>
    /// dst[q·ldd + r] = src[r·lds + q] for r, q &lt; 8: an 8×8 block transposed with the classic
    /// unpack / shuffle / lane-permute sequence (24 shuffles for 64 elements instead of 64 scalar moves).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, long lds, float* dst, long ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + lds);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * lds), r3 = Avx.LoadVector256(src + 3 * lds);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * lds), r5 = Avx.LoadVector256(src + 5 * lds);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * lds), r7 = Avx.LoadVector256(src + 7 * lds);
        // Pairs of rows interleaved: t0 = [a00 a10 a01 a11 | a04 a14 a05 a15], …
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        // Quads: u0 = [a00 a10 a20 a30 | a04 a14 a24 a34], …
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        // Halves joined: column q of the block.
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }
}
