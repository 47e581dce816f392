using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

// How finished output tiles (16 vectors, one lane per sample) reach memory. Written straight into the
// output, a tile became 64 stores of 4 floats into 64 lines of 16 samples' planes (far apart), each line
// touched again by the next tiles much later, and each first read for ownership. The forward pass
// overwrites its output, so it stages instead: a tile row's segment is transposed into
// [channel][sample][row][column] in a small buffer (L1/L2), then each sample's rows are copied out as long
// runs (W3's conv2: 4 whole rows, 112 consecutive floats, written with streaming stores, which do not read
// the lines first). W3's conv2 forward, 1 thread (own timing inside the pass, load ~7): output transforms
// and stores 7.6–8.2 → 6.9–7.4 ms. An input gradient that adds into dx must read every line anyway:
// there staging only added a copy (3.7–4.4 → 5.4–6.4 ms), and its tiles are added in place. One that
// overwrites dx (W3's conv2: 64 channels of dz, tile rows in segments of 2–3 tiles) stages the whole
// row of every dx channel and copies it out once the row is done (CorrelateBand, StagesWholeRows):
// same-process A/B of W3's conv2 backward against copying out each segment's runs, calls alternated,
// medians of 60–80: 1 thread 41.1 → 40.4 ms (load 4) and 52.8 → 52.2 ms (load 10), 2 threads
// 52.7 → 51.4 ms and 55.4 → 52.6 ms.
internal static unsafe partial class WinogradConvolution
{
    /// <summary>
    /// Floats of the staging buffer: <paramref name="channels"/> output channels × 16 samples × 4 rows of
    /// <paramref name="rowFloats"/> (a tile row's columns × 4).
    /// </summary>
    private static long OutputStagingFloats(int channels, int rowFloats) => (long)channels * Lanes * Tile * rowFloats;

    /// <summary>
    /// Writes row i of a finished tile (its four columns j as vectors of 16 samples) into the staging buffer:
    /// sample n's four values at row + 4n·<paramref name="rowFloats"/> (row: the tile's row i in the staging,
    /// see <see cref="OutputTransformStaged"/>). Always the whole tile: the staging rows have room for every
    /// column, and <see cref="FlushStagedTiles"/> copies out only the valid ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StageRow(Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3, float* row, int rowFloats)
    {
        long st = (long)Tile * rowFloats;
        TransposeRow(r0, r1, r2, r3, out var q0, out var q1, out var q2, out var q3);
        // Sample n = 4l + k sits in 128-bit lane l of q_k.
        Vector128.Store(Avx512F.ExtractVector128(q0, 0), row); Vector128.Store(Avx512F.ExtractVector128(q1, 0), row + st);
        Vector128.Store(Avx512F.ExtractVector128(q2, 0), row + 2 * st); Vector128.Store(Avx512F.ExtractVector128(q3, 0), row + 3 * st);
        Vector128.Store(Avx512F.ExtractVector128(q0, 1), row + 4 * st); Vector128.Store(Avx512F.ExtractVector128(q1, 1), row + 5 * st);
        Vector128.Store(Avx512F.ExtractVector128(q2, 1), row + 6 * st); Vector128.Store(Avx512F.ExtractVector128(q3, 1), row + 7 * st);
        Vector128.Store(Avx512F.ExtractVector128(q0, 2), row + 8 * st); Vector128.Store(Avx512F.ExtractVector128(q1, 2), row + 9 * st);
        Vector128.Store(Avx512F.ExtractVector128(q2, 2), row + 10 * st); Vector128.Store(Avx512F.ExtractVector128(q3, 2), row + 11 * st);
        Vector128.Store(Avx512F.ExtractVector128(q0, 3), row + 12 * st); Vector128.Store(Avx512F.ExtractVector128(q1, 3), row + 13 * st);
        Vector128.Store(Avx512F.ExtractVector128(q2, 3), row + 14 * st); Vector128.Store(Avx512F.ExtractVector128(q3, 3), row + 15 * st);
    }

    /// <summary>
    /// Copies the staged tiles of <paramref name="channels"/> output
    /// channels into their planes: tile row <paramref name="tileRow"/>, tile columns [tx0, tx0 + count), clipped to
    /// the output; <paramref name="output"/> is the first channel's plane of the group's first sample. The
    /// staging holds whole tile rows: channel r's sample n's row i at staging + ((16r + n)·4 + i)·<paramref name="rowFloats"/>,
    /// column x at + x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FlushStagedTiles(in WinogradShape s, float* staging, int rowFloats, int channels, float* output, int imageStride,
        int images, int tileRow, int tx0, int count)
    {
        int y0 = tileRow * Tile, x0 = tx0 * Tile;
        int rows = Math.Min(Tile, s.OutHeight - y0), width = Math.Min(count * Tile, s.OutWidth - x0);
        if (x0 == 0 && width == s.OutWidth && rowFloats == s.OutWidth)
        {
            // Whole rows, staged as the output holds them: each sample's rows are one run of the plane.
            for (int n = 0; n < images; n++)
                for (int r = 0; r < channels; r++)
                    CopyStreaming(staging + (long)(r * Lanes + n) * Tile * rowFloats,
                        output + (long)n * imageStride + (long)r * s.OutputPlane + y0 * s.OutWidth, rows * s.OutWidth);
            Sse.StoreFence(); // streaming stores are weakly ordered: make them visible before the next kernel's reads
            return;
        }
        int whole = width & ~(Lanes - 1);
        var tail = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(width - whole)).AsSingle();
        for (int n = 0; n < images; n++)
            for (int r = 0; r < channels; r++)
            {
                float* source = staging + (long)(r * Lanes + n) * Tile * rowFloats + x0;
                float* target = output + (long)n * imageStride + (long)r * s.OutputPlane + y0 * s.OutWidth + x0;
                for (int i = 0; i < rows; i++, source += rowFloats, target += s.OutWidth)
                {
                    int k = 0;
                    for (; k < whole; k += Lanes) Vector512.Store(Vector512.Load(source + k), target + k);
                    if (k < width) Avx512F.MaskStore(target + k, tail, Vector512.Load(source + k));
                }
            }
    }

    /// <summary>
    /// Adds a finished tile into the channel planes of <paramref name="images"/> samples at tile (tile row,
    /// tile column), clipped to the output. A full-width row of the tile is transposed in registers (4
    /// vectors of 16 samples → 16 runs of 4 columns) and added 4 floats at a time; tiles cut by the right
    /// edge are added one value at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddTile(in WinogradShape s, float* tile, float* plane, int imageStride, int images, int tileRow, int tileColumn)
    {
        int y0 = tileRow * Tile, x0 = tileColumn * Tile;
        int rows = Math.Min(Tile, s.OutHeight - y0), columns = Math.Min(Tile, s.OutWidth - x0);
        float* origin = plane + y0 * s.OutWidth + x0;
        if (columns < Tile)
        {
            for (int n = 0; n < images; n++)
                for (int i = 0; i < rows; i++)
                {
                    float* row = origin + (long)n * imageStride + i * s.OutWidth;
                    float* values = tile + n + i * Tile * Lanes;
                    for (int j = 0; j < columns; j++) row[j] += values[j * Lanes];
                }
            return;
        }
        // A last, partly filled group goes through memory: one small buffer for all its rows.
        float* quads = stackalloc float[Tile * Lanes];
        for (int i = 0; i < rows; i++)
        {
            float* row = origin + i * s.OutWidth;
            TransposeRow(tile + i * Tile * Lanes, out var q0, out var q1, out var q2, out var q3);
            if (images == Lanes)
            {
                // Sample n = 4l + k sits in 128-bit lane l of q_k.
                long st = imageStride;
                Add(Avx512F.ExtractVector128(q0, 0), row); Add(Avx512F.ExtractVector128(q1, 0), row + st);
                Add(Avx512F.ExtractVector128(q2, 0), row + 2 * st); Add(Avx512F.ExtractVector128(q3, 0), row + 3 * st);
                Add(Avx512F.ExtractVector128(q0, 1), row + 4 * st); Add(Avx512F.ExtractVector128(q1, 1), row + 5 * st);
                Add(Avx512F.ExtractVector128(q2, 1), row + 6 * st); Add(Avx512F.ExtractVector128(q3, 1), row + 7 * st);
                Add(Avx512F.ExtractVector128(q0, 2), row + 8 * st); Add(Avx512F.ExtractVector128(q1, 2), row + 9 * st);
                Add(Avx512F.ExtractVector128(q2, 2), row + 10 * st); Add(Avx512F.ExtractVector128(q3, 2), row + 11 * st);
                Add(Avx512F.ExtractVector128(q0, 3), row + 12 * st); Add(Avx512F.ExtractVector128(q1, 3), row + 13 * st);
                Add(Avx512F.ExtractVector128(q2, 3), row + 14 * st); Add(Avx512F.ExtractVector128(q3, 3), row + 15 * st);
            }
            else
            {
                Vector512.Store(q0, quads); Vector512.Store(q1, quads + Lanes); Vector512.Store(q2, quads + 2 * Lanes); Vector512.Store(q3, quads + 3 * Lanes);
                for (int n = 0; n < images; n++) Add(Vector128.Load(quads + (n & 3) * Lanes + (n >> 2) * 4), row + (long)n * imageStride);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(Vector128<float> value, float* target) => Vector128.Store(value + Vector128.Load(target), target);

    /// <summary>
    /// Copies <paramref name="length"/> floats, the whole 64-byte lines of the target with streaming stores: a
    /// plain store reads each line before writing it, and the output (W3's conv2: 25.7 MB) is far larger than
    /// the caches. Lines the run covers only in part get plain stores.
    /// </summary>
    private static void CopyStreaming(float* source, float* target, int length)
    {
        int head = Math.Min(length, (int)(((64 - ((nint)target & 63)) & 63) / sizeof(float)));
        CopyMasked(source, target, head);
        int i = head;
        for (; i + Lanes <= length; i += Lanes) Avx512F.StoreAlignedNonTemporal(target + i, Vector512.Load(source + i));
        CopyMasked(source + i, target + i, length - i);
    }

    /// <summary>Copies <paramref name="count"/> (&lt; 16) floats with one masked load and store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyMasked(float* source, float* target, int count)
    {
        if (count == 0) return;
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
        Avx512F.MaskStore(target, mask, Avx512F.MaskLoad(source, mask, Vector512<float>.Zero));
    }

    /// <summary>
    /// Four vectors r_j (column j of a tile row, lane = sample) → four vectors q_k whose 128-bit lane l
    /// holds (r_0, r_1, r_2, r_3) of sample 4l + k: a 4 × 4 transpose inside each 128-bit lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeRow(float* r, out Vector512<float> q0, out Vector512<float> q1, out Vector512<float> q2, out Vector512<float> q3) =>
        TransposeRow(Vector512.Load(r), Vector512.Load(r + Lanes), Vector512.Load(r + 2 * Lanes), Vector512.Load(r + 3 * Lanes),
            out q0, out q1, out q2, out q3);

    /// <summary>The transpose of <see cref="TransposeRow(float*, out Vector512{float}, out Vector512{float}, out Vector512{float}, out Vector512{float})"/> from registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeRow(Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3,
        out Vector512<float> q0, out Vector512<float> q1, out Vector512<float> q2, out Vector512<float> q3)
    {
        var t0 = Avx512F.UnpackLow(r0, r1).AsDouble();   // r0[0] r1[0] r0[1] r1[1] per 128-bit lane
        var t1 = Avx512F.UnpackHigh(r0, r1).AsDouble();  // r0[2] r1[2] r0[3] r1[3]
        var t2 = Avx512F.UnpackLow(r2, r3).AsDouble();
        var t3 = Avx512F.UnpackHigh(r2, r3).AsDouble();
        q0 = Avx512F.UnpackLow(t0, t2).AsSingle();
        q1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        q2 = Avx512F.UnpackLow(t1, t3).AsSingle();
        q3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
    }
}
