using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

/// <summary>
/// A 3×3, stride-1 cross-correlation seen as Winograd F(4×4, 3×3) tiles:
/// out[n, o, y, x] (+)= Σ_i Σ_(a,b) W[o, i, a, b] · in[n, i, y + a − PadTop, x + b − PadLeft], with
/// input positions outside [0, InHeight) × [0, InWidth) read as zero. The forward pass is this with
/// (x, y); the input gradient is this with (dy, dx), the kernel flipped and transposed and padding 2 − p.
/// Output tiles of 4 × 4 are numbered by tile row and column; a band is a run of
/// <see cref="BandRows"/> tile rows processed together (it bounds the scratch on large images).
/// </summary>
internal readonly struct WinogradShape
{
    /// <summary>
    /// Bands of as many tile rows as <paramref name="bandBudgetFloats"/> allows at
    /// <paramref name="floatsPerBandRowAndChannel"/> × <paramref name="channelsInBudget"/> floats per tile row
    /// (at least one). <paramref name="coveredTileRows"/> and <paramref name="coveredTileColumns"/> widen the
    /// bands and frames to another grid's tiles (the backward frames of dz also serve the weight gradient).
    /// </summary>
    public WinogradShape(int inChannels, int inHeight, int inWidth, int outChannels, int outHeight, int outWidth,
        int padTop, int padLeft, int bandBudgetFloats, int floatsPerBandRowAndChannel, int channelsInBudget,
        int coveredTileRows = 0, int coveredTileColumns = 0)
    {
        InChannels = inChannels; InHeight = inHeight; InWidth = inWidth;
        OutChannels = outChannels; OutHeight = outHeight; OutWidth = outWidth;
        PadTop = padTop; PadLeft = padLeft;
        TilesY = (outHeight + WinogradConvolution.Tile - 1) / WinogradConvolution.Tile;
        TilesX = (outWidth + WinogradConvolution.Tile - 1) / WinogradConvolution.Tile;
        CoveredTileRows = Math.Max(TilesY, coveredTileRows);
        PhaseColumns = Math.Max(TilesX, coveredTileColumns) + 1;
        long perRow = (long)Math.Max(1, floatsPerBandRowAndChannel) * Math.Max(1, channelsInBudget);
        BandRows = (int)Math.Clamp(bandBudgetFloats / perRow, 1, Math.Max(1, CoveredTileRows));
    }

    public int InChannels { get; }
    public int InHeight { get; }
    public int InWidth { get; }
    public int OutChannels { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }
    public int PadTop { get; }
    public int PadLeft { get; }
    public int TilesY { get; }
    public int TilesX { get; }
    public int BandRows { get; }
    /// <summary>Tile rows the bands run over: <see cref="TilesY"/>, or more when the frames also serve another grid.</summary>
    public int CoveredTileRows { get; }

    public int InputPlane => InHeight * InWidth;
    public int OutputPlane => OutHeight * OutWidth;

    // ---- the input frame of one channel of a band (see PackInputFrame) ---------------------------

    /// <summary>Rows of a phase plane: a band's tile rows plus one (taps 4 and 5 reach into the next tile).</summary>
    public int PhaseRows => BandRows + 1;

    /// <summary>Columns of a phase plane: the tile columns plus one (taps 4 and 5), or more when the frames also serve another grid.</summary>
    public int PhaseColumns { get; }

    /// <summary>Floats of one channel's input frame: 16 phase planes of PhaseRows × PhaseColumns lane vectors.</summary>
    public int InputFrameFloats => WinogradConvolution.Phases * PhasePlaneFloats;

    /// <summary>
    /// Floats from one phase plane to the next: PhaseRows × PhaseColumns lane vectors (one 64-byte line
    /// each), plus one line when that count is even. A whole 28×28 image's plane is 64 lines, 4 KiB: the 16
    /// planes a tile's taps come from (and the 4 a packed row is written to) would share one set of the
    /// 8-way L1 and evict each other; an odd count of lines spreads them over the sets.
    /// </summary>
    public int PhasePlaneFloats => (PhaseRows * PhaseColumns | 1) * WinogradConvolution.Lanes;

    /// <summary>Where the vector of tile (row within the band, column) starts in an input frame's phase planes.</summary>
    public int InputTileOffset(int bandRow, int column) => (bandRow * PhaseColumns + column) * WinogradConvolution.Lanes;

    /// <summary>
    /// Offset of input tap (i, k) (0 … 5) from <see cref="InputTileOffset"/>: frame row 4·ty + i and column
    /// 4·tx + k live in phase plane (i mod 4, k mod 4) at tile row ty + i/4, column tx + k/4.
    /// </summary>
    public int InputTapOffset(int i, int k) =>
        ((i % 4) * 4 + k % 4) * PhasePlaneFloats + ((i / 4) * PhaseColumns + k / 4) * WinogradConvolution.Lanes;
}

/// <summary>
/// dz = dy ⊙ f'(y) for a fused activation f, formed while the output gradient is packed, so no
/// batch-sized dz pass runs before the backward kernels. y lies <see cref="Offset"/> floats from dy
/// (same layout). The formulas are those of <see cref="FusedActivation.Gradient"/>; inactive for Identity.
/// </summary>
internal readonly struct ActivationGradient
{
    public ActivationGradient(long offset, ActivationKind kind, float alpha)
    {
        Offset = offset;
        Kind = kind;
        Alpha = alpha;
    }

    public long Offset { get; }
    public ActivationKind Kind { get; }
    public float Alpha { get; }
    public bool Active => Kind != ActivationKind.Identity;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> dy, Vector512<float> y) => Kind switch
    {
        ActivationKind.ReLU => Vector512.GreaterThan(y, Vector512<float>.Zero) & dy,
        // alpha ≥ 0, so y > 0 exactly where the input was (a NaN y gives alpha·dy).
        ActivationKind.LeakyReLU => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), dy, dy * Alpha),
        ActivationKind.Sigmoid => dy * y * (Vector512<float>.One - y),
        ActivationKind.Tanh => dy * (Vector512<float>.One - y * y),
        _ => dy,
    };
}

internal static unsafe partial class WinogradConvolution
{
    /// <summary>
    /// Copies <paramref name="images"/> (≤ 16) planes, lane l's at plane + l·imageStride (one channel of
    /// consecutive samples, or consecutive channels of one sample), into one input frame for the band
    /// starting at tile row <paramref name="firstTileRow"/>: the zero-padded input, split into 16 phase
    /// planes by (frame row mod 4, frame column mod 4), each position holding a vector of 16 lanes. So every
    /// tap of a tile is one contiguous vector load, and a tap's frame position is a fixed offset from the tile's (see
    /// <see cref="WinogradShape.InputTapOffset"/>). Lanes past <paramref name="images"/> and positions
    /// outside the input are zero, and so are positions no valid output of the correlation reads unless
    /// <paramref name="everyInputValue"/> (the backward pass's frames of dz also serve the weight gradient,
    /// whose tiles reach further when the padding is not symmetric). Each row load also prefetches the row
    /// <paramref name="prefetchAhead"/> floats on (where the next frame's rows are: the next channel, or the
    /// next sample when the lanes are channels). With an active
    /// <paramref name="gradient"/> the values packed are dy ⊙ f'(y). With <paramref name="staging"/> (at least
    /// <see cref="StagingFloats"/>), each sample's rows are first copied there, one sequential run per sample,
    /// and the rows gathered from the copy (see <see cref="Stage"/>); then, unless <paramref name="sum"/> is
    /// null, the values of frame rows below <paramref name="sumRowsEnd"/> are added into it (the bias
    /// gradient: a band's own rows, not the two it shares with the next band).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackInputFrame(in WinogradShape s, float* plane, int imageStride, int images, int firstTileRow,
        int bandTileRows, float* frame, int* columnOffsets, in ActivationGradient gradient, bool everyInputValue, int prefetchAhead,
        float* staging = null, Vector512<float>* sum = null, int sumRowsEnd = 0)
    {
        int planeFloats = s.PhasePlaneFloats;
        int frameColumns = Tile * s.PhaseColumns;
        for (int x = 0; x < frameColumns; x++) columnOffsets[x] = (x % 4) * planeFloats + (x / 4) * Lanes;
        // Frame columns X (input column X − PadLeft) that valid outputs read: X < OutWidth + 2.
        int x0 = Math.Min(s.PadLeft, frameColumns);
        int x1 = Math.Max(x0, Math.Min(s.InWidth + s.PadLeft, everyInputValue ? frameColumns : s.OutWidth + 2));
        int y0 = firstTileRow * Tile;
        // Rows the band's tiles read: 4·bandTileRows + 2.
        int yEnd = y0 + bandTileRows * Tile + 2;
        if (!everyInputValue) yEnd = Math.Min(yEnd, s.OutHeight + 2);
        var rowGradient = gradient;
        if (staging != null)
        {
            // Input rows [r0, r1) are in the frame: one contiguous run of each sample's plane.
            int r0 = Math.Max(0, y0 - s.PadTop), r1 = Math.Min(s.InHeight, Math.Min(yEnd, y0 + Tile * s.PhaseRows) - s.PadTop);
            if (r1 > r0)
            {
                int run = (r1 - r0) * s.InWidth, stride = StagingStride(run);
                Stage(plane + r0 * s.InWidth, imageStride, images, run, staging, stride, gradient, prefetchAhead);
                if (sum != null)
                {
                    int sumEnd = Math.Min(r1, sumRowsEnd - s.PadTop);
                    if (sumEnd > r0) *sum += SumRuns(staging, stride, images, (sumEnd - r0) * s.InWidth);
                }
                // The rows now read from the copy, as they were: row r of sample n at plane + n·imageStride + r·InWidth.
                plane = staging - r0 * s.InWidth;
                imageStride = stride;
                rowGradient = default;
                prefetchAhead = 0;
            }
        }
        // Every position of the frame is written once: input values, or zeros (padding, rows and columns
        // not read, and the lanes of missing samples, which PackRow fills with zeros).
        for (int local = 0; local < Tile * s.PhaseRows; local++)
        {
            int y = y0 + local, row = y - s.PadTop;
            float* target = frame + (local % 4) * 4 * planeFloats + (local / 4) * s.PhaseColumns * Lanes;
            if (y >= yEnd || row < 0 || row >= s.InHeight)
            {
                ZeroColumns(target, columnOffsets, 0, frameColumns);
                continue;
            }
            ZeroColumns(target, columnOffsets, 0, x0);
            PackRow(plane + row * s.InWidth - s.PadLeft, imageStride, images, x0, x1, columnOffsets, target, prefetchAhead, rowGradient);
            ZeroColumns(target, columnOffsets, x1, frameColumns);
        }
    }

    /// <summary>Floats of the staging copy <see cref="PackInputFrame"/> needs for a frame of <paramref name="s"/>.</summary>
    private static long StagingFloats(in WinogradShape s) => Lanes * (long)StagingStride(Tile * s.PhaseRows * s.InWidth);

    /// <summary>Floats from one sample's run to the next in the staging copy: whole lines, an odd number of them (see <see cref="OddLineStride"/>).</summary>
    private static int StagingStride(int run) => (int)OddLineStride((run + Lanes - 1) / Lanes * Lanes);

    /// <summary>
    /// Copies <paramref name="run"/> consecutive floats of each of <paramref name="images"/> samples (sample n at
    /// source + n·imageStride) to staging + n·stride, as dy ⊙ f'(y) with an active <paramref name="gradient"/>.
    /// Each sample is one sequential stream, which the hardware prefetchers follow; gathering the 16 samples'
    /// rows straight from memory (16 streams of a few lines each, 32 with y) left the packing waiting on
    /// memory: on W3's conv2 backward (1 thread), packing dz took ~13 ms gathered and ~8 ms staged. Each
    /// line copied also prefetches (into L2) the line <paramref name="prefetchAhead"/> floats on, where the
    /// next call reads (the next channel's plane): a run is only a few KiB (W3: 4 rows, 3 KiB per sample and
    /// channel), too short for the prefetchers to run ahead of the 16 streams before they jump. W3's conv2
    /// backward, same-process A/B (calls alternated, medians of 100, load 5–6): 1 thread 45.8 → 43.3 ms,
    /// 2 threads 28.6 → 27.6 ms; prefetching two channels ahead instead measured the same as one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Stage(float* source, int imageStride, int images, int run, float* staging, int stride, in ActivationGradient gradient,
        int prefetchAhead)
    {
        bool active = gradient.Active;
        long yOffset = gradient.Offset;
        int whole = run & ~(Lanes - 1);
        var tail = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(run - whole)).AsSingle();
        for (int n = 0; n < images; n++)
        {
            float* p = source + (long)n * imageStride, q = staging + (long)n * stride;
            int i = 0;
            for (; i < whole; i += Lanes)
            {
                if (prefetchAhead != 0)
                {
                    Sse.Prefetch1(p + i + prefetchAhead);
                    if (active) Sse.Prefetch1(p + i + yOffset + prefetchAhead);
                }
                Vector512.Store(active ? gradient.Apply(Vector512.Load(p + i), Vector512.Load(p + i + yOffset)) : Vector512.Load(p + i), q + i);
            }
            if (i < run)
            {
                // Masked-off lanes: dy = 0 and y = 0 give dz = 0 for every activation.
                var value = Avx512F.MaskLoad(p + i, tail, Vector512<float>.Zero);
                if (active) value = gradient.Apply(value, Avx512F.MaskLoad(p + i + yOffset, tail, Vector512<float>.Zero));
                Vector512.Store(value, q + i);
            }
        }
    }

    /// <summary>Σ of the first <paramref name="length"/> floats of each sample's staged run, as 16 partial sums.</summary>
    private static Vector512<float> SumRuns(float* staging, int stride, int images, int length)
    {
        var total = Vector512<float>.Zero;
        int whole = length & ~(Lanes - 1);
        var tail = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(length - whole)).AsSingle();
        for (int n = 0; n < images; n++)
        {
            float* q = staging + (long)n * stride;
            int i = 0;
            for (; i < whole; i += Lanes) total += Vector512.Load(q + i);
            if (i < length) total += Avx512F.MaskLoad(q + i, tail, Vector512<float>.Zero);
        }
        return total;
    }

    private static void ZeroColumns(float* target, int* columnOffsets, int x0, int x1)
    {
        for (int x = x0; x < x1; x++) Vector512.Store(Vector512<float>.Zero, target + columnOffsets[x]);
    }

    /// <summary>
    /// Columns [x0, x1) of one row of <paramref name="images"/> samples (sample n's column x at
    /// row + n·imageStride + x) → one lane vector per column, at target + columnOffsets[x]: blocks of 16
    /// columns are loaded as 16 rows (one per sample, zero for missing samples), transposed in registers
    /// and stored whole. The 16 rows come from 16 samples far apart in memory, too many streams for the
    /// hardware prefetcher: each load also prefetches the row <paramref name="prefetchAhead"/> floats on
    /// (callers pass one channel plane: frames are packed channel after channel, so the same rows of the
    /// next channel are read next, one whole frame later).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackRow(float* row, int imageStride, int images, int x0, int x1, int* columnOffsets, float* target,
        int prefetchAhead, in ActivationGradient gradient)
    {
        Vector512<float>* block = stackalloc Vector512<float>[Lanes];
        bool active = gradient.Active;
        long yOffset = gradient.Offset;
        for (int xb = x0; xb < x1; xb += Lanes)
        {
            int count = Math.Min(Lanes, x1 - xb);
            if (prefetchAhead != 0)
                for (int n = 0; n < images; n++)
                {
                    float* p = row + (long)n * imageStride + xb;
                    Sse.Prefetch0(p + prefetchAhead);
                    if (active) Sse.Prefetch0(p + yOffset + prefetchAhead);
                }
            if (count == Lanes)
            {
                for (int n = 0; n < images; n++)
                {
                    float* p = row + (long)n * imageStride + xb;
                    block[n] = active ? gradient.Apply(Vector512.Load(p), Vector512.Load(p + yOffset)) : Vector512.Load(p);
                }
            }
            else
            {
                var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
                for (int n = 0; n < images; n++)
                {
                    float* p = row + (long)n * imageStride + xb;
                    var value = Avx512F.MaskLoad(p, mask, Vector512<float>.Zero);
                    // Masked-off lanes: dy = 0 and y = 0 give dz = 0 for every activation.
                    if (active) value = gradient.Apply(value, Avx512F.MaskLoad(p + yOffset, mask, Vector512<float>.Zero));
                    block[n] = value;
                }
            }
            for (int n = images; n < Lanes; n++) block[n] = Vector512<float>.Zero;
            Transpose16(block);
            for (int j = 0; j < count; j++) Vector512.Store(block[j], target + columnOffsets[xb + j]);
        }
    }

    /// <summary>
    /// In-place transpose of a 16 × 16 block (row i = vector i), in registers: 32-bit interleaves, 64-bit
    /// interleaves (a 4 × 4 transpose inside every 128-bit block), then a 4 × 4 transpose of 128-bit blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16(Vector512<float>* r)
    {
        var r0 = r[0];
        var r1 = r[1];
        var r2 = r[2];
        var r3 = r[3];
        var r4 = r[4];
        var r5 = r[5];
        var r6 = r[6];
        var r7 = r[7];
        var r8 = r[8];
        var r9 = r[9];
        var r10 = r[10];
        var r11 = r[11];
        var r12 = r[12];
        var r13 = r[13];
        var r14 = r[14];
        var r15 = r[15];
        var t0 = Avx512F.UnpackLow(r0, r1).AsDouble(); var t1 = Avx512F.UnpackHigh(r0, r1).AsDouble();
        var t2 = Avx512F.UnpackLow(r2, r3).AsDouble(); var t3 = Avx512F.UnpackHigh(r2, r3).AsDouble();
        var t4 = Avx512F.UnpackLow(r4, r5).AsDouble(); var t5 = Avx512F.UnpackHigh(r4, r5).AsDouble();
        var t6 = Avx512F.UnpackLow(r6, r7).AsDouble(); var t7 = Avx512F.UnpackHigh(r6, r7).AsDouble();
        var t8 = Avx512F.UnpackLow(r8, r9).AsDouble(); var t9 = Avx512F.UnpackHigh(r8, r9).AsDouble();
        var t10 = Avx512F.UnpackLow(r10, r11).AsDouble(); var t11 = Avx512F.UnpackHigh(r10, r11).AsDouble();
        var t12 = Avx512F.UnpackLow(r12, r13).AsDouble(); var t13 = Avx512F.UnpackHigh(r12, r13).AsDouble();
        var t14 = Avx512F.UnpackLow(r14, r15).AsDouble(); var t15 = Avx512F.UnpackHigh(r14, r15).AsDouble();
        // u[m + c]: block L holds rows m … m+3 at column 4L + c.
        var u0 = Avx512F.UnpackLow(t0, t2).AsSingle(); var u1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        var u2 = Avx512F.UnpackLow(t1, t3).AsSingle(); var u3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
        var u4 = Avx512F.UnpackLow(t4, t6).AsSingle(); var u5 = Avx512F.UnpackHigh(t4, t6).AsSingle();
        var u6 = Avx512F.UnpackLow(t5, t7).AsSingle(); var u7 = Avx512F.UnpackHigh(t5, t7).AsSingle();
        var u8 = Avx512F.UnpackLow(t8, t10).AsSingle(); var u9 = Avx512F.UnpackHigh(t8, t10).AsSingle();
        var u10 = Avx512F.UnpackLow(t9, t11).AsSingle(); var u11 = Avx512F.UnpackHigh(t9, t11).AsSingle();
        var u12 = Avx512F.UnpackLow(t12, t14).AsSingle(); var u13 = Avx512F.UnpackHigh(t12, t14).AsSingle();
        var u14 = Avx512F.UnpackLow(t13, t15).AsSingle(); var u15 = Avx512F.UnpackHigh(t13, t15).AsSingle();
        {
            var w0 = Avx512F.Shuffle4x128(u0, u4, 0b10_00_10_00); var w1 = Avx512F.Shuffle4x128(u0, u4, 0b11_01_11_01);
            var w2 = Avx512F.Shuffle4x128(u8, u12, 0b10_00_10_00); var w3 = Avx512F.Shuffle4x128(u8, u12, 0b11_01_11_01);
            r[0] = Avx512F.Shuffle4x128(w0, w2, 0b10_00_10_00); r[4] = Avx512F.Shuffle4x128(w1, w3, 0b10_00_10_00);
            r[8] = Avx512F.Shuffle4x128(w0, w2, 0b11_01_11_01); r[12] = Avx512F.Shuffle4x128(w1, w3, 0b11_01_11_01);
        }
        {
            var w0 = Avx512F.Shuffle4x128(u1, u5, 0b10_00_10_00); var w1 = Avx512F.Shuffle4x128(u1, u5, 0b11_01_11_01);
            var w2 = Avx512F.Shuffle4x128(u9, u13, 0b10_00_10_00); var w3 = Avx512F.Shuffle4x128(u9, u13, 0b11_01_11_01);
            r[1] = Avx512F.Shuffle4x128(w0, w2, 0b10_00_10_00); r[5] = Avx512F.Shuffle4x128(w1, w3, 0b10_00_10_00);
            r[9] = Avx512F.Shuffle4x128(w0, w2, 0b11_01_11_01); r[13] = Avx512F.Shuffle4x128(w1, w3, 0b11_01_11_01);
        }
        {
            var w0 = Avx512F.Shuffle4x128(u2, u6, 0b10_00_10_00); var w1 = Avx512F.Shuffle4x128(u2, u6, 0b11_01_11_01);
            var w2 = Avx512F.Shuffle4x128(u10, u14, 0b10_00_10_00); var w3 = Avx512F.Shuffle4x128(u10, u14, 0b11_01_11_01);
            r[2] = Avx512F.Shuffle4x128(w0, w2, 0b10_00_10_00); r[6] = Avx512F.Shuffle4x128(w1, w3, 0b10_00_10_00);
            r[10] = Avx512F.Shuffle4x128(w0, w2, 0b11_01_11_01); r[14] = Avx512F.Shuffle4x128(w1, w3, 0b11_01_11_01);
        }
        {
            var w0 = Avx512F.Shuffle4x128(u3, u7, 0b10_00_10_00); var w1 = Avx512F.Shuffle4x128(u3, u7, 0b11_01_11_01);
            var w2 = Avx512F.Shuffle4x128(u11, u15, 0b10_00_10_00); var w3 = Avx512F.Shuffle4x128(u11, u15, 0b11_01_11_01);
            r[3] = Avx512F.Shuffle4x128(w0, w2, 0b10_00_10_00); r[7] = Avx512F.Shuffle4x128(w1, w3, 0b10_00_10_00);
            r[11] = Avx512F.Shuffle4x128(w0, w2, 0b11_01_11_01); r[15] = Avx512F.Shuffle4x128(w1, w3, 0b11_01_11_01);
        }
    }
}
