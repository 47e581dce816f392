using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

/// <summary>
/// A run of up to 16 consecutive outputs of one row: where its first lane reads in the frame
/// (<see cref="In"/>, tap offsets are added to it), where its first lane lives in the result
/// (<see cref="Out"/>), and how many of its 16 lanes are real outputs (<see cref="Count"/>; 0 for
/// the padding slots that fill the last register tile).
/// </summary>
internal struct ConvSlot
{
    public int In;
    public int Out;
    public int Count;
}

/// <summary>A compile-time row count, so that each register-tile height gets its own unrolled code.</summary>
internal interface IRowCount { static abstract int Value { get; } }
internal struct Rows1 : IRowCount { public static int Value => 1; }
internal struct Rows2 : IRowCount { public static int Value => 2; }
internal struct Rows3 : IRowCount { public static int Value => 3; }
internal struct Rows4 : IRowCount { public static int Value => 4; }
internal struct Rows5 : IRowCount { public static int Value => 5; }
internal struct Rows6 : IRowCount { public static int Value => 6; }
internal struct Rows7 : IRowCount { public static int Value => 7; }
internal struct Rows8 : IRowCount { public static int Value => 8; }
internal struct Rows9 : IRowCount { public static int Value => 9; }
internal struct Rows10 : IRowCount { public static int Value => 10; }
internal struct Rows11 : IRowCount { public static int Value => 11; }
internal struct Rows12 : IRowCount { public static int Value => 12; }
internal struct Rows13 : IRowCount { public static int Value => 13; }
internal struct Rows14 : IRowCount { public static int Value => 14; }
internal struct Rows15 : IRowCount { public static int Value => 15; }
internal struct Rows16 : IRowCount { public static int Value => 16; }
internal struct Rows17 : IRowCount { public static int Value => 17; }
internal struct Rows18 : IRowCount { public static int Value => 18; }
internal struct Rows19 : IRowCount { public static int Value => 19; }
internal struct Rows20 : IRowCount { public static int Value => 20; }
internal struct Rows21 : IRowCount { public static int Value => 21; }
internal struct Rows22 : IRowCount { public static int Value => 22; }
internal struct Rows23 : IRowCount { public static int Value => 23; }
internal struct Rows24 : IRowCount { public static int Value => 24; }
internal struct Rows25 : IRowCount { public static int Value => 25; }
internal struct Rows26 : IRowCount { public static int Value => 26; }
internal struct Rows27 : IRowCount { public static int Value => 27; }
internal struct Rows28 : IRowCount { public static int Value => 28; }
internal struct Rows29 : IRowCount { public static int Value => 29; }
internal struct Rows30 : IRowCount { public static int Value => 30; }

/// <summary>
/// The AVX-512 register tiles of the direct convolution. <see cref="Correlate{TR}"/> computes
/// TR result rows × 3 slots (3·TR accumulators of 16 lanes) of
/// <code>
/// out[r, slot lane] (+)= bias[r] + Σ_c Σ_t W[r, c, t] · in[c, slot.In + lane + offset[t]]
/// </code>
/// which is the forward pass (r = output channel, c = input channel, t = kernel tap) and, with the
/// kernel transposed and the taps mirrored, the input gradient. Each step loads 3 input vectors,
/// broadcasts TR weights and issues 3·TR FMAs; the weights are packed [c][t][TR] so the broadcasts
/// read consecutive floats.
/// </summary>
internal static unsafe class DirectConvolutionKernels
{
    public const int Lanes = 16;
    public const int SlotsPerTile = 3;
    public const int MaxRows = 8;

    /// <summary>A mask with the first <paramref name="count"/> of 16 lanes set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PrefixMask(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector512<float> value, float* destination, int count, bool accumulate)
    {
        if (count == Lanes && !accumulate)
        {
            Vector512.Store(value, destination);
            return;
        }
        if (count <= 0) return;
        var mask = PrefixMask(count);
        if (accumulate) value += Avx512F.MaskLoad(destination, mask, Vector512<float>.Zero);
        Avx512F.MaskStore(destination, mask, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Correlate<TR>(float* input, int channelStride, int channels, int* tapOffsets, int taps,
        float* weights, ConvSlot* slots, float* output, int outRowStride, float* bias, bool accumulate, bool relu)
        where TR : struct, IRowCount
    {
        var z = Vector512<float>.Zero;
        Vector512<float> a00 = z, a01 = z, a02 = z, a10 = z, a11 = z, a12 = z, a20 = z, a21 = z, a22 = z, a30 = z, a31 = z, a32 = z;
        Vector512<float> a40 = z, a41 = z, a42 = z, a50 = z, a51 = z, a52 = z, a60 = z, a61 = z, a62 = z, a70 = z, a71 = z, a72 = z;
        float* p0 = input + slots[0].In, p1 = input + slots[1].In, p2 = input + slots[2].In;
        float* w = weights;
        for (int c = 0; c < channels; c++)
        {
            int channelOffset = c * channelStride;
            for (int t = 0; t < taps; t++, w += TR.Value)
            {
                int o = channelOffset + tapOffsets[t];
                var x0 = Vector512.Load(p0 + o);
                var x1 = Vector512.Load(p1 + o);
                var x2 = Vector512.Load(p2 + o);
                var b = Vector512.Create(w[0]);
                a00 = Vector512.FusedMultiplyAdd(b, x0, a00); a01 = Vector512.FusedMultiplyAdd(b, x1, a01); a02 = Vector512.FusedMultiplyAdd(b, x2, a02);
                if (TR.Value > 1) { b = Vector512.Create(w[1]); a10 = Vector512.FusedMultiplyAdd(b, x0, a10); a11 = Vector512.FusedMultiplyAdd(b, x1, a11); a12 = Vector512.FusedMultiplyAdd(b, x2, a12); }
                if (TR.Value > 2) { b = Vector512.Create(w[2]); a20 = Vector512.FusedMultiplyAdd(b, x0, a20); a21 = Vector512.FusedMultiplyAdd(b, x1, a21); a22 = Vector512.FusedMultiplyAdd(b, x2, a22); }
                if (TR.Value > 3) { b = Vector512.Create(w[3]); a30 = Vector512.FusedMultiplyAdd(b, x0, a30); a31 = Vector512.FusedMultiplyAdd(b, x1, a31); a32 = Vector512.FusedMultiplyAdd(b, x2, a32); }
                if (TR.Value > 4) { b = Vector512.Create(w[4]); a40 = Vector512.FusedMultiplyAdd(b, x0, a40); a41 = Vector512.FusedMultiplyAdd(b, x1, a41); a42 = Vector512.FusedMultiplyAdd(b, x2, a42); }
                if (TR.Value > 5) { b = Vector512.Create(w[5]); a50 = Vector512.FusedMultiplyAdd(b, x0, a50); a51 = Vector512.FusedMultiplyAdd(b, x1, a51); a52 = Vector512.FusedMultiplyAdd(b, x2, a52); }
                if (TR.Value > 6) { b = Vector512.Create(w[6]); a60 = Vector512.FusedMultiplyAdd(b, x0, a60); a61 = Vector512.FusedMultiplyAdd(b, x1, a61); a62 = Vector512.FusedMultiplyAdd(b, x2, a62); }
                if (TR.Value > 7) { b = Vector512.Create(w[7]); a70 = Vector512.FusedMultiplyAdd(b, x0, a70); a71 = Vector512.FusedMultiplyAdd(b, x1, a71); a72 = Vector512.FusedMultiplyAdd(b, x2, a72); }
            }
        }
        Finish(a00, a01, a02, 0, slots, output, outRowStride, bias, accumulate, relu);
        if (TR.Value > 1) Finish(a10, a11, a12, 1, slots, output, outRowStride, bias, accumulate, relu);
        if (TR.Value > 2) Finish(a20, a21, a22, 2, slots, output, outRowStride, bias, accumulate, relu);
        if (TR.Value > 3) Finish(a30, a31, a32, 3, slots, output, outRowStride, bias, accumulate, relu);
        if (TR.Value > 4) Finish(a40, a41, a42, 4, slots, output, outRowStride, bias, accumulate, relu);
        if (TR.Value > 5) Finish(a50, a51, a52, 5, slots, output, outRowStride, bias, accumulate, relu);
        if (TR.Value > 6) Finish(a60, a61, a62, 6, slots, output, outRowStride, bias, accumulate, relu);
        if (TR.Value > 7) Finish(a70, a71, a72, 7, slots, output, outRowStride, bias, accumulate, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, int row, ConvSlot* slots,
        float* output, int outRowStride, float* bias, bool accumulate, bool relu)
    {
        if (bias != null)
        {
            var b = Vector512.Create(bias[row]);
            s0 += b; s1 += b; s2 += b;
        }
        if (relu)
        {
            // IEEE maximum keeps NaN, as the separate ReLU kernel does.
            s0 = Vector512.Max(s0, Vector512<float>.Zero);
            s1 = Vector512.Max(s1, Vector512<float>.Zero);
            s2 = Vector512.Max(s2, Vector512<float>.Zero);
        }
        float* rowBase = output + (long)row * outRowStride;
        Put(s0, rowBase + slots[0].Out, slots[0].Count, accumulate);
        Put(s1, rowBase + slots[1].Out, slots[1].Count, accumulate);
        Put(s2, rowBase + slots[2].Out, slots[2].Count, accumulate);
    }

    /// <summary>Runs <see cref="Correlate{TR}"/> for a tile of <paramref name="rows"/> (1 … 8) rows.</summary>
    public static void Correlate(int rows, float* input, int channelStride, int channels, int* tapOffsets, int taps,
        float* weights, ConvSlot* slots, float* output, int outRowStride, float* bias, bool accumulate, bool relu)
    {
        switch (rows)
        {
            case 1: Correlate<Rows1>(input, channelStride, channels, tapOffsets, taps, weights, slots, output, outRowStride, bias, accumulate, relu); break;
            case 2: Correlate<Rows2>(input, channelStride, channels, tapOffsets, taps, weights, slots, output, outRowStride, bias, accumulate, relu); break;
            case 3: Correlate<Rows3>(input, channelStride, channels, tapOffsets, taps, weights, slots, output, outRowStride, bias, accumulate, relu); break;
            case 4: Correlate<Rows4>(input, channelStride, channels, tapOffsets, taps, weights, slots, output, outRowStride, bias, accumulate, relu); break;
            case 5: Correlate<Rows5>(input, channelStride, channels, tapOffsets, taps, weights, slots, output, outRowStride, bias, accumulate, relu); break;
            case 6: Correlate<Rows6>(input, channelStride, channels, tapOffsets, taps, weights, slots, output, outRowStride, bias, accumulate, relu); break;
            case 7: Correlate<Rows7>(input, channelStride, channels, tapOffsets, taps, weights, slots, output, outRowStride, bias, accumulate, relu); break;
            default: Correlate<Rows8>(input, channelStride, channels, tapOffsets, taps, weights, slots, output, outRowStride, bias, accumulate, relu); break;
        }
    }

    /// <summary>Result rows of a weight-gradient tile (output channels).</summary>
    public const int GradientRows = 4;

    /// <summary>Result columns of a weight-gradient tile ((input channel, tap) pairs).</summary>
    public const int GradientColumns = 6;

    /// <summary>
    /// A 4 × 6 tile of the weight gradient summed over <paramref name="slotCount"/> slots:
    /// <code>
    /// sums[r, k] = Σ_slots Σ_lanes dy[slot.Out + rowOffsets[r] + lane] · x[slot.In + columnOffsets[k] + lane]
    /// </code>
    /// with lanes past a slot's Count read as dy = 0. 24 accumulators; each slot loads 4 masked dy
    /// vectors and 6 frame vectors and issues 24 FMAs. The 24 sums are written to <paramref name="sums"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradientTile(float* dy, int* rowOffsets, float* x, int* columnOffsets,
        ConvSlot* slots, int slotCount, float* sums)
    {
        var z = Vector512<float>.Zero;
        Vector512<float> a00 = z, a01 = z, a02 = z, a03 = z, a04 = z, a05 = z, a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z;
        Vector512<float> a20 = z, a21 = z, a22 = z, a23 = z, a24 = z, a25 = z, a30 = z, a31 = z, a32 = z, a33 = z, a34 = z, a35 = z;
        int r0 = rowOffsets[0], r1 = rowOffsets[1], r2 = rowOffsets[2], r3 = rowOffsets[3];
        int c0 = columnOffsets[0], c1 = columnOffsets[1], c2 = columnOffsets[2], c3 = columnOffsets[3], c4 = columnOffsets[4], c5 = columnOffsets[5];
        for (int s = 0; s < slotCount; s++)
        {
            var slot = slots[s];
            float* d = dy + slot.Out;
            float* p = x + slot.In;
            Vector512<float> d0, d1, d2, d3;
            if (slot.Count == Lanes)
            {
                d0 = Vector512.Load(d + r0); d1 = Vector512.Load(d + r1); d2 = Vector512.Load(d + r2); d3 = Vector512.Load(d + r3);
            }
            else
            {
                var mask = PrefixMask(slot.Count);
                d0 = Avx512F.MaskLoad(d + r0, mask, z); d1 = Avx512F.MaskLoad(d + r1, mask, z);
                d2 = Avx512F.MaskLoad(d + r2, mask, z); d3 = Avx512F.MaskLoad(d + r3, mask, z);
            }
            var x0 = Vector512.Load(p + c0);
            var x1 = Vector512.Load(p + c1);
            var x2 = Vector512.Load(p + c2);
            a00 = Vector512.FusedMultiplyAdd(d0, x0, a00); a10 = Vector512.FusedMultiplyAdd(d1, x0, a10); a20 = Vector512.FusedMultiplyAdd(d2, x0, a20); a30 = Vector512.FusedMultiplyAdd(d3, x0, a30);
            a01 = Vector512.FusedMultiplyAdd(d0, x1, a01); a11 = Vector512.FusedMultiplyAdd(d1, x1, a11); a21 = Vector512.FusedMultiplyAdd(d2, x1, a21); a31 = Vector512.FusedMultiplyAdd(d3, x1, a31);
            a02 = Vector512.FusedMultiplyAdd(d0, x2, a02); a12 = Vector512.FusedMultiplyAdd(d1, x2, a12); a22 = Vector512.FusedMultiplyAdd(d2, x2, a22); a32 = Vector512.FusedMultiplyAdd(d3, x2, a32);
            var x3 = Vector512.Load(p + c3);
            var x4 = Vector512.Load(p + c4);
            var x5 = Vector512.Load(p + c5);
            a03 = Vector512.FusedMultiplyAdd(d0, x3, a03); a13 = Vector512.FusedMultiplyAdd(d1, x3, a13); a23 = Vector512.FusedMultiplyAdd(d2, x3, a23); a33 = Vector512.FusedMultiplyAdd(d3, x3, a33);
            a04 = Vector512.FusedMultiplyAdd(d0, x4, a04); a14 = Vector512.FusedMultiplyAdd(d1, x4, a14); a24 = Vector512.FusedMultiplyAdd(d2, x4, a24); a34 = Vector512.FusedMultiplyAdd(d3, x4, a34);
            a05 = Vector512.FusedMultiplyAdd(d0, x5, a05); a15 = Vector512.FusedMultiplyAdd(d1, x5, a15); a25 = Vector512.FusedMultiplyAdd(d2, x5, a25); a35 = Vector512.FusedMultiplyAdd(d3, x5, a35);
        }
        sums[0] = Vector512.Sum(a00); sums[1] = Vector512.Sum(a01); sums[2] = Vector512.Sum(a02);
        sums[3] = Vector512.Sum(a03); sums[4] = Vector512.Sum(a04); sums[5] = Vector512.Sum(a05);
        sums[6] = Vector512.Sum(a10); sums[7] = Vector512.Sum(a11); sums[8] = Vector512.Sum(a12);
        sums[9] = Vector512.Sum(a13); sums[10] = Vector512.Sum(a14); sums[11] = Vector512.Sum(a15);
        sums[12] = Vector512.Sum(a20); sums[13] = Vector512.Sum(a21); sums[14] = Vector512.Sum(a22);
        sums[15] = Vector512.Sum(a23); sums[16] = Vector512.Sum(a24); sums[17] = Vector512.Sum(a25);
        sums[18] = Vector512.Sum(a30); sums[19] = Vector512.Sum(a31); sums[20] = Vector512.Sum(a32);
        sums[21] = Vector512.Sum(a33); sums[22] = Vector512.Sum(a34); sums[23] = Vector512.Sum(a35);
    }

    /// <summary>Result rows of the tall weight-gradient tile, for output-channel counts that are multiples of 6.</summary>
    public const int TallGradientRows = 6;

    /// <summary>Result columns of the tall weight-gradient tile.</summary>
    public const int TallGradientColumns = 4;

    /// <summary>
    /// As <see cref="WeightGradientTile"/> with a 6 × 4 tile (6 masked dy loads and 4 frame loads per
    /// slot, still 24 FMAs): for 6 output channels (LeNet's first layer) the 4 × 6 tile would compute
    /// a third of its rows twice.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TallWeightGradientTile(float* dy, int* rowOffsets, float* x, int* columnOffsets,
        ConvSlot* slots, int slotCount, float* sums)
    {
        var z = Vector512<float>.Zero;
        Vector512<float> a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z, a20 = z, a21 = z, a22 = z, a23 = z;
        Vector512<float> a30 = z, a31 = z, a32 = z, a33 = z, a40 = z, a41 = z, a42 = z, a43 = z, a50 = z, a51 = z, a52 = z, a53 = z;
        int r0 = rowOffsets[0], r1 = rowOffsets[1], r2 = rowOffsets[2], r3 = rowOffsets[3], r4 = rowOffsets[4], r5 = rowOffsets[5];
        int c0 = columnOffsets[0], c1 = columnOffsets[1], c2 = columnOffsets[2], c3 = columnOffsets[3];
        for (int s = 0; s < slotCount; s++)
        {
            var slot = slots[s];
            float* d = dy + slot.Out;
            float* p = x + slot.In;
            Vector512<float> d0, d1, d2, d3, d4, d5;
            if (slot.Count == Lanes)
            {
                d0 = Vector512.Load(d + r0); d1 = Vector512.Load(d + r1); d2 = Vector512.Load(d + r2);
                d3 = Vector512.Load(d + r3); d4 = Vector512.Load(d + r4); d5 = Vector512.Load(d + r5);
            }
            else
            {
                var mask = PrefixMask(slot.Count);
                d0 = Avx512F.MaskLoad(d + r0, mask, z); d1 = Avx512F.MaskLoad(d + r1, mask, z); d2 = Avx512F.MaskLoad(d + r2, mask, z);
                d3 = Avx512F.MaskLoad(d + r3, mask, z); d4 = Avx512F.MaskLoad(d + r4, mask, z); d5 = Avx512F.MaskLoad(d + r5, mask, z);
            }
            var xv = Vector512.Load(p + c0);
            a00 = Vector512.FusedMultiplyAdd(d0, xv, a00); a10 = Vector512.FusedMultiplyAdd(d1, xv, a10); a20 = Vector512.FusedMultiplyAdd(d2, xv, a20);
            a30 = Vector512.FusedMultiplyAdd(d3, xv, a30); a40 = Vector512.FusedMultiplyAdd(d4, xv, a40); a50 = Vector512.FusedMultiplyAdd(d5, xv, a50);
            xv = Vector512.Load(p + c1);
            a01 = Vector512.FusedMultiplyAdd(d0, xv, a01); a11 = Vector512.FusedMultiplyAdd(d1, xv, a11); a21 = Vector512.FusedMultiplyAdd(d2, xv, a21);
            a31 = Vector512.FusedMultiplyAdd(d3, xv, a31); a41 = Vector512.FusedMultiplyAdd(d4, xv, a41); a51 = Vector512.FusedMultiplyAdd(d5, xv, a51);
            xv = Vector512.Load(p + c2);
            a02 = Vector512.FusedMultiplyAdd(d0, xv, a02); a12 = Vector512.FusedMultiplyAdd(d1, xv, a12); a22 = Vector512.FusedMultiplyAdd(d2, xv, a22);
            a32 = Vector512.FusedMultiplyAdd(d3, xv, a32); a42 = Vector512.FusedMultiplyAdd(d4, xv, a42); a52 = Vector512.FusedMultiplyAdd(d5, xv, a52);
            xv = Vector512.Load(p + c3);
            a03 = Vector512.FusedMultiplyAdd(d0, xv, a03); a13 = Vector512.FusedMultiplyAdd(d1, xv, a13); a23 = Vector512.FusedMultiplyAdd(d2, xv, a23);
            a33 = Vector512.FusedMultiplyAdd(d3, xv, a33); a43 = Vector512.FusedMultiplyAdd(d4, xv, a43); a53 = Vector512.FusedMultiplyAdd(d5, xv, a53);
        }
        sums[0] = Vector512.Sum(a00); sums[1] = Vector512.Sum(a01); sums[2] = Vector512.Sum(a02); sums[3] = Vector512.Sum(a03);
        sums[4] = Vector512.Sum(a10); sums[5] = Vector512.Sum(a11); sums[6] = Vector512.Sum(a12); sums[7] = Vector512.Sum(a13);
        sums[8] = Vector512.Sum(a20); sums[9] = Vector512.Sum(a21); sums[10] = Vector512.Sum(a22); sums[11] = Vector512.Sum(a23);
        sums[12] = Vector512.Sum(a30); sums[13] = Vector512.Sum(a31); sums[14] = Vector512.Sum(a32); sums[15] = Vector512.Sum(a33);
        sums[16] = Vector512.Sum(a40); sums[17] = Vector512.Sum(a41); sums[18] = Vector512.Sum(a42); sums[19] = Vector512.Sum(a43);
        sums[20] = Vector512.Sum(a50); sums[21] = Vector512.Sum(a51); sums[22] = Vector512.Sum(a52); sums[23] = Vector512.Sum(a53);
    }
}
