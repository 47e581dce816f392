using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

// The F(4×4, 3×3) transforms (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016),
// for one 3×3 correlation y[i] = Σ_a g[a]·d[i + a] per axis:
//
//        | 4  0 -5  0  1  0 |          | 1/4    0     0   |         | 1  1  1  1  1  0 |
//        | 0 -4 -4  1  1  0 |          | -1/6 -1/6  -1/6  |         | 0  1 -1  2 -2  0 |
//   Bᵀ = | 0  4 -4 -1  1  0 |      G = | -1/6  1/6  -1/6  |    Aᵀ = | 0  1  1  4  4  0 |
//        | 0 -2 -1  2  1  0 |          | 1/24  1/12  1/6  |         | 0  1 -1  8 -8  1 |
//        | 0  2 -1 -2  1  0 |          | 1/24 -1/12  1/6  |
//        | 0  4  0 -5  0  1 |          | 0     0     1    |
//
// Forward tile: Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A, the Hadamard product summed over input channels (a
// matrix product per Winograd point ξ). Weight gradient: dg = Gᵀ [ Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ d B) ] G.
// The vector transforms work on 16 lanes (16 samples) at once; the kernel-side ones run once per call
// in double precision.
internal static unsafe partial class WinogradConvolution
{
    private static readonly double[] G =
    {
        1.0 / 4, 0, 0,
        -1.0 / 6, -1.0 / 6, -1.0 / 6,
        -1.0 / 6, 1.0 / 6, -1.0 / 6,
        1.0 / 24, 1.0 / 12, 1.0 / 6,
        1.0 / 24, -1.0 / 12, 1.0 / 6,
        0, 0, 1,
    };

    /// <summary>Bᵀ applied to (e0 … e5): the six outputs, in the factored form (12 operations).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyBt(Vector512<float> e0, Vector512<float> e1, Vector512<float> e2, Vector512<float> e3,
        Vector512<float> e4, Vector512<float> e5, Vector512<float>* o, int stride)
    {
        var four = Vector512.Create(4f);
        var minusFour = Vector512.Create(-4f);
        var minusFive = Vector512.Create(-5f);
        o[0] = Vector512.FusedMultiplyAdd(four, e0, Vector512.FusedMultiplyAdd(minusFive, e2, e4));
        var a = Vector512.FusedMultiplyAdd(minusFour, e2, e4);   // e4 − 4e2
        var b = Vector512.FusedMultiplyAdd(minusFour, e1, e3);   // e3 − 4e1
        o[stride] = a + b;
        o[2 * stride] = a - b;
        var c = e4 - e2;
        var d = (e3 - e1) * Vector512.Create(2f);
        o[3 * stride] = c + d;
        o[4 * stride] = c - d;
        o[5 * stride] = Vector512.FusedMultiplyAdd(four, e1, Vector512.FusedMultiplyAdd(minusFive, e3, e5));
    }

    /// <summary>
    /// V = Bᵀ d B for one tile of 16 lanes: d's tap (i, k) is the vector at source + tapOffsets[6i + k];
    /// point ξ = 6u + v goes to destination + ξ·pointStride. A non-zero <paramref name="prefetch"/> also
    /// prefetches the taps that far on (the same tile of the next channel, read next).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputTransform(float* source, int* tapOffsets, float* destination, long pointStride, long prefetch = 0)
    {
        Vector512<float>* t = stackalloc Vector512<float>[Points];
        for (int k = 0; k < Alpha; k++)
        {
            if (prefetch != 0)
                for (int i = 0; i < Alpha; i++) Sse.Prefetch0(source + tapOffsets[6 * i + k] + prefetch);
            ApplyBt(Vector512.Load(source + tapOffsets[k]), Vector512.Load(source + tapOffsets[6 + k]),
                Vector512.Load(source + tapOffsets[12 + k]), Vector512.Load(source + tapOffsets[18 + k]),
                Vector512.Load(source + tapOffsets[24 + k]), Vector512.Load(source + tapOffsets[30 + k]), t + k, Alpha);
        }
        // Points ξ = 6u + v straight to the destination (pointStride is whole vectors), not through a row on
        // the stack: 36 stores and loads fewer per tile. W3's conv2, same-process A/B (calls alternated,
        // medians of 60–100, load 4–6), with the same in InputAndGradientTransform: backward 1 thread
        // 49.3 → 46.2 and 48.3 → 46.5 ms; 2 threads 26.1 → 24.5 and 59.4 → 52.8 ms in three runs, 27.9 → 31.2
        // in a fourth; forward 1 thread 21.8 → 21.3 ms, 2 threads unchanged.
        int stride = (int)(pointStride / Lanes);
        for (int u = 0; u < Alpha; u++)
        {
            Vector512<float>* e = t + u * Alpha;
            ApplyBt(e[0], e[1], e[2], e[3], e[4], e[5], (Vector512<float>*)(destination + u * Alpha * pointStride), stride);
        }
    }

    /// <summary>
    /// <see cref="InputTransform"/> and <see cref="GradientTransform"/> of one tile from one load of its
    /// taps: V = Bᵀ d B of the 6 × 6 taps (to <paramref name="v"/>, points <paramref name="vPointStride"/>
    /// apart) and Z = A dY Aᵀ of the 4 × 4 taps from row <paramref name="gradientRow"/>, column
    /// <paramref name="gradientColumn"/> (0 … 2) on (to <paramref name="z"/>). The backward pass's dz tile
    /// of the weight gradient lies inside the input tile of the input-gradient correlation with the same
    /// index; transforming both at once reads the dz frames once instead of twice. Same arithmetic, in the
    /// same order, as the two transforms.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputAndGradientTransform(float* source, int* tapOffsets, float* v, long vPointStride,
        int gradientRow, int gradientColumn, float* z, long zPointStride, long prefetch)
    {
        Vector512<float>* t = stackalloc Vector512<float>[Points];
        Vector512<float>* tz = stackalloc Vector512<float>[Alpha * Tile];
        for (int k = 0; k < Alpha; k++)
        {
            if (prefetch != 0)
                for (int i = 0; i < Alpha; i++) Sse.Prefetch0(source + tapOffsets[6 * i + k] + prefetch);
            var e0 = Vector512.Load(source + tapOffsets[k]);
            var e1 = Vector512.Load(source + tapOffsets[6 + k]);
            var e2 = Vector512.Load(source + tapOffsets[12 + k]);
            var e3 = Vector512.Load(source + tapOffsets[18 + k]);
            var e4 = Vector512.Load(source + tapOffsets[24 + k]);
            var e5 = Vector512.Load(source + tapOffsets[30 + k]);
            ApplyBt(e0, e1, e2, e3, e4, e5, t + k, Alpha);
            int j = k - gradientColumn;
            if ((uint)j < Tile)
            {
                switch (gradientRow)
                {
                    case 0: ApplyA(e0, e1, e2, e3, tz + j, Tile); break;
                    case 1: ApplyA(e1, e2, e3, e4, tz + j, Tile); break;
                    default: ApplyA(e2, e3, e4, e5, tz + j, Tile); break;
                }
            }
        }
        int vStride = (int)(vPointStride / Lanes), zStride = (int)(zPointStride / Lanes);
        for (int u = 0; u < Alpha; u++)
        {
            Vector512<float>* e = t + u * Alpha;
            ApplyBt(e[0], e[1], e[2], e[3], e[4], e[5], (Vector512<float>*)(v + u * Alpha * vPointStride), vStride);
        }
        for (int u = 0; u < Alpha; u++)
        {
            Vector512<float>* e = tz + u * Tile;
            ApplyA(e[0], e[1], e[2], e[3], (Vector512<float>*)(z + u * Alpha * zPointStride), zStride);
        }
    }

    /// <summary>Aᵀ applied to (m0 … m5): four outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyAt(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3,
        Vector512<float> m4, Vector512<float> m5, Vector512<float>* o, int stride)
    {
        ApplyAt(m0, m1, m2, m3, m4, m5, out o[0], out o[stride], out o[2 * stride], out o[3 * stride]);
    }

    /// <summary>Aᵀ applied to (m0 … m5): four outputs, in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyAt(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3,
        Vector512<float> m4, Vector512<float> m5, out Vector512<float> o0, out Vector512<float> o1, out Vector512<float> o2, out Vector512<float> o3)
    {
        var s12 = m1 + m2;
        var d12 = m1 - m2;
        var s34 = m3 + m4;
        var d34 = m3 - m4;
        o0 = m0 + s12 + s34;
        o1 = Vector512.FusedMultiplyAdd(Vector512.Create(2f), d34, d12);
        o2 = Vector512.FusedMultiplyAdd(Vector512.Create(4f), s34, s12);
        o3 = Vector512.FusedMultiplyAdd(Vector512.Create(8f), d34, d12) + m5;
    }

    /// <summary>
    /// Y = Aᵀ M A for one tile: M's point ξ is the vector at source + ξ·16; output (i, j) is written to
    /// tile + (4i + j)·16, plus <paramref name="bias"/>, then clamped at zero when <paramref name="relu"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OutputTransform(float* source, float* tile, float bias, bool relu)
    {
        Vector512<float>* t = stackalloc Vector512<float>[Tile * Alpha];
        for (int k = 0; k < Alpha; k++)
        {
            ApplyAt(Vector512.Load(source + k * Lanes), Vector512.Load(source + (6 + k) * Lanes),
                Vector512.Load(source + (12 + k) * Lanes), Vector512.Load(source + (18 + k) * Lanes),
                Vector512.Load(source + (24 + k) * Lanes), Vector512.Load(source + (30 + k) * Lanes), t + k, Alpha);
        }
        Vector512<float>* row = stackalloc Vector512<float>[Tile];
        var b = Vector512.Create(bias);
        for (int i = 0; i < Tile; i++)
        {
            Vector512<float>* e = t + i * Alpha;
            ApplyAt(e[0], e[1], e[2], e[3], e[4], e[5], row, 1);
            for (int j = 0; j < Tile; j++)
            {
                var value = row[j] + b;
                // IEEE maximum keeps NaN, as the separate ReLU kernel does.
                if (relu) value = Vector512.Max(value, Vector512<float>.Zero);
                Vector512.Store(value, tile + (i * Tile + j) * Lanes);
            }
        }
    }

    /// <summary>
    /// <see cref="OutputTransform"/> for an output that is staged: each output row of the tile goes from
    /// registers straight into the staging buffer (<see cref="StageRow"/>: sample n's row i at
    /// target + (4n + i)·<paramref name="rowFloats"/>), not through a tile buffer in memory (16 stores and
    /// 16 loads fewer per tile). Same arithmetic, same bits. W3's conv2, same-process A/B (calls alternated,
    /// medians of 100, load ~4.5): forward faster in 74/100 calls at 1 thread (CPU 16.4 → 15.5 ms) and 71/100
    /// at 2 (18.7 → 17.3 ms); the overwriting backward 58/100 and 57/100 (37.6 → 37.2, 40.1 → 38.9 ms).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OutputTransformStaged(float* source, float bias, bool relu, float* target, int rowFloats)
    {
        Vector512<float>* t = stackalloc Vector512<float>[Tile * Alpha];
        for (int k = 0; k < Alpha; k++)
        {
            ApplyAt(Vector512.Load(source + k * Lanes), Vector512.Load(source + (6 + k) * Lanes),
                Vector512.Load(source + (12 + k) * Lanes), Vector512.Load(source + (18 + k) * Lanes),
                Vector512.Load(source + (24 + k) * Lanes), Vector512.Load(source + (30 + k) * Lanes), t + k, Alpha);
        }
        var b = Vector512.Create(bias);
        for (int i = 0; i < Tile; i++)
        {
            Vector512<float>* e = t + i * Alpha;
            ApplyAt(e[0], e[1], e[2], e[3], e[4], e[5], out var r0, out var r1, out var r2, out var r3);
            r0 += b; r1 += b; r2 += b; r3 += b;
            if (relu)
            {
                // IEEE maximum keeps NaN, as the separate ReLU kernel does.
                r0 = Vector512.Max(r0, Vector512<float>.Zero); r1 = Vector512.Max(r1, Vector512<float>.Zero);
                r2 = Vector512.Max(r2, Vector512<float>.Zero); r3 = Vector512.Max(r3, Vector512<float>.Zero);
            }
            StageRow(r0, r1, r2, r3, target + i * rowFloats, rowFloats);
        }
    }

    /// <summary>A applied to (y0 … y3): six outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyA(Vector512<float> y0, Vector512<float> y1, Vector512<float> y2, Vector512<float> y3,
        Vector512<float>* o, int stride)
    {
        var p = y0 + y2;
        var q = y1 + y3;
        var r = Vector512.FusedMultiplyAdd(Vector512.Create(4f), y2, y0);
        var s = Vector512.FusedMultiplyAdd(Vector512.Create(8f), y3, y1 + y1);
        o[0] = y0;
        o[stride] = p + q;
        o[2 * stride] = p - q;
        o[3 * stride] = r + s;
        o[4 * stride] = r - s;
        o[5 * stride] = y3;
    }

    /// <summary>
    /// Z = A dY Aᵀ for one output-gradient tile: dY's value (i, j) is the vector at
    /// source + tapOffsets[4i + j]; point ξ goes to destination + ξ·pointStride. A non-zero
    /// <paramref name="prefetch"/> also prefetches the taps that far on.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientTransform(float* source, int* tapOffsets, float* destination, long pointStride, long prefetch = 0)
    {
        Vector512<float>* t = stackalloc Vector512<float>[Alpha * Tile];
        for (int j = 0; j < Tile; j++)
        {
            if (prefetch != 0)
                for (int i = 0; i < Tile; i++) Sse.Prefetch0(source + tapOffsets[4 * i + j] + prefetch);
            ApplyA(Vector512.Load(source + tapOffsets[j]), Vector512.Load(source + tapOffsets[4 + j]),
                Vector512.Load(source + tapOffsets[8 + j]), Vector512.Load(source + tapOffsets[12 + j]), t + j, Tile);
        }
        Vector512<float>* row = stackalloc Vector512<float>[Alpha];
        for (int u = 0; u < Alpha; u++)
        {
            Vector512<float>* e = t + u * Tile;
            ApplyA(e[0], e[1], e[2], e[3], row, 1);
            float* target = destination + u * Alpha * pointStride;
            for (int v = 0; v < Alpha; v++) Vector512.Store(row[v], target + v * pointStride);
        }
    }

    /// <summary>
    /// U = G g Gᵀ for <see cref="KernelLanes"/> kernels at once (lane j: kernel j), in double: g[t] holds tap
    /// t (row-major 3×3) of each kernel, u[p] receives point p. The operations and their order are those of
    /// one kernel at a time in scalar double (separate multiplies and adds: the JIT does not fuse vector
    /// operators), so the values are the same. W3's conv2 (2,048 kernels, packed on the calling thread before
    /// each pass's parallel loop), thread CPU per call: one kernel at a time 0.44–0.48 ms, 8 at a time
    /// 0.15–0.18 ms (the gathers of taps and the scattered stores of the packed layout now dominate).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelTransform(Vector512<double>* g, Vector512<double>* u)
    {
        Vector512<double>* gg = stackalloc Vector512<double>[Alpha * 3]; // G g: 6 × 3
        for (int r = 0; r < Alpha; r++)
            for (int b = 0; b < 3; b++)
                gg[r * 3 + b] = Vector512.Create(G[r * 3]) * g[b] + Vector512.Create(G[r * 3 + 1]) * g[3 + b]
                    + Vector512.Create(G[r * 3 + 2]) * g[6 + b];
        for (int r = 0; r < Alpha; r++)
            for (int c = 0; c < Alpha; c++)
                u[r * Alpha + c] = gg[r * 3] * Vector512.Create(G[c * 3]) + gg[r * 3 + 1] * Vector512.Create(G[c * 3 + 1])
                    + gg[r * 3 + 2] * Vector512.Create(G[c * 3 + 2]);
    }

    /// <summary>
    /// dg = Gᵀ dU G for <see cref="KernelLanes"/> kernels at once (lane j: kernel j), in double: du[p] holds
    /// point p, dg[t] receives tap t. Same operations, in the same order, as one kernel at a time (see
    /// <see cref="KernelTransform"/>). W3's conv2, with the sum of the shares' dU partials and the bias
    /// partials that run before it on the calling thread: 0.84–0.88 ms per call one kernel at a time,
    /// 0.49–0.56 ms 8 at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelGradientTransform(Vector512<double>* du, Vector512<double>* dg)
    {
        Vector512<double>* t = stackalloc Vector512<double>[3 * Alpha]; // Gᵀ dU: 3 × 6
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < Alpha; c++)
            {
                var sum = Vector512<double>.Zero;
                for (int r = 0; r < Alpha; r++) sum += Vector512.Create(G[r * 3 + a]) * du[r * Alpha + c];
                t[a * Alpha + c] = sum;
            }
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
            {
                var sum = Vector512<double>.Zero;
                for (int c = 0; c < Alpha; c++) sum += t[a * Alpha + c] * Vector512.Create(G[c * 3 + b]);
                dg[a * 3 + b] = sum;
            }
    }

    /// <summary>Kernels per call of <see cref="KernelTransform"/> and <see cref="KernelGradientTransform"/>: the doubles of a vector.</summary>
    private const int KernelLanes = 8;

    /// <summary>Register tile of the per-point product: output rows × tile positions (vectors of 16 samples).</summary>
    private const int RowsPerTile = DirectConvolutionKernels.MaxRows;

    /// <summary>
    /// M[r, v] = Σ_c U[c, r] · V[c, v] for TR rows (output channels) and TP ≤ <see cref="ChunkPositions"/>
    /// vectors (tile positions) at one Winograd point: U packed [c][TR] (consecutive broadcasts), V's
    /// channel c at v + c·<paramref name="channelStride"/>, its positions one vector apart. Row r, vector v
    /// is stored at m + r·<see cref="ChunkRowStride"/> + v·<see cref="ChunkPositionStride"/>.
    /// TR·TP accumulators; each channel loads TP vectors, broadcasts TR weights and issues TR·TP FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyPoint<TR, TP>(float* u, float* v, int channels, int channelStride, float* m)
        where TR : struct, IRowCount where TP : struct, IRowCount
    {
        var z = Vector512<float>.Zero;
        Vector512<float> a00 = z, a01 = z, a02 = z, a10 = z, a11 = z, a12 = z, a20 = z, a21 = z, a22 = z, a30 = z, a31 = z, a32 = z;
        Vector512<float> a40 = z, a41 = z, a42 = z, a50 = z, a51 = z, a52 = z, a60 = z, a61 = z, a62 = z, a70 = z, a71 = z, a72 = z;
        for (int c = 0; c < channels; c++, u += TR.Value, v += channelStride)
        {
            var x0 = Vector512.Load(v);
            var x1 = TP.Value > 1 ? Vector512.Load(v + Lanes) : z;
            var x2 = TP.Value > 2 ? Vector512.Load(v + 2 * Lanes) : z;
            { var b = Vector512.Create(u[0]); a00 = Vector512.FusedMultiplyAdd(b, x0, a00); if (TP.Value > 1) a01 = Vector512.FusedMultiplyAdd(b, x1, a01); if (TP.Value > 2) a02 = Vector512.FusedMultiplyAdd(b, x2, a02); }
            if (TR.Value > 1) { var b = Vector512.Create(u[1]); a10 = Vector512.FusedMultiplyAdd(b, x0, a10); if (TP.Value > 1) a11 = Vector512.FusedMultiplyAdd(b, x1, a11); if (TP.Value > 2) a12 = Vector512.FusedMultiplyAdd(b, x2, a12); }
            if (TR.Value > 2) { var b = Vector512.Create(u[2]); a20 = Vector512.FusedMultiplyAdd(b, x0, a20); if (TP.Value > 1) a21 = Vector512.FusedMultiplyAdd(b, x1, a21); if (TP.Value > 2) a22 = Vector512.FusedMultiplyAdd(b, x2, a22); }
            if (TR.Value > 3) { var b = Vector512.Create(u[3]); a30 = Vector512.FusedMultiplyAdd(b, x0, a30); if (TP.Value > 1) a31 = Vector512.FusedMultiplyAdd(b, x1, a31); if (TP.Value > 2) a32 = Vector512.FusedMultiplyAdd(b, x2, a32); }
            if (TR.Value > 4) { var b = Vector512.Create(u[4]); a40 = Vector512.FusedMultiplyAdd(b, x0, a40); if (TP.Value > 1) a41 = Vector512.FusedMultiplyAdd(b, x1, a41); if (TP.Value > 2) a42 = Vector512.FusedMultiplyAdd(b, x2, a42); }
            if (TR.Value > 5) { var b = Vector512.Create(u[5]); a50 = Vector512.FusedMultiplyAdd(b, x0, a50); if (TP.Value > 1) a51 = Vector512.FusedMultiplyAdd(b, x1, a51); if (TP.Value > 2) a52 = Vector512.FusedMultiplyAdd(b, x2, a52); }
            if (TR.Value > 6) { var b = Vector512.Create(u[6]); a60 = Vector512.FusedMultiplyAdd(b, x0, a60); if (TP.Value > 1) a61 = Vector512.FusedMultiplyAdd(b, x1, a61); if (TP.Value > 2) a62 = Vector512.FusedMultiplyAdd(b, x2, a62); }
            if (TR.Value > 7) { var b = Vector512.Create(u[7]); a70 = Vector512.FusedMultiplyAdd(b, x0, a70); if (TP.Value > 1) a71 = Vector512.FusedMultiplyAdd(b, x1, a71); if (TP.Value > 2) a72 = Vector512.FusedMultiplyAdd(b, x2, a72); }
        }
        StoreRow<TP>(a00, a01, a02, m);
        if (TR.Value > 1) StoreRow<TP>(a10, a11, a12, m + ChunkRowStride);
        if (TR.Value > 2) StoreRow<TP>(a20, a21, a22, m + 2 * ChunkRowStride);
        if (TR.Value > 3) StoreRow<TP>(a30, a31, a32, m + 3 * ChunkRowStride);
        if (TR.Value > 4) StoreRow<TP>(a40, a41, a42, m + 4 * ChunkRowStride);
        if (TR.Value > 5) StoreRow<TP>(a50, a51, a52, m + 5 * ChunkRowStride);
        if (TR.Value > 6) StoreRow<TP>(a60, a61, a62, m + 6 * ChunkRowStride);
        if (TR.Value > 7) StoreRow<TP>(a70, a71, a72, m + 7 * ChunkRowStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TP>(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, float* m) where TP : struct, IRowCount
    {
        Vector512.Store(s0, m);
        if (TP.Value > 1) Vector512.Store(s1, m + ChunkPositionStride);
        if (TP.Value > 2) Vector512.Store(s2, m + 2 * ChunkPositionStride);
    }

    /// <summary>Runs <see cref="MultiplyPoint{TR, TP}"/> for 1 … 8 rows and 1 … 3 positions.</summary>
    private static void MultiplyPoint(int rows, int positions, float* u, float* v, int channels, int channelStride, float* m)
    {
        switch (positions)
        {
            case 1: MultiplyPoint<Rows1>(rows, u, v, channels, channelStride, m); break;
            case 2: MultiplyPoint<Rows2>(rows, u, v, channels, channelStride, m); break;
            default: MultiplyPoint<Rows3>(rows, u, v, channels, channelStride, m); break;
        }
    }

    private static void MultiplyPoint<TP>(int rows, float* u, float* v, int channels, int channelStride, float* m) where TP : struct, IRowCount
    {
        switch (rows)
        {
            case 1: MultiplyPoint<Rows1, TP>(u, v, channels, channelStride, m); break;
            case 2: MultiplyPoint<Rows2, TP>(u, v, channels, channelStride, m); break;
            case 3: MultiplyPoint<Rows3, TP>(u, v, channels, channelStride, m); break;
            case 4: MultiplyPoint<Rows4, TP>(u, v, channels, channelStride, m); break;
            case 5: MultiplyPoint<Rows5, TP>(u, v, channels, channelStride, m); break;
            case 6: MultiplyPoint<Rows6, TP>(u, v, channels, channelStride, m); break;
            case 7: MultiplyPoint<Rows7, TP>(u, v, channels, channelStride, m); break;
            default: MultiplyPoint<Rows8, TP>(u, v, channels, channelStride, m); break;
        }
    }
}
