using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

// The weight gradient in the Winograd domain: dU[ξ][co][ci] = Σ_slots Z[ξ][co][slot] · V[ξ][slot][ci], a
// product whose inner dimension runs over the tiles of a sub-band and the 16 samples of a group (a slot).
// Z = A dZ Aᵀ comes from the dz frames, whose lanes are samples: Z[ξ][co] is a row of slots. x is packed
// with lanes = input channels instead (one frame per sample and block of 16 channels), so its transform
// V = Bᵀ d B lands as V[ξ][slot] = a row of channels: the product's operands are then already in the
// layout a register-tiled kernel reads (rows of Z broadcast, vectors of V), with no packing pass. Before,
// both were lanes = samples and Gemm packed (transposed) Z and V for every point's 64×32×112 product:
// measured on W3's conv2, 1 thread, ~14 ms of products at ~70 GFLOP/s; this kernel ~9.5 ms.
internal static unsafe partial class WinogradConvolution
{
    /// <summary>Per-thread scratch of <see cref="WeightGradientBand"/>: one input frame, V and Z of a sub-band, and the two tap tables.</summary>
    private readonly struct WeightGradientScratch
    {
        public readonly float* Frame, V, Z;
        public readonly int* InputTaps, GradientTaps;

        private WeightGradientScratch(float* frame, float* v, float* z, int* inputTaps, int* gradientTaps)
        {
            Frame = frame; V = v; Z = z; InputTaps = inputTaps; GradientTaps = gradientTaps;
        }

        public static WeightGradientScratch Get(in WinogradShape w, in WinogradShape f)
        {
            long bandSlots = (long)w.BandRows * w.TilesX * Lanes;
            int* taps = Scratch(ref t_weightTaps, Points + Phases);
            var result = new WeightGradientScratch(
                Scratch(ref t_frames, w.InputFrameFloats),
                Scratch(ref t_weightInputs, Points * OddLineStride(PaddedChannels(w.InChannels) * bandSlots)),
                Scratch(ref t_gradients, Points * OddLineStride(w.OutChannels * bandSlots)),
                taps, taps + Points);
            for (int i = 0; i < Alpha; i++)
                for (int k = 0; k < Alpha; k++) result.InputTaps[i * Alpha + k] = w.InputTapOffset(i, k);
            // dz's value (i, j) of a tile sits at frame row 4·ty + i + PadTop, column 4·tx + j + PadLeft of its frame.
            for (int i = 0; i < Tile; i++)
                for (int j = 0; j < Tile; j++) result.GradientTaps[i * Tile + j] = f.InputTapOffset(i + f.PadTop, j + f.PadLeft);
            return result;
        }
    }

    /// <summary>
    /// Where <see cref="CorrelateBand"/> writes the weight gradient's Z of the dz tiles it transforms for
    /// the input gradient (<see cref="InputAndGradientTransform"/>), when dx's and dz's tile grids are the
    /// same: tile (row, column) of the correlation's rows, relative to the sub-band, is slot position
    /// row·TilesX + column of Z[ξ][channel] (see <see cref="WeightGradientBand"/>). Inactive (Z null) by default.
    /// </summary>
    private readonly struct GradientTileSink
    {
        public readonly float* Z;
        /// <summary>Floats from one Winograd point of Z to the next, and from one dz channel to the next.</summary>
        public readonly long PointStride;
        public readonly int ChannelStride;
        /// <summary>Frame row and column (0 … 2) of a dz tile's first value within its input tile: the frame's padding.</summary>
        public readonly int Row, Column;

        public GradientTileSink(in WinogradShape w, in WinogradShape f, in WeightGradientScratch scratch, int rows)
        {
            int slots = rows * w.TilesX * Lanes;
            Z = scratch.Z;
            PointStride = OddLineStride((long)w.OutChannels * slots);
            ChannelStride = slots;
            Row = f.PadTop;
            Column = f.PadLeft;
        }
    }

    /// <summary>
    /// Input channels rounded up to whole pairs of vectors (the register tile's width): the length of a
    /// slot's row of V. Padding lanes inside a packed block are zero; whole padding vectors are never
    /// written, and only feed sums that are not stored.
    /// </summary>
    private static int PaddedChannels(int channels) => (channels + 2 * Lanes - 1) / (2 * Lanes) * (2 * Lanes);

    /// <summary>
    /// dU (=|+=) Σ over the tiles of rows [t0, t0 + rows) of dz's grid of Z[ξ]·V[ξ]: x is packed per sample and
    /// block of 16 input channels and transformed into V[ξ][slot][ci]; dz's tiles are transformed from the
    /// band's frames (which start at tile row <paramref name="frameRow"/>) into Z[ξ][co][slot]; a slot is
    /// (tile of the sub-band, sample); unless <paramref name="gradientsTransformed"/>: the input-gradient
    /// correlation has already written them (<see cref="GradientTileSink"/>). Then per point <see cref="MultiplyGradientPoint"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientBand(in WinogradShape w, in WinogradShape f, float* x, int images, float* frames, int frameRow,
        int t0, int rows, int* columns, in WeightGradientScratch scratch, float* du, bool accumulate, bool gradientsTransformed = false)
    {
        int positions = rows * w.TilesX, slots = positions * Lanes;
        int inImage = w.InChannels * w.InputPlane, frameFloats = f.InputFrameFloats;
        int vRow = PaddedChannels(w.InChannels);
        float* v = scratch.V, z = scratch.Z;
        long vPoint = OddLineStride((long)vRow * slots), zPoint = OddLineStride((long)w.OutChannels * slots), uPoint = (long)w.OutChannels * w.InChannels;
        for (int n = 0; n < Lanes; n++)
        {
            if (n >= images)
            {
                // A missing sample's Z lanes are zero; its V must be finite too (0 · NaN would poison dU).
                for (int xi = 0; xi < Points; xi++)
                    for (int p = 0; p < positions; p++) new Span<float>(v + xi * vPoint + (long)(p * Lanes + n) * vRow, vRow).Clear();
                continue;
            }
            for (int c0 = 0; c0 < w.InChannels; c0 += Lanes)
            {
                // Lanes = the block's channels: sample n's planes c0 … c0 + 15, one plane apart.
                PackInputFrame(w, x + (long)n * inImage + (long)c0 * w.InputPlane, w.InputPlane, Math.Min(Lanes, w.InChannels - c0),
                    t0, rows, scratch.Frame, columns, default, everyInputValue: false, prefetchAhead: inImage);
                for (int p = 0; p < positions; p++)
                    InputTransform(scratch.Frame + w.InputTileOffset(p / w.TilesX, p % w.TilesX), scratch.InputTaps,
                        v + (long)(p * Lanes + n) * vRow + c0, vPoint);
            }
        }
        for (int c = 0; c < (gradientsTransformed ? 0 : w.OutChannels); c++)
        {
            float* channelFrame = frames + (long)c * frameFloats;
            for (int p = 0; p < positions; p++)
                GradientTransform(channelFrame + f.InputTileOffset(t0 - frameRow + p / w.TilesX, p % w.TilesX), scratch.GradientTaps,
                    z + (long)c * slots + p * Lanes, zPoint, c + 1 < w.OutChannels ? frameFloats : 0);
        }
        for (int xi = 0; xi < Points; xi++)
            for (int o0 = 0; o0 < w.OutChannels; o0 += RowsPerTile)
                MultiplyGradientPoint(Math.Min(RowsPerTile, w.OutChannels - o0), z + xi * zPoint + (long)o0 * slots, slots,
                    v + xi * vPoint, vRow, du + xi * uPoint + (long)o0 * w.InChannels, w.InChannels, accumulate);
    }

    /// <summary>Runs <see cref="MultiplyGradientPoint{TR}"/> for 1 … 8 rows.</summary>
    private static void MultiplyGradientPoint(int rows, float* z, int slots, float* v, int vRow, float* du, int channels, bool accumulate)
    {
        switch (rows)
        {
            case 1: MultiplyGradientPoint<Rows1>(z, slots, v, vRow, du, channels, accumulate); break;
            case 2: MultiplyGradientPoint<Rows2>(z, slots, v, vRow, du, channels, accumulate); break;
            case 3: MultiplyGradientPoint<Rows3>(z, slots, v, vRow, du, channels, accumulate); break;
            case 4: MultiplyGradientPoint<Rows4>(z, slots, v, vRow, du, channels, accumulate); break;
            case 5: MultiplyGradientPoint<Rows5>(z, slots, v, vRow, du, channels, accumulate); break;
            case 6: MultiplyGradientPoint<Rows6>(z, slots, v, vRow, du, channels, accumulate); break;
            case 7: MultiplyGradientPoint<Rows7>(z, slots, v, vRow, du, channels, accumulate); break;
            default: MultiplyGradientPoint<Rows8>(z, slots, v, vRow, du, channels, accumulate); break;
        }
    }

    /// <summary>
    /// du[r, c] (=|+=) Σ_k z[r·slots + k] · v[k·vRow + c] for TR rows (output channels) and all
    /// <paramref name="channels"/> columns (input channels), in register tiles of TR rows × 2 vectors: per
    /// slot k, 2 vector loads of V, TR broadcasts of Z, 2·TR FMAs. du's rows are <paramref name="channels"/> long.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyGradientPoint<TR>(float* z, int slots, float* v, int vRow, float* du, int channels, bool accumulate)
        where TR : struct, IRowCount
    {
        for (int c0 = 0; c0 < channels; c0 += 2 * Lanes)
        {
            var zero = Vector512<float>.Zero;
            Vector512<float> a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
            Vector512<float> a40 = zero, a41 = zero, a50 = zero, a51 = zero, a60 = zero, a61 = zero, a70 = zero, a71 = zero;
            float* vk = v + c0;
            float* zk = z;
            for (int k = 0; k < slots; k++, vk += vRow, zk++)
            {
                var x0 = Vector512.Load(vk);
                var x1 = Vector512.Load(vk + Lanes);
                var b = Vector512.Create(zk[0]);
                a00 = Vector512.FusedMultiplyAdd(b, x0, a00); a01 = Vector512.FusedMultiplyAdd(b, x1, a01);
                if (TR.Value > 1) { b = Vector512.Create(zk[slots]); a10 = Vector512.FusedMultiplyAdd(b, x0, a10); a11 = Vector512.FusedMultiplyAdd(b, x1, a11); }
                if (TR.Value > 2) { b = Vector512.Create(zk[2 * slots]); a20 = Vector512.FusedMultiplyAdd(b, x0, a20); a21 = Vector512.FusedMultiplyAdd(b, x1, a21); }
                if (TR.Value > 3) { b = Vector512.Create(zk[3 * slots]); a30 = Vector512.FusedMultiplyAdd(b, x0, a30); a31 = Vector512.FusedMultiplyAdd(b, x1, a31); }
                if (TR.Value > 4) { b = Vector512.Create(zk[4 * slots]); a40 = Vector512.FusedMultiplyAdd(b, x0, a40); a41 = Vector512.FusedMultiplyAdd(b, x1, a41); }
                if (TR.Value > 5) { b = Vector512.Create(zk[5 * slots]); a50 = Vector512.FusedMultiplyAdd(b, x0, a50); a51 = Vector512.FusedMultiplyAdd(b, x1, a51); }
                if (TR.Value > 6) { b = Vector512.Create(zk[6 * slots]); a60 = Vector512.FusedMultiplyAdd(b, x0, a60); a61 = Vector512.FusedMultiplyAdd(b, x1, a61); }
                if (TR.Value > 7) { b = Vector512.Create(zk[7 * slots]); a70 = Vector512.FusedMultiplyAdd(b, x0, a70); a71 = Vector512.FusedMultiplyAdd(b, x1, a71); }
            }
            var first = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(channels - c0)).AsSingle();
            var second = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(channels - c0 - Lanes)).AsSingle();
            float* target = du + c0;
            StoreGradientRow(a00, a01, target, first, second, accumulate);
            if (TR.Value > 1) StoreGradientRow(a10, a11, target + channels, first, second, accumulate);
            if (TR.Value > 2) StoreGradientRow(a20, a21, target + 2 * channels, first, second, accumulate);
            if (TR.Value > 3) StoreGradientRow(a30, a31, target + 3 * channels, first, second, accumulate);
            if (TR.Value > 4) StoreGradientRow(a40, a41, target + 4 * channels, first, second, accumulate);
            if (TR.Value > 5) StoreGradientRow(a50, a51, target + 5 * channels, first, second, accumulate);
            if (TR.Value > 6) StoreGradientRow(a60, a61, target + 6 * channels, first, second, accumulate);
            if (TR.Value > 7) StoreGradientRow(a70, a71, target + 7 * channels, first, second, accumulate);
        }
    }

    /// <summary>Writes (or adds) two vectors of a dU row, the lanes of <paramref name="first"/> and <paramref name="second"/> only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreGradientRow(Vector512<float> s0, Vector512<float> s1, float* target, Vector512<float> first, Vector512<float> second,
        bool accumulate)
    {
        if (accumulate)
        {
            s0 += Avx512F.MaskLoad(target, first, Vector512<float>.Zero);
            s1 += Avx512F.MaskLoad(target + Lanes, second, Vector512<float>.Zero);
        }
        Avx512F.MaskStore(target, first, s0);
        Avx512F.MaskStore(target + Lanes, second, s1);
    }
}
