using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

/// <summary>
/// The register tiles of the sparse backward (<see cref="DirectConvolution"/>, DirectConvolution.Sparse.cs).
/// Both work on <em>row frames</em> (<see cref="RowFrame"/>): a tap row r = a·InChannels + ci of output
/// position p lies <c>positionOffsets[p] + r·rowStride</c> floats into the frame, and one 8-lane vector
/// from there holds kernel columns b = 0 … 7 (lanes b ≥ kW are computed and discarded). A tile is TR
/// consecutive tap rows, TR accumulators of 8 lanes; 8-lane FMAs issue two per cycle on cores whose
/// AVX-512 units are 256 bits wide, so a row of 5 taps in 8 lanes wastes less than it seems.
/// </summary>
internal static unsafe class SparseGradientKernels
{
    /// <summary>A mask with the first <paramref name="count"/> of 16 lanes set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PrefixMask(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>Bit i set when lane i of the 16 floats at <paramref name="values"/> (the first <paramref name="count"/> read) is not zero (NaN counts as not zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint NonZeroLanes(float* values, int count)
    {
        var v = count >= 16 ? Vector512.Load(values) : Avx512F.MaskLoad(values, PrefixMask(count), Vector512<float>.Zero);
        return ~(uint)Vector512.Equals(v, Vector512<float>.Zero).ExtractMostSignificantBits() & 0xFFFFu;
    }

    /// <summary>
    /// Lists the positions p in [0, positions) where dz is not zero (NaN counts as not zero), in order,
    /// and returns how many; <paramref name="sum"/> gets Σ dz. dz is <paramref name="gradient"/> itself,
    /// or, when <paramref name="output"/> is not null, the gradient where the (ReLU) output is positive
    /// and 0 elsewhere. Branch-free: each 16 positions' indices are compressed in a register and stored
    /// whole, so <paramref name="indices"/> needs 16 ints of slack.
    /// </summary>
    public static int Compact(float* gradient, float* output, int positions, int* indices, out float sum) =>
        output == null ? Compact<Ungated>(gradient, null, positions, indices, out sum) : Compact<Gated>(gradient, output, positions, indices, out sum);

    /// <summary>Whether <see cref="Compact{TG}"/> keeps only the positions where the output is positive.</summary>
    internal interface IGate { static abstract bool On { get; } }
    internal struct Gated : IGate { public static bool On => true; }
    internal struct Ungated : IGate { public static bool On => false; }

    // Whole vectors with plain loads and the running lane indices in a register, the tail masked: the
    // masked loads and mask conversions of a single masked loop made it three times slower (10 → 3 ns
    // per 16 positions).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Compact<TG>(float* gradient, float* output, int positions, int* indices, out float sum) where TG : struct, IGate
    {
        int count = 0, p0 = 0;
        var total = Vector512<float>.Zero;
        var lanes = Vector512<int>.Indices;
        for (; p0 <= positions - 16; p0 += 16)
        {
            var v = Vector512.Load(gradient + p0);
            var live = ~Vector512.Equals(v, Vector512<float>.Zero);
            if (TG.On) live &= Vector512.GreaterThan(Vector512.Load(output + p0), Vector512<float>.Zero);
            total += v & live;
            Vector512.Store(Avx512F.Compress(Vector512<int>.Zero, live.AsInt32(), lanes), indices + count);
            lanes += Vector512.Create(16);
            count += BitOperations.PopCount(live.ExtractMostSignificantBits());
        }
        if (p0 < positions)
        {
            var mask = PrefixMask(positions - p0);
            var v = Avx512F.MaskLoad(gradient + p0, mask, Vector512<float>.Zero);
            var live = ~Vector512.Equals(v, Vector512<float>.Zero);
            if (TG.On) live &= Vector512.GreaterThan(Avx512F.MaskLoad(output + p0, mask, Vector512<float>.Zero), Vector512<float>.Zero);
            total += v & live;
            Vector512.Store(Avx512F.Compress(Vector512<int>.Zero, live.AsInt32(), lanes), indices + count);
            count += BitOperations.PopCount(live.ExtractMostSignificantBits());
        }
        sum = Vector512.Sum(total);
        return count;
    }

    /// <summary>
    /// Weight-gradient rows of one output channel of one sample, over the positions
    /// <paramref name="indices"/>[0, count) where its dz is not zero (<see cref="Compact"/>):
    /// <code>
    /// sums[r, b] += Σ_k dz[p] · frame[positionOffsets[p] + r·rowStride + b]   (p = indices[k], r &lt; TR, b &lt; 8)
    /// </code>
    /// TR FMAs per non-zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradientRows<TR>(float* dz, int* indices, int count, int* positionOffsets, float* frame, int rowStride, float* sums)
        where TR : struct, IRowCount
    {
        var z = Vector256<float>.Zero;
        Vector256<float> a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z, a8 = z, a9 = z, a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z, a16 = z, a17 = z, a18 = z, a19 = z, a20 = z, a21 = z, a22 = z, a23 = z, a24 = z, a25 = z, a26 = z, a27 = z, a28 = z, a29 = z;
        for (int k = 0; k < count; k++)
        {
            int p = indices[k];
            var g = Vector256.Create(dz[p]);
            float* q = frame + positionOffsets[p];
            a0 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a0);
            if (TR.Value > 1) { q += rowStride; a1 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a1); }
            if (TR.Value > 2) { q += rowStride; a2 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a2); }
            if (TR.Value > 3) { q += rowStride; a3 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a3); }
            if (TR.Value > 4) { q += rowStride; a4 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a4); }
            if (TR.Value > 5) { q += rowStride; a5 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a5); }
            if (TR.Value > 6) { q += rowStride; a6 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a6); }
            if (TR.Value > 7) { q += rowStride; a7 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a7); }
            if (TR.Value > 8) { q += rowStride; a8 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a8); }
            if (TR.Value > 9) { q += rowStride; a9 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a9); }
            if (TR.Value > 10) { q += rowStride; a10 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a10); }
            if (TR.Value > 11) { q += rowStride; a11 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a11); }
            if (TR.Value > 12) { q += rowStride; a12 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a12); }
            if (TR.Value > 13) { q += rowStride; a13 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a13); }
            if (TR.Value > 14) { q += rowStride; a14 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a14); }
            if (TR.Value > 15) { q += rowStride; a15 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a15); }
            if (TR.Value > 16) { q += rowStride; a16 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a16); }
            if (TR.Value > 17) { q += rowStride; a17 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a17); }
            if (TR.Value > 18) { q += rowStride; a18 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a18); }
            if (TR.Value > 19) { q += rowStride; a19 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a19); }
            if (TR.Value > 20) { q += rowStride; a20 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a20); }
            if (TR.Value > 21) { q += rowStride; a21 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a21); }
            if (TR.Value > 22) { q += rowStride; a22 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a22); }
            if (TR.Value > 23) { q += rowStride; a23 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a23); }
            if (TR.Value > 24) { q += rowStride; a24 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a24); }
            if (TR.Value > 25) { q += rowStride; a25 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a25); }
            if (TR.Value > 26) { q += rowStride; a26 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a26); }
            if (TR.Value > 27) { q += rowStride; a27 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a27); }
            if (TR.Value > 28) { q += rowStride; a28 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a28); }
            if (TR.Value > 29) { q += rowStride; a29 = Vector256.FusedMultiplyAdd(g, Vector256.Load(q), a29); }
        }
        Vector256.Store(Vector256.Load(sums + 0) + a0, sums + 0);
        if (TR.Value > 1) Vector256.Store(Vector256.Load(sums + 8) + a1, sums + 8);
        if (TR.Value > 2) Vector256.Store(Vector256.Load(sums + 16) + a2, sums + 16);
        if (TR.Value > 3) Vector256.Store(Vector256.Load(sums + 24) + a3, sums + 24);
        if (TR.Value > 4) Vector256.Store(Vector256.Load(sums + 32) + a4, sums + 32);
        if (TR.Value > 5) Vector256.Store(Vector256.Load(sums + 40) + a5, sums + 40);
        if (TR.Value > 6) Vector256.Store(Vector256.Load(sums + 48) + a6, sums + 48);
        if (TR.Value > 7) Vector256.Store(Vector256.Load(sums + 56) + a7, sums + 56);
        if (TR.Value > 8) Vector256.Store(Vector256.Load(sums + 64) + a8, sums + 64);
        if (TR.Value > 9) Vector256.Store(Vector256.Load(sums + 72) + a9, sums + 72);
        if (TR.Value > 10) Vector256.Store(Vector256.Load(sums + 80) + a10, sums + 80);
        if (TR.Value > 11) Vector256.Store(Vector256.Load(sums + 88) + a11, sums + 88);
        if (TR.Value > 12) Vector256.Store(Vector256.Load(sums + 96) + a12, sums + 96);
        if (TR.Value > 13) Vector256.Store(Vector256.Load(sums + 104) + a13, sums + 104);
        if (TR.Value > 14) Vector256.Store(Vector256.Load(sums + 112) + a14, sums + 112);
        if (TR.Value > 15) Vector256.Store(Vector256.Load(sums + 120) + a15, sums + 120);
        if (TR.Value > 16) Vector256.Store(Vector256.Load(sums + 128) + a16, sums + 128);
        if (TR.Value > 17) Vector256.Store(Vector256.Load(sums + 136) + a17, sums + 136);
        if (TR.Value > 18) Vector256.Store(Vector256.Load(sums + 144) + a18, sums + 144);
        if (TR.Value > 19) Vector256.Store(Vector256.Load(sums + 152) + a19, sums + 152);
        if (TR.Value > 20) Vector256.Store(Vector256.Load(sums + 160) + a20, sums + 160);
        if (TR.Value > 21) Vector256.Store(Vector256.Load(sums + 168) + a21, sums + 168);
        if (TR.Value > 22) Vector256.Store(Vector256.Load(sums + 176) + a22, sums + 176);
        if (TR.Value > 23) Vector256.Store(Vector256.Load(sums + 184) + a23, sums + 184);
        if (TR.Value > 24) Vector256.Store(Vector256.Load(sums + 192) + a24, sums + 192);
        if (TR.Value > 25) Vector256.Store(Vector256.Load(sums + 200) + a25, sums + 200);
        if (TR.Value > 26) Vector256.Store(Vector256.Load(sums + 208) + a26, sums + 208);
        if (TR.Value > 27) Vector256.Store(Vector256.Load(sums + 216) + a27, sums + 216);
        if (TR.Value > 28) Vector256.Store(Vector256.Load(sums + 224) + a28, sums + 224);
        if (TR.Value > 29) Vector256.Store(Vector256.Load(sums + 232) + a29, sums + 232);
    }

    /// <summary>Runs <see cref="WeightGradientRows{TR}"/> for a tile of <paramref name="rows"/> (1 … 30) rows.</summary>
    public static void WeightGradientRows(int rows, float* dz, int* indices, int count, int* positionOffsets, float* frame, int rowStride, float* sums)
    {
        switch (rows)
        {
            case 1: WeightGradientRows<Rows1>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 2: WeightGradientRows<Rows2>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 3: WeightGradientRows<Rows3>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 4: WeightGradientRows<Rows4>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 5: WeightGradientRows<Rows5>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 6: WeightGradientRows<Rows6>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 7: WeightGradientRows<Rows7>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 8: WeightGradientRows<Rows8>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 9: WeightGradientRows<Rows9>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 10: WeightGradientRows<Rows10>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 11: WeightGradientRows<Rows11>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 12: WeightGradientRows<Rows12>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 13: WeightGradientRows<Rows13>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 14: WeightGradientRows<Rows14>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 15: WeightGradientRows<Rows15>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 16: WeightGradientRows<Rows16>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 17: WeightGradientRows<Rows17>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 18: WeightGradientRows<Rows18>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 19: WeightGradientRows<Rows19>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 20: WeightGradientRows<Rows20>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 21: WeightGradientRows<Rows21>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 22: WeightGradientRows<Rows22>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 23: WeightGradientRows<Rows23>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 24: WeightGradientRows<Rows24>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 25: WeightGradientRows<Rows25>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 26: WeightGradientRows<Rows26>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 27: WeightGradientRows<Rows27>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 28: WeightGradientRows<Rows28>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            case 29: WeightGradientRows<Rows29>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
            default: WeightGradientRows<Rows30>(dz, indices, count, positionOffsets, frame, rowStride, sums); break;
        }
    }

    /// <summary>Whether <see cref="InputGradientRows{TR, TM}"/> clears the lanes past the kernel's width.</summary>
    internal interface IMasking { static abstract bool On { get; } }
    internal struct Masked : IMasking { public static bool On => true; }
    internal struct Unmasked : IMasking { public static bool On => false; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Lanes<TM>(Vector256<float> value, Vector256<float> lanes) where TM : struct, IMasking =>
        TM.On ? value & lanes : value;

    /// <summary>
    /// Input-gradient rows of one sample: for every output position p with a non-zero gradient,
    /// <code>
    /// frame[positionOffsets[p] + r·rowStride + b] += Σ_co gradients[p, co] · weights[co·channelStride + 8r + b]   (r &lt; TR)
    /// </code>
    /// with <paramref name="gradients"/> laid out [position][channelBlocks·16 channels]. The weights'
    /// lanes past the kernel's width are zero, so with finite gradients those lanes add exact zeros;
    /// <typeparamref name="TM"/> = <see cref="Masked"/> clears them (to <paramref name="lanes"/>) for
    /// gradients that may hold ∞ or NaN, which would otherwise reach the neighbours' columns as NaN.
    /// The TR rows of a position are summed in registers over its channels, then added to the frame once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradientRows<TR, TM>(float* gradients, int channelBlocks, int positions, int* positionOffsets, float* weights, int channelStride, float* frame, int rowStride, Vector256<float> lanes)
        where TR : struct, IRowCount where TM : struct, IMasking
    {
        var z = Vector256<float>.Zero;
        int perPosition = channelBlocks * 16;
        for (int p = 0; p < positions; p++)
        {
            float* row = gradients + p * perPosition;
            Vector256<float> a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z, a8 = z, a9 = z, a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z, a16 = z, a17 = z, a18 = z, a19 = z, a20 = z, a21 = z, a22 = z, a23 = z, a24 = z, a25 = z, a26 = z, a27 = z, a28 = z, a29 = z;
            bool any = false;
            for (int c0 = 0; c0 < perPosition; c0 += 16)
            {
                uint bits = NonZeroLanes(row + c0, 16);
                any |= bits != 0;
                while (bits != 0)
                {
                    int co = c0 + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    var g = Vector256.Create(row[co]);
                    float* w = weights + co * channelStride;
                        a0 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 0), a0);
                        if (TR.Value > 1) a1 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 8), a1);
                        if (TR.Value > 2) a2 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 16), a2);
                        if (TR.Value > 3) a3 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 24), a3);
                        if (TR.Value > 4) a4 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 32), a4);
                        if (TR.Value > 5) a5 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 40), a5);
                        if (TR.Value > 6) a6 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 48), a6);
                        if (TR.Value > 7) a7 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 56), a7);
                        if (TR.Value > 8) a8 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 64), a8);
                        if (TR.Value > 9) a9 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 72), a9);
                        if (TR.Value > 10) a10 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 80), a10);
                        if (TR.Value > 11) a11 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 88), a11);
                        if (TR.Value > 12) a12 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 96), a12);
                        if (TR.Value > 13) a13 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 104), a13);
                        if (TR.Value > 14) a14 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 112), a14);
                        if (TR.Value > 15) a15 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 120), a15);
                        if (TR.Value > 16) a16 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 128), a16);
                        if (TR.Value > 17) a17 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 136), a17);
                        if (TR.Value > 18) a18 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 144), a18);
                        if (TR.Value > 19) a19 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 152), a19);
                        if (TR.Value > 20) a20 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 160), a20);
                        if (TR.Value > 21) a21 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 168), a21);
                        if (TR.Value > 22) a22 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 176), a22);
                        if (TR.Value > 23) a23 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 184), a23);
                        if (TR.Value > 24) a24 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 192), a24);
                        if (TR.Value > 25) a25 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 200), a25);
                        if (TR.Value > 26) a26 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 208), a26);
                        if (TR.Value > 27) a27 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 216), a27);
                        if (TR.Value > 28) a28 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 224), a28);
                        if (TR.Value > 29) a29 = Vector256.FusedMultiplyAdd(g, Vector256.Load(w + 232), a29);
                }
            }
            if (!any) continue;
            float* d = frame + positionOffsets[p];
                Vector256.Store(Vector256.Load(d) + Lanes<TM>(a0, lanes), d);
                if (TR.Value > 1) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a1, lanes), d); }
                if (TR.Value > 2) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a2, lanes), d); }
                if (TR.Value > 3) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a3, lanes), d); }
                if (TR.Value > 4) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a4, lanes), d); }
                if (TR.Value > 5) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a5, lanes), d); }
                if (TR.Value > 6) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a6, lanes), d); }
                if (TR.Value > 7) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a7, lanes), d); }
                if (TR.Value > 8) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a8, lanes), d); }
                if (TR.Value > 9) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a9, lanes), d); }
                if (TR.Value > 10) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a10, lanes), d); }
                if (TR.Value > 11) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a11, lanes), d); }
                if (TR.Value > 12) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a12, lanes), d); }
                if (TR.Value > 13) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a13, lanes), d); }
                if (TR.Value > 14) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a14, lanes), d); }
                if (TR.Value > 15) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a15, lanes), d); }
                if (TR.Value > 16) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a16, lanes), d); }
                if (TR.Value > 17) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a17, lanes), d); }
                if (TR.Value > 18) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a18, lanes), d); }
                if (TR.Value > 19) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a19, lanes), d); }
                if (TR.Value > 20) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a20, lanes), d); }
                if (TR.Value > 21) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a21, lanes), d); }
                if (TR.Value > 22) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a22, lanes), d); }
                if (TR.Value > 23) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a23, lanes), d); }
                if (TR.Value > 24) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a24, lanes), d); }
                if (TR.Value > 25) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a25, lanes), d); }
                if (TR.Value > 26) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a26, lanes), d); }
                if (TR.Value > 27) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a27, lanes), d); }
                if (TR.Value > 28) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a28, lanes), d); }
                if (TR.Value > 29) { d += rowStride; Vector256.Store(Vector256.Load(d) + Lanes<TM>(a29, lanes), d); }
        }
    }

    /// <summary>Runs <see cref="InputGradientRows{TR, TM}"/> for a tile of <paramref name="rows"/> (1 … 30) rows.</summary>
    public static void InputGradientRows(int rows, bool masked, float* gradients, int channelBlocks, int positions, int* positionOffsets, float* weights, int channelStride, float* frame, int rowStride, Vector256<float> lanes)
    {
        if (masked) InputGradientRows<Masked>(rows, gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes);
        else InputGradientRows<Unmasked>(rows, gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes);
    }

    private static void InputGradientRows<TM>(int rows, float* gradients, int channelBlocks, int positions, int* positionOffsets, float* weights, int channelStride, float* frame, int rowStride, Vector256<float> lanes) where TM : struct, IMasking
    {
        switch (rows)
        {
            case 1: InputGradientRows<Rows1, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 2: InputGradientRows<Rows2, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 3: InputGradientRows<Rows3, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 4: InputGradientRows<Rows4, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 5: InputGradientRows<Rows5, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 6: InputGradientRows<Rows6, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 7: InputGradientRows<Rows7, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 8: InputGradientRows<Rows8, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 9: InputGradientRows<Rows9, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 10: InputGradientRows<Rows10, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 11: InputGradientRows<Rows11, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 12: InputGradientRows<Rows12, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 13: InputGradientRows<Rows13, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 14: InputGradientRows<Rows14, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 15: InputGradientRows<Rows15, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 16: InputGradientRows<Rows16, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 17: InputGradientRows<Rows17, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 18: InputGradientRows<Rows18, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 19: InputGradientRows<Rows19, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 20: InputGradientRows<Rows20, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 21: InputGradientRows<Rows21, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 22: InputGradientRows<Rows22, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 23: InputGradientRows<Rows23, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 24: InputGradientRows<Rows24, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 25: InputGradientRows<Rows25, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 26: InputGradientRows<Rows26, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 27: InputGradientRows<Rows27, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 28: InputGradientRows<Rows28, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            case 29: InputGradientRows<Rows29, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
            default: InputGradientRows<Rows30, TM>(gradients, channelBlocks, positions, positionOffsets, weights, channelStride, frame, rowStride, lanes); break;
        }
    }
}
