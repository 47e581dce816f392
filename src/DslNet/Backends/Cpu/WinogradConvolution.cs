using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace DslNet.Backends.Cpu;

/// <summary>
/// 3×3, stride-1, dilation-1 convolution by Winograd's F(4×4, 3×3) algorithm (transforms in
/// WinogradConvolution.Transforms.cs): a 4×4 output tile costs 36 multiply-adds per channel pair instead
/// of 144, at the price of input and output transforms that are linear in the channel count. The three
/// passes:
/// <list type="bullet">
/// <item>forward: V = Bᵀ d B per input tile and channel, M[ξ] = U[ξ]·V[ξ] per Winograd point ξ (a
/// product over input channels), y = f(Aᵀ M A + bias) for a fusable activation f;</item>
/// <item>input gradient: the same correlation of dz with the flipped, channel-transposed kernel and
/// padding 2 − p, added into dx;</item>
/// <item>weight gradient: dU[ξ] = Σ_tiles (A dZ Aᵀ)[ξ] · (Bᵀ d B)[ξ]ᵀ, a product whose inner dimension is
/// the tiles and samples (WinogradConvolution.WeightGradient.cs), then dW += Gᵀ dU G; db += Σ dz on the way.</item>
/// </list>
/// dz = dy ⊙ f'(y) is formed while dy is packed (<see cref="ActivationGradient"/>), inside the parallel
/// jobs, once for both gradients (WinogradConvolution.Backward.cs).
/// Layout: the vector lanes are 16 samples (a group), except in the weight gradient's transform of x (16
/// channels of one sample). A channel of a group's input is copied into 16
/// phase planes by (row mod 4, column mod 4) (see <see cref="PackInputFrame"/>), so that every tap of a
/// tile is one contiguous vector load and the transforms are pure vector arithmetic; a batch that is not
/// a multiple of 16 computes empty lanes in its last group. The worker pool's parts claim groups one at a
/// time (<see cref="ItemClaims"/>; forward and input gradient write disjoint samples); the backward pass
/// cuts the groups into a fixed number of shares, claimed the same way, with a weight-gradient partial sum
/// each, added in order, so every result is the same whatever the thread count and whoever ran what.
/// Claiming one at a time instead of a fixed half per thread, W3's conv2, 2 threads, same-process A/B
/// (calls alternated, medians of 60, load ~2): forward 12.0 → 11.7 ms, backward 27.3 → 26.2 ms; 1 thread
/// unchanged. Scratch is per thread and reused: after the first call of a shape nothing is allocated.
/// </summary>
[SkipLocalsInit] // the stack scratch of the transforms is always written before it is read
internal static unsafe partial class WinogradConvolution
{
    /// <summary>Outputs per tile side (the m of F(m×m, 3×3)).</summary>
    internal const int Tile = 4;
    /// <summary>Input tile side: m + 3 − 1.</summary>
    private const int Alpha = 6;
    /// <summary>Winograd points ξ per tile: α².</summary>
    private const int Points = Alpha * Alpha;
    /// <summary>Phase planes of a frame: (row mod 4, column mod 4).</summary>
    internal const int Phases = Tile * Tile;
    /// <summary>Samples per group: the lanes of a vector.</summary>
    internal const int Lanes = 16;
    /// <summary>Most tile positions per register tile of <see cref="MultiplyPoint{TR, TP}"/>.</summary>
    private const int ChunkPositions = 3;
    private const int ChunkPositionStride = Points * Lanes;
    private const int ChunkRowStride = ChunkPositions * ChunkPositionStride;

    /// <summary>
    /// Floats of input frames a part packs for one band of tile rows (4 MiB; W3's conv2: the whole 28×28
    /// image of 32 channels, 2 MiB, one band). The transforms prefetch the next channel's taps, so frames
    /// beyond L2 cost little. Measured on W3's conv2 forward, 1 thread (min of 9, load ~20, CPU time per
    /// call), when register tiles still ran across the band's tile rows: 30.4–31.4 ms with one-row bands
    /// (256 KiB), 25.2–26.5 ms whole-image.
    /// </summary>
    private const int FrameBudgetFloats = 1 << 20;

    /// <summary>
    /// Floats of transformed input and gradient one weight-gradient band may hold (1 MiB; at least one
    /// tile row: 1.5 MiB for W3's conv2). Measured: whole-image bands (11 MiB) made the transforms and the
    /// products stream V and Z through memory.
    /// </summary>
    private const int WeightGradientBudgetFloats = 1 << 18;

    /// <summary>
    /// Most shares a weight gradient's groups are cut into (each with a dU partial of 36·Cout·Cin floats):
    /// enough to balance a few threads, few enough that the partials stay small.
    /// </summary>
    private const int WeightGradientShares = 8;

    /// <summary>True when this path computes <paramref name="g"/> on this machine.</summary>
    public static bool Supports(in Conv2DGeometry g) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated
        && g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideHeight == 1 && g.StrideWidth == 1
        && g.DilationHeight == 1 && g.DilationWidth == 1 && g.PadTop <= 2 && g.PadLeft <= 2
        && g.InChannels > 0 && g.OutChannels > 0 && g.InHeight > 0 && g.InWidth > 0 && g.OutHeight > 0 && g.OutWidth > 0;

    /// <summary>
    /// Whether the backend should run <paramref name="g"/> here rather than on the direct kernel: at least
    /// 32 input and 32 output channels and 16 samples (one full group of lanes). Measured on one Zen 4 core
    /// (ms of CPU time, min of 7, forward + input gradient + weight gradient, direct vs Winograd; machine
    /// shared, load 8–11): 32→64 channels on 28×28 at batch 128 (W3's conv2) 142 vs 94, at batch 16
    /// 18.6 vs 12.5, at batch 8 9.1 vs 11.7 and at batch 1 1.1 vs 10.3 (lanes are samples: a group costs
    /// the same full or not); 64→64 on 8×8 at batch 16 4.4 vs 4.4; 16→16 on 14×14 at batch 128 5.9 vs 7.9;
    /// 8→16 on 28×28 12.2 vs 12.4; 1→32 (W3's conv1) 7.7 vs 15.8. The transforms are linear in the
    /// channel counts, the multiply-adds they save grow with their product, so few channels stay direct.
    /// </summary>
    public static bool Prefers(in Conv2DGeometry g, int batch) =>
        Supports(g) && g.InChannels >= 32 && g.OutChannels >= 32 && batch >= Lanes;

    // Scratch per thread, grown on demand and then reused. Pinned: kernels hold raw pointers into it.
    [ThreadStatic] private static float[]? t_frames;
    [ThreadStatic] private static float[]? t_transformed;
    [ThreadStatic] private static float[]? t_products;
    [ThreadStatic] private static float[]? t_kernel;
    [ThreadStatic] private static float[]? t_gradients;
    [ThreadStatic] private static float[]? t_points;
    [ThreadStatic] private static int[]? t_columns;
    [ThreadStatic] private static float[]? t_biasSums;
    [ThreadStatic] private static float[]? t_partials;
    [ThreadStatic] private static float[]? t_gradientFrames;
    [ThreadStatic] private static float[]? t_weightInputs;
    [ThreadStatic] private static int[]? t_taps;
    [ThreadStatic] private static int[]? t_weightTaps;
    [ThreadStatic] private static float[]? t_staging;
    [ThreadStatic] private static float[]? t_outputStaging;

    private static T* Scratch<T>(ref T[]? buffer, long length) where T : unmanaged =>
        AlignedScratch.Get(ref buffer, length, "Winograd convolution");

    /// <summary>
    /// <paramref name="floats"/> (whole 64-byte lines) rounded up to an odd number of lines: the stride
    /// between the 36 points of transformed tiles. The transforms store a tile's 36 points one stride
    /// apart; at strides of a multiple of 4 KiB (V of 64 channels × 3 positions: 12 KiB; Z of 64 channels ×
    /// 7 tiles: 28 KiB) all 36 lines fall into one set of the 8-way L1 and evict each other.
    /// </summary>
    private static long OddLineStride(long floats) => (floats / Lanes | 1) * Lanes;

    private static int Groups(int batch) => (batch + Lanes - 1) / Lanes;

    private static long WorkPerGroup(in WinogradShape s) =>
        Math.Max(1, (long)(2.0 * Points * s.InChannels * s.OutChannels * s.TilesY * s.TilesX * Lanes / Gemm.FlopsPerWorkUnit));

    // ---- forward and input gradient: one correlation routine ------------------------------------

    /// <summary>
    /// y = f(W ⋆ x + b) (overwritten) for a fusable activation f: ReLU is applied in the output transform,
    /// the others to each group's outputs right after they are written.
    /// </summary>
    public static void Forward(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, Span<float> y, ActivationKind activation, float alpha, WorkerPool? pool)
    {
        if (batch == 0) return;
        var s = CorrelationShape(g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth, g.PadTop, g.PadLeft);
        float* packed = Scratch(ref t_kernel, (long)Points * g.OutChannels * g.InChannels);
        PackKernel(weight, g.OutChannels, g.InChannels, flip: false, packed);
        fixed (float* xs = x)
        fixed (float* ys = y)
        fixed (float* bs = bias)
            Correlate(s, batch, xs, packed, bias.IsEmpty ? null : bs, ys, activation, alpha, pool);
    }

    private static WinogradShape CorrelationShape(int inC, int inH, int inW, int outC, int outH, int outW, int padTop, int padLeft)
    {
        int tilesX = (outW + Tile - 1) / Tile;
        int perRow = Phases * (tilesX + 1) * Lanes;
        return new WinogradShape(inC, inH, inW, outC, outH, outW, padTop, padLeft, FrameBudgetFloats, perRow, inC);
    }

    /// <summary>
    /// U = G g Gᵀ of every kernel, packed for <see cref="MultiplyPoint{TR}"/>: point-major, then blocks of
    /// up to 8 output rows, each [input channel][row]. Row o / channel i read W[o, i] from the
    /// [rows, channels, 3, 3] layout, or, when <paramref name="flip"/>, W[i, o] rotated by 180° from
    /// [channels, rows, 3, 3] (the input gradient's kernel).
    /// </summary>
    private static void PackKernel(ReadOnlySpan<float> w, int rows, int channels, bool flip, float* packed)
    {
        Vector512<double>* g = stackalloc Vector512<double>[9];
        Vector512<double>* u = stackalloc Vector512<double>[Points];
        float* values = stackalloc float[KernelLanes];
        long pointStride = (long)rows * channels;
        fixed (float* ws = w)
            for (int o = 0; o < rows; o++)
            {
                int block = o / RowsPerTile * RowsPerTile;
                int blockRows = Math.Min(RowsPerTile, rows - block);
                // Lane j: the kernel of channel i0 + j; lanes past the last channel transform zeros and are not stored.
                for (int i0 = 0; i0 < channels; i0 += KernelLanes)
                {
                    int count = Math.Min(KernelLanes, channels - i0);
                    for (int t = 0; t < 9; t++)
                    {
                        double* lanes = (double*)(g + t);
                        for (int j = 0; j < KernelLanes; j++)
                            lanes[j] = j >= count ? 0 : flip ? ws[((long)(i0 + j) * rows + o) * 9 + 8 - t] : ws[((long)o * channels + i0 + j) * 9 + t];
                    }
                    KernelTransform(g, u);
                    float* target = packed + (long)block * channels + (long)i0 * blockRows + (o - block);
                    for (int p = 0; p < Points; p++)
                    {
                        Vector256.Store(Avx512F.ConvertToVector256Single(u[p]), values);
                        for (int j = 0; j < count; j++) target[p * pointStride + j * blockRows] = values[j];
                    }
                }
            }
    }

    private static void Correlate(in WinogradShape s, int batch, float* input, float* packed, float* bias, float* output,
        ActivationKind activation, float alpha, WorkerPool? pool)
    {
        int groups = Groups(batch), claimed = 0;
        var job = new CorrelationJob
        {
            S = s, Batch = batch, Input = input, Packed = packed, Bias = bias, Output = output,
            Activation = activation, ActivationAlpha = alpha, Groups = new ItemClaims(&claimed, groups),
        };
        if (pool is null) job.Execute(0, groups, 0);
        else pool.For(groups, WorkPerGroup(s), ref job);
    }

    /// <summary>
    /// The items of a parallel loop, handed out one at a time to whichever part of it asks next: each part
    /// of a Winograd pass takes groups (or shares) until none is left, instead of a fixed half. A thread that
    /// the operating system holds back (the machine is shared) then delays its part by one group at most,
    /// not by its whole share, while the other takes the rest. Every item's arithmetic is the same whoever
    /// runs it (per-item outputs and partial sums), so results do not depend on the split.
    /// </summary>
    private readonly struct ItemClaims
    {
        private readonly int* _next;
        private readonly int _count;

        /// <param name="next">The loop's counter, 0 at the start, alive until the loop has returned.</param>
        /// <param name="count">The loop's items.</param>
        public ItemClaims(int* next, int count)
        {
            _next = next;
            _count = count;
        }

        /// <summary>The next unclaimed item, or −1 once every item is taken.</summary>
        public int Next()
        {
            int item = Interlocked.Increment(ref *_next) - 1;
            return item < _count ? item : -1;
        }
    }

    /// <summary>
    /// The forward pass, group by group as claimed (the part's range only sizes the loop; see
    /// <see cref="ItemClaims"/>): per band of tile rows, pack every input channel's frame, then <see cref="CorrelateBand"/>.
    /// Each channel's rows of the group's 16 samples are staged first, one sequential run per sample, with the
    /// next channel's prefetched (see <see cref="Stage"/>), as the backward pass does with dz: W3's conv2
    /// forward, same-process A/B against gathering the 16 samples' rows straight from x (calls alternated,
    /// medians of 60, load 6): 1 thread 16.9 → 16.1 and 21.8 → 20.7 ms; 2 threads 12.5 → 12.5 ms.
    /// </summary>
    private struct CorrelationJob : IParallelJob
    {
        public WinogradShape S;
        public int Batch;
        public ItemClaims Groups;
        public float* Input, Packed, Bias, Output;
        public ActivationKind Activation;
        public float ActivationAlpha;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end, int part)
        {
            ref readonly var s = ref S;
            int frameFloats = s.InputFrameFloats;
            float* frames = Scratch(ref t_frames, (long)s.InChannels * frameFloats);
            int* columns = Scratch(ref t_columns, Tile * s.PhaseColumns);
            var scratch = CorrelationScratch.Get(s, staged: true);
            float* staging = Scratch(ref t_staging, StagingFloats(s));
            int inImage = s.InChannels * s.InputPlane, outImage = s.OutChannels * s.OutputPlane;
            bool relu = Activation == ActivationKind.ReLU;

            for (int group; (group = Groups.Next()) >= 0;)
            {
                int n0 = group * Lanes, images = Math.Min(Lanes, Batch - n0);
                for (int ty0 = 0; ty0 < s.TilesY; ty0 += s.BandRows)
                {
                    int bandRows = Math.Min(s.BandRows, s.TilesY - ty0);
                    for (int c = 0; c < s.InChannels; c++)
                        PackInputFrame(s, Input + (long)n0 * inImage + (long)c * s.InputPlane, inImage, images, ty0, bandRows,
                            frames + (long)c * frameFloats, columns, default, everyInputValue: false, prefetchAhead: s.InputPlane, staging);
                    CorrelateBand(s, frames, Packed, Bias, Output + (long)n0 * outImage, images, ty0, bandRows, relu, accumulate: false, scratch, prefetch: s.BandRows > 1);
                }
                if (!relu) FusedActivation.Apply(Activation, ActivationAlpha, new Span<float>(Output + (long)n0 * outImage, images * outImage));
            }
        }
    }

    /// <summary>
    /// Floats of transformed input one segment of a tile row may hold (512 KiB, with the packed kernel and
    /// the staged outputs about what L2 keeps): W3's conv2 forward, 32 channels, takes its whole 7-tile
    /// rows; its input gradient, 64 channels, segments of 2–3 tiles.
    /// </summary>
    private const int SegmentBudgetFloats = 1 << 17;

    /// <summary>
    /// Per-thread scratch of <see cref="CorrelateBand"/>: a segment's transformed inputs, a register tile's point
    /// products, one finished tile, the staged outputs of a tile row (of a block of channels when the row is
    /// one segment, of every channel when it is cut into several: see <see cref="StagedChannels"/>), the tap
    /// table; the segment length.
    /// </summary>
    private readonly struct CorrelationScratch
    {
        public readonly float* V, M, Tile, Staging;
        public readonly int* Taps;
        /// <summary>Most tile positions of a segment (a run of one tile row transformed at once).</summary>
        public readonly int SegmentTiles;

        private CorrelationScratch(float* v, float* m, float* tile, float* staging, int* taps, int segmentTiles)
        {
            V = v; M = m; Tile = tile; Staging = staging; Taps = taps; SegmentTiles = segmentTiles;
        }

        /// <summary>Floats from one Winograd point of V to the next.</summary>
        public long VPointStride(in WinogradShape s) => OddLineStride((long)s.InChannels * SegmentTiles * Lanes);

        /// <summary>The scratch for <paramref name="s"/>; a staging buffer only when the outputs are overwritten (<paramref name="staged"/>).</summary>
        public static CorrelationScratch Get(in WinogradShape s, bool staged)
        {
            int segmentTiles = (int)Math.Clamp(SegmentBudgetFloats / ((long)s.InChannels * Points * Lanes), 1, s.TilesX);
            var result = new CorrelationScratch(
                WinogradConvolution.Scratch(ref t_transformed, Points * OddLineStride((long)s.InChannels * segmentTiles * Lanes)),
                WinogradConvolution.Scratch(ref t_products, (long)RowsPerTile * ChunkRowStride),
                WinogradConvolution.Scratch(ref t_points, Phases * Lanes),
                staged ? WinogradConvolution.Scratch(ref t_outputStaging, OutputStagingFloats(StagedChannels(s, segmentTiles), s.TilesX * WinogradConvolution.Tile)) : null,
                WinogradConvolution.Scratch(ref t_taps, Points),
                segmentTiles);
            for (int i = 0; i < Alpha; i++)
                for (int k = 0; k < Alpha; k++) result.Taps[i * Alpha + k] = s.InputTapOffset(i, k);
            return result;
        }
    }

    /// <summary>
    /// Whether <see cref="CorrelateBand"/> stages a whole tile row of every output channel before copying it
    /// out: when the row is cut into segments and that staging takes at most
    /// <see cref="RowStagingBudgetFloats"/>. Otherwise it stages one block of <see cref="RowsPerTile"/>
    /// channels and copies each block's segment out as soon as it is done: whole rows when the row is one
    /// segment, else runs of a segment's width, which write each 64-byte line of the output in parts with
    /// plain stores (each line first read from memory). W3's conv2 input gradient (dx 12.8 MB, segments of
    /// 2–3 tiles, 229 KiB of staging), 1 thread, own timing inside the pass: copying dx out 2.2–2.8 → 0.9 ms,
    /// the output transforms staging into the larger buffer 1.7 → 2.1 ms.
    /// </summary>
    private static bool StagesWholeRows(in WinogradShape s, int segmentTiles) =>
        segmentTiles < s.TilesX && OutputStagingFloats(s.OutChannels, s.TilesX * Tile) <= RowStagingBudgetFloats;

    /// <summary>Most floats of a whole row's staging for every output channel (256 KiB; W3's input gradient: 224 KiB).</summary>
    private const int RowStagingBudgetFloats = 1 << 16;

    /// <summary>Output channels whose staged rows <see cref="CorrelateBand"/> holds at once (see <see cref="StagesWholeRows"/>).</summary>
    private static int StagedChannels(in WinogradShape s, int segmentTiles) =>
        StagesWholeRows(s, segmentTiles) ? s.OutChannels : Math.Min(RowsPerTile, s.OutChannels);

    /// <summary>
    /// Out (=|+=) f(U ⋆ frames + bias) for the tiles of one band of one group: <paramref name="frames"/> hold
    /// every input channel's frame of the band (channel c at c·InputFrameFloats), <paramref name="output"/> is the
    /// group's first sample. Each tile row is cut into equal segments of at most SegmentTiles positions: every
    /// channel's input transform; then per block of output channels, register tiles of up to
    /// <see cref="ChunkPositions"/> positions (equal too, so 7 runs as 3 + 2 + 2: a tile is never partly
    /// empty): the 36 point products and the output transforms. Overwritten outputs are staged and copied out
    /// once the block's segment is done, or, when the row has several segments, once the whole row is (see
    /// <see cref="StagesWholeRows"/>); added ones are added tile by tile (WinogradConvolution.OutputTiles.cs).
    /// ReLU is applied in the output transform, other activations by the caller. With an active
    /// <paramref name="gradients"/> (the backward pass, see <see cref="GradientTileSink"/>) each input tile's
    /// transform also writes the weight gradient's Z of the dz tile inside it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CorrelateBand(in WinogradShape s, float* frames, float* packed, float* bias, float* output, int images,
        int ty0, int bandRows, bool relu, bool accumulate, in CorrelationScratch scratch, bool prefetch = false,
        in GradientTileSink gradients = default)
    {
        int frameFloats = s.InputFrameFloats;
        float* v = scratch.V, m = scratch.M, tile = scratch.Tile, staging = scratch.Staging;
        int* taps = scratch.Taps;
        long vPointStride = scratch.VPointStride(s);
        int vChannelStride = scratch.SegmentTiles * Lanes;
        long uPointStride = (long)s.OutChannels * s.InChannels;
        int outImage = s.OutChannels * s.OutputPlane;
        int rowFloats = s.TilesX * Tile;
        int segments = (s.TilesX + scratch.SegmentTiles - 1) / scratch.SegmentTiles;
        // Every channel's staged row, copied out once the row is done (see StagesWholeRows), or one block's.
        bool stageRows = StagesWholeRows(s, scratch.SegmentTiles);
        for (int row = 0; row < bandRows; row++)
            for (int segment = 0; segment < segments; segment++)
            {
                int tx0 = WorkerPool.PartStart(s.TilesX, segments, segment), count = WorkerPool.PartStart(s.TilesX, segments, segment + 1) - tx0;
                // Transform the segment's tiles of every input channel: V[ξ][c][position][lane].
                for (int c = 0; c < s.InChannels; c++)
                    for (int q = 0; q < count; q++)
                    {
                        float* source = frames + (long)c * frameFloats + s.InputTileOffset(row, tx0 + q);
                        long ahead = prefetch && c + 1 < s.InChannels ? frameFloats : 0;
                        if (gradients.Z == null) InputTransform(source, taps, v + (long)c * vChannelStride + q * Lanes, vPointStride, ahead);
                        else InputAndGradientTransform(source, taps, v + (long)c * vChannelStride + q * Lanes, vPointStride,
                            gradients.Row, gradients.Column, gradients.Z + (long)c * gradients.ChannelStride + (row * s.TilesX + tx0 + q) * Lanes,
                            gradients.PointStride, ahead);
                    }
                int chunks = (count + ChunkPositions - 1) / ChunkPositions;
                for (int o0 = 0; o0 < s.OutChannels; o0 += RowsPerTile)
                {
                    int rows = Math.Min(RowsPerTile, s.OutChannels - o0);
                    for (int chunk = 0; chunk < chunks; chunk++)
                    {
                        int q0 = WorkerPool.PartStart(count, chunks, chunk), positions = WorkerPool.PartStart(count, chunks, chunk + 1) - q0;
                        for (int xi = 0; xi < Points; xi++)
                            MultiplyPoint(rows, positions, packed + xi * uPointStride + (long)o0 * s.InChannels, v + xi * vPointStride + q0 * Lanes,
                                s.InChannels, vChannelStride, m + xi * Lanes);
                        for (int r = 0; r < rows; r++)
                            for (int q = 0; q < positions; q++)
                            {
                                float* products = m + r * ChunkRowStride + q * ChunkPositionStride;
                                float rowBias = bias == null ? 0f : bias[o0 + r];
                                if (accumulate)
                                {
                                    OutputTransform(products, tile, rowBias, relu);
                                    AddTile(s, tile, output + (long)(o0 + r) * s.OutputPlane, outImage, images, ty0 + row, tx0 + q0 + q);
                                }
                                else OutputTransformStaged(products, rowBias, relu,
                                    staging + (long)((stageRows ? o0 : 0) + r) * Lanes * Tile * rowFloats + (tx0 + q0 + q) * Tile, rowFloats);
                            }
                    }
                    if (!accumulate && !stageRows)
                        FlushStagedTiles(s, staging, rowFloats, rows, output + (long)o0 * s.OutputPlane, outImage, images, ty0 + row, tx0, count);
                }
                if (!accumulate && stageRows && segment == segments - 1)
                    FlushStagedTiles(s, staging, rowFloats, s.OutChannels, output, outImage, images, ty0 + row, 0, s.TilesX);
            }
    }
}
