using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Numerics.Tensors;

namespace DslNet.Backends.Cpu;

// The register-blocked micro-kernels: C[MR×NR] (=|+=) Apanel · Bpanel over one K block.
internal static unsafe partial class Gemm
{
    // ---- micro-kernels ---------------------------------------------------------------------------

    /// <summary>C[MR×NR] (=|+=) Apanel[KC×MR]ᵀ · Bpanel[KC×NR], choosing the widest vectors available.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MicroKernel(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated) Kernel512(kc, a, b, c, ldc, accumulate);
        else if (Vector256.IsHardwareAccelerated) Kernel256(kc, a, b, c, ldc, accumulate);
        else KernelScalar(kc, a, b, c, ldc, accumulate);
    }

    /// <summary>
    /// 8×32 tile in 16 AVX-512 accumulators: per step two loads of B and eight broadcasts of A feed
    /// sixteen FMAs, enough independent chains to cover the FMA latency on both pipes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        PrefetchTile512(c, ldc);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> ai = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00); c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(ai, b0, c10); c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(ai, b0, c20); c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(ai, b0, c30); c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(ai, b0, c40); c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(ai, b0, c50); c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(ai, b0, c60); c61 = Vector512.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(ai, b0, c70); c71 = Vector512.FusedMultiplyAdd(ai, b1, c71);
            a += 8;
            b += 32;
        }
        StoreTile512(c, ldc, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
    }

    /// <summary>
    /// Starts fetching the 8 × 2 lines of an 8×32 C tile: the tile is touched only after the K loop,
    /// so its final loads and stores then do not wait on L2/L3 (rows of a large C are far apart).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile512(float* c, int ldc)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < 8; r++, c += ldc)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 16);
        }
    }

    /// <summary>Writes (or adds, with <paramref name="accumulate"/>) the 8×32 tile held in sixteen accumulators, row r in (cr0, cr1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile512(float* c, int ldc, bool accumulate,
        Vector512<float> c00, Vector512<float> c01, Vector512<float> c10, Vector512<float> c11,
        Vector512<float> c20, Vector512<float> c21, Vector512<float> c30, Vector512<float> c31,
        Vector512<float> c40, Vector512<float> c41, Vector512<float> c50, Vector512<float> c51,
        Vector512<float> c60, Vector512<float> c61, Vector512<float> c70, Vector512<float> c71)
    {
        Store512(c, c00, c01, accumulate); c += ldc;
        Store512(c, c10, c11, accumulate); c += ldc;
        Store512(c, c20, c21, accumulate); c += ldc;
        Store512(c, c30, c31, accumulate); c += ldc;
        Store512(c, c40, c41, accumulate); c += ldc;
        Store512(c, c50, c51, accumulate); c += ldc;
        Store512(c, c60, c61, accumulate); c += ldc;
        Store512(c, c70, c71, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> v0, Vector512<float> v1, bool accumulate)
    {
        if (accumulate) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + 16); }
        v0.Store(c);
        v1.Store(c + 16);
    }

    /// <summary>6×16 tile in 12 AVX2 accumulators (the classic Haswell shape; MR = 6 without AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> ai = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(ai, b0, c00); c01 = Vector256.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(ai, b0, c10); c11 = Vector256.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(ai, b0, c20); c21 = Vector256.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(ai, b0, c30); c31 = Vector256.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(ai, b0, c40); c41 = Vector256.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(ai, b0, c50); c51 = Vector256.FusedMultiplyAdd(ai, b1, c51);
            a += 6;
            b += 16;
        }
        Store256(c, c00, c01, accumulate); c += ldc;
        Store256(c, c10, c11, accumulate); c += ldc;
        Store256(c, c20, c21, accumulate); c += ldc;
        Store256(c, c30, c31, accumulate); c += ldc;
        Store256(c, c40, c41, accumulate); c += ldc;
        Store256(c, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> v0, Vector256<float> v1, bool accumulate)
    {
        if (accumulate) { v0 += Vector256.Load(c); v1 += Vector256.Load(c + 8); }
        v0.Store(c);
        v1.Store(c + 8);
    }

    /// <summary>Portable MR×8 tile for machines without 256-bit SIMD.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelScalar(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        const int nr = 8;
        float* acc = stackalloc float[MR * nr];
        new Span<float>(acc, MR * nr).Clear();
        for (int p = 0; p < kc; p++, a += MR, b += nr)
            for (int r = 0; r < MR; r++)
            {
                float ar = a[r];
                for (int j = 0; j < nr; j++) acc[r * nr + j] += ar * b[j];
            }
        for (int r = 0; r < MR; r++)
            for (int j = 0; j < nr; j++)
                c[r * ldc + j] = accumulate ? c[r * ldc + j] + acc[r * nr + j] : acc[r * nr + j];
    }

    /// <summary>Writes (or adds) the valid rows × cols corner of a padded stack tile into C.</summary>
    private static void MergeTile(float* tile, int ldt, float* c, int ldc, int rows, int cols, bool accumulate)
    {
        for (int r = 0; r < rows; r++)
        {
            var src = new ReadOnlySpan<float>(tile + r * ldt, cols);
            var dst = new Span<float>(c + (long)r * ldc, cols);
            if (accumulate) TensorPrimitives.Add(dst, src, dst);
            else src.CopyTo(dst);
        }
    }
}
