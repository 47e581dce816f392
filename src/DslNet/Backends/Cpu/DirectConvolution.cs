using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static DslNet.Backends.Cpu.DirectConvolutionKernels;

namespace DslNet.Backends.Cpu;

/// <summary>
/// Stride-1 convolution computed directly from a zero-padded copy of the input (see
/// <see cref="ConvFrame"/>), without a column matrix: for the small channel counts of LeNet-style
/// networks, im2col + GEMM spends more time building and packing columns than multiplying, and its
/// matrices (6 or 16 rows) are too thin for a GEMM register tile. Here a tap of a run of 16 outputs
/// is one unaligned vector load, and a register tile covers up to 8 output channels × 48 outputs.
/// Forward and weight gradient read shifted planes (16 consecutive outputs of a plane per vector, across
/// rows); the input gradient reads a margin-padded frame of the output gradient, one row per vector.
/// Samples are processed in chunks whose frames fit in L2; a register tile's slots may span samples.
/// Requires AVX-512 (<see cref="Supports"/>); other machines keep the im2col path.
/// </summary>
internal static unsafe partial class DirectConvolution
{
    /// <summary>Floats of frames per chunk of samples (about 256 KiB, a part of L2).</summary>
    private const int ChunkFloats = 64 * 1024;

    /// <summary>Slots a weight-gradient chunk should hold (see <see cref="WeightGradientJob"/>).</summary>
    private const int MinGradientSlots = 128;

    /// <summary>True when this path handles <paramref name="g"/> on this machine.</summary>
    public static bool Supports(in Conv2DGeometry g) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated
        && g.StrideHeight == 1 && g.StrideWidth == 1
        && g.InChannels > 0 && g.OutChannels > 0 && g.OutHeight > 0 && g.OutWidth > 0
        && !(g.KernelHeight == 1 && g.KernelWidth == 1); // 1×1 is a plain GEMM, kept on the GEMM path

    // Scratch per thread, grown on demand and then reused (no allocation per call). Pinned, so the
    // kernels may hold raw pointers into it.
    [ThreadStatic] private static float[]? t_frames;
    [ThreadStatic] private static float[]? t_weights;
    [ThreadStatic] private static ConvSlot[]? t_slots;
    [ThreadStatic] private static int[]? t_offsets;
    [ThreadStatic] private static float[]? t_partials;
    [ThreadStatic] private static float[]? t_planes;
    [ThreadStatic] private static float[]? t_chunkGradient;

    private static T* Scratch<T>(ref T[]? buffer, int length) where T : unmanaged =>
        AlignedScratch.Get(ref buffer, length, "Direct convolution");

    private static int ChunkSamples(int floatsPerSample, int batch) =>
        Math.Clamp(ChunkFloats / Math.Max(1, floatsPerSample), 1, Math.Max(1, batch));

    private static int Vectors(int positions) => (positions + Lanes - 1) / Lanes;

    private static int Tiles(int count, int size) => (count + size - 1) / size;

    /// <summary>Work units (see <see cref="WorkerPool"/>) per sample of a pass doing <paramref name="macs"/> multiply-adds per sample.</summary>
    private static long WorkPerSample(long macs) => Math.Max(1, (long)(2 * macs / Gemm.FlopsPerWorkUnit));

    private static long MacsPerSample(in Conv2DGeometry g) =>
        (long)g.OutChannels * g.InChannels * g.KernelHeight * g.KernelWidth * g.OutHeight * g.OutWidth;

    // ---- forward ------------------------------------------------------------------------------

    /// <summary>
    /// y = f(W ⋆ x + b) (overwritten) for a fusable activation f; samples split over the pool. ReLU is
    /// applied in registers, the other activations to each chunk's outputs while they are in cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, Span<float> y, ActivationKind activation, float alpha, WorkerPool? pool)
    {
        if (batch == 0) return;
        var frame = new ConvFrame(g);
        int taps = g.KernelHeight * g.KernelWidth;
        float* packed = Scratch(ref t_weights, g.OutChannels * g.InChannels * taps);
        int* offsets = Scratch(ref t_offsets, taps);
        for (int a = 0, t = 0; a < g.KernelHeight; a++)
            for (int b = 0; b < g.KernelWidth; b++, t++)
                offsets[t] = frame.ShiftedTapOffset(g, a, b);
        PackRows(weight, g.OutChannels, g.InChannels, taps, transpose: false, packed);

        fixed (float* xBase = x)
        fixed (float* yBase = y)
        fixed (float* biasBase = bias)
        {
            var job = new ForwardJob
            {
                G = g, Batch = batch, Frame = frame, X = xBase, Y = yBase, Bias = bias.IsEmpty ? null : biasBase,
                Packed = packed, Offsets = offsets, Taps = taps, Activation = activation, Alpha = alpha,
            };
            if (pool is null) job.Execute(0, batch, 0);
            else pool.For(batch, WorkPerSample(MacsPerSample(g)), ref job);
        }
    }

    private struct ForwardJob : IParallelJob
    {
        public Conv2DGeometry G;
        /// <summary>
        /// The whole batch: chunks, and so every thread's scratch, are sized from it rather than from the
        /// part a thread runs, so a later step that hands a thread a larger part allocates nothing.
        /// </summary>
        public int Batch;
        public ConvFrame Frame;
        public float* X, Y, Bias, Packed;
        public int* Offsets;
        public int Taps;
        public ActivationKind Activation;
        public float Alpha;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end, int part)
        {
            ref readonly var g = ref G;
            int sampleFrames = g.InChannels * Frame.InputChannelStride;
            int chunk = ChunkSamples(sampleFrames, Batch);
            int outPlane = g.OutHeight * g.OutWidth;
            float* frames = Scratch(ref t_frames, chunk * sampleFrames + ConvFrame.Slack);
            ConvSlot* slots = Scratch(ref t_slots, chunk * Vectors(outPlane) + SlotsPerTile);
            bool relu = Activation == ActivationKind.ReLU;

            for (int n0 = start; n0 < end; n0 += chunk)
            {
                int samples = Math.Min(chunk, end - n0);
                int count = PackChunk(g, Frame, X, n0, samples, frames, sampleFrames, slots);
                count = PadSlots(slots, count);

                for (int s = 0; s < count; s += SlotsPerTile)
                {
                    for (int co = 0; co < g.OutChannels; co += MaxRows)
                    {
                        int rows = Math.Min(MaxRows, g.OutChannels - co);
                        Correlate(rows, frames, Frame.InputChannelStride, g.InChannels, Offsets, Taps,
                            Packed + co * g.InChannels * Taps, slots + s, Y + co * outPlane, outPlane,
                            Bias == null ? null : Bias + co, accumulate: false, relu);
                    }
                }
                if (!relu)
                    FusedActivation.Apply(Activation, Alpha, new Span<float>(Y + (long)n0 * g.OutputSize, samples * g.OutputSize));
            }
        }
    }

    // ---- input gradient -------------------------------------------------------------------------

    /// <summary>
    /// dx += Wᵀ ⋆ dy, the adjoint of <see cref="Forward"/> without bias; samples split over the pool.
    /// Forward reads shifted plane (ci, b) at output position p + a·dH·OutWidth, so the gradient of that
    /// plane at position q is Σ_co Σ_a W[co, ci, a, b] · dy[co, q − a·dH·OutWidth]: a correlation over
    /// (co, a) with the kW·InChannels planes as result rows, reading dy with zero rows above and below
    /// (and no zero columns, so a vector wastes only the border rows' lanes). The planes' gradients are
    /// then added into dx (<see cref="ConvFrame.AddShiftedGradients"/>). With a fusable activation f, dy
    /// is first multiplied by f'(y) (y the activated output, unread for Identity) as it is packed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardInput(in Conv2DGeometry g, int batch, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        ReadOnlySpan<float> y, ActivationKind activation, float alpha, Span<float> dx, WorkerPool? pool)
    {
        if (batch == 0) return;
        var frame = new ConvFrame(g);
        int rows = g.InChannels * g.KernelWidth;
        float* packed = Scratch(ref t_weights, g.OutChannels * rows * g.KernelHeight);
        int* offsets = Scratch(ref t_offsets, g.KernelHeight);
        for (int a = 0; a < g.KernelHeight; a++) offsets[a] = (frame.RowReach - a * g.DilationHeight) * g.OutWidth;
        PackPlaneWeights(g, weight, packed);

        fixed (float* dyBase = dy)
        fixed (float* yBase = y)
        fixed (float* dxBase = dx)
        {
            var job = new InputGradientJob
            {
                G = g, Batch = batch, Frame = frame, Dy = dyBase, Y = yBase, Activation = activation, Alpha = alpha, Dx = dxBase,
                Packed = packed, Offsets = offsets,
            };
            if (pool is null) job.Execute(0, batch, 0);
            else pool.For(batch, WorkPerSample(MacsPerSample(g)), ref job);
        }
    }

    /// <summary>
    /// Packs W[co, ci, a, b] for the input gradient: result row r = ci·kW + b, channel co, tap a, in
    /// tiles of up to <see cref="MaxRows"/> rows laid out [co][a][row] (as <see cref="PackRows"/>).
    /// </summary>
    private static void PackPlaneWeights(in Conv2DGeometry g, ReadOnlySpan<float> w, float* packed)
    {
        int rows = g.InChannels * g.KernelWidth, kh = g.KernelHeight, kw = g.KernelWidth;
        for (int r0 = 0; r0 < rows; r0 += MaxRows)
        {
            int tileRows = Math.Min(MaxRows, rows - r0);
            float* tile = packed + r0 * g.OutChannels * kh;
            for (int co = 0; co < g.OutChannels; co++)
                for (int a = 0; a < kh; a++)
                    for (int r = 0; r < tileRows; r++)
                    {
                        int ci = (r0 + r) / kw, b = (r0 + r) % kw;
                        tile[(co * kh + a) * tileRows + r] = w[((co * g.InChannels + ci) * kh + a) * kw + b];
                    }
        }
    }

    private struct InputGradientJob : IParallelJob
    {
        public Conv2DGeometry G;
        public int Batch; // chunks sized from the whole batch (see ForwardJob.Batch)
        public ConvFrame Frame;
        public float* Dy, Y, Dx, Packed;
        public ActivationKind Activation;
        public float Alpha;
        public int* Offsets;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end, int part)
        {
            ref readonly var g = ref G;
            int rows = g.InChannels * g.KernelWidth;
            int positions = Frame.Height * g.OutWidth;         // of one shifted plane
            int planeStride = Vectors(positions) * Lanes;      // gradient planes start on whole vectors
            int sampleFrames = g.OutChannels * Frame.GradientPlaneStride, samplePlanes = rows * planeStride;
            int chunk = ChunkSamples(sampleFrames + samplePlanes, Batch);
            float* frames = Scratch(ref t_frames, chunk * sampleFrames + ConvFrame.Slack);
            float* planes = Scratch(ref t_planes, chunk * samplePlanes);
            ConvSlot* slots = Scratch(ref t_slots, chunk * Vectors(positions) + SlotsPerTile);

            for (int n0 = start; n0 < end; n0 += chunk)
            {
                int samples = Math.Min(chunk, end - n0), count = 0;
                for (int i = 0; i < samples; i++)
                {
                    long first = (long)(n0 + i) * g.OutputSize;
                    Frame.PackGradient(g, new ReadOnlySpan<float>(Dy + first, g.OutputSize),
                        Activation == ActivationKind.Identity ? default : new ReadOnlySpan<float>(Y + first, g.OutputSize),
                        Activation, Alpha, new Span<float>(frames + i * sampleFrames, sampleFrames));
                    for (int q = 0; q < positions; q += Lanes)
                        slots[count++] = new ConvSlot { In = i * sampleFrames + q, Out = i * samplePlanes + q, Count = Math.Min(Lanes, positions - q) };
                }
                count = PadSlots(slots, count);

                for (int s = 0; s < count; s += SlotsPerTile)
                {
                    for (int r0 = 0; r0 < rows; r0 += MaxRows)
                    {
                        int tileRows = Math.Min(MaxRows, rows - r0);
                        Correlate(tileRows, frames, Frame.GradientPlaneStride, g.OutChannels, Offsets, g.KernelHeight,
                            Packed + r0 * g.OutChannels * g.KernelHeight, slots + s, planes + r0 * planeStride, planeStride,
                            null, accumulate: false, relu: false);
                    }
                }
                for (int i = 0; i < samples; i++)
                    Frame.AddShiftedGradients(g, planes + i * samplePlanes, planeStride, Dx + (long)(n0 + i) * g.InputSize);
            }
        }
    }

    // ---- weight gradient ------------------------------------------------------------------------

    /// <summary>
    /// The parameter gradients, from dz = dy ⊙ f'(y) for a fusable activation f (y the activated output;
    /// unread for Identity): dW[co, ci, a, b] += Σ_n Σ_(oy,ox) dz[n, co, oy, ox] · x[n, ci, oy + a·dH − padTop, ox + b·dW − padLeft]
    /// and db[co] += Σ_n Σ_(oy,ox) dz[n, co, oy, ox]; either may be empty. dz is formed per chunk of
    /// samples, in cache, and never written out whole. Samples split over the pool: part 0 adds into
    /// dW and db, the others into zeroed partial sums that are added afterwards, in part order (so the
    /// result does not depend on timing).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardWeight(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        ReadOnlySpan<float> y, ActivationKind activation, float alpha, Span<float> dWeight, Span<float> dBias, WorkerPool? pool)
    {
        if (batch == 0 || (dWeight.IsEmpty && dBias.IsEmpty)) return;
        var frame = new ConvFrame(g);
        int taps = g.KernelHeight * g.KernelWidth;
        int k = g.InChannels * taps;
        int* offsets = Scratch(ref t_offsets, k);
        // Column k = (ci, a, b) of the weight matrix reads the frame at ci·planeStride + tap offset.
        for (int ci = 0, col = 0; ci < g.InChannels; ci++)
            for (int a = 0; a < g.KernelHeight; a++)
                for (int b = 0; b < g.KernelWidth; b++, col++)
                    offsets[col] = ci * frame.InputChannelStride + frame.ShiftedTapOffset(g, a, b);

        int parts = pool is null ? 1 : pool.PartsFor(batch, WorkPerSample(MacsPerSample(g)));
        var sums = new PartSums(g, parts);

        fixed (float* xBase = x)
        fixed (float* dyBase = dy)
        fixed (float* yBase = y)
        fixed (float* dw = dWeight)
        fixed (float* db = dBias)
        {
            var job = new WeightGradientJob
            {
                G = g, Batch = batch, Frame = frame, X = xBase, Dy = dyBase, Y = yBase, Activation = activation, Alpha = alpha,
                Dw = dWeight.IsEmpty ? null : dw, Db = dBias.IsEmpty ? null : db,
                Sums = sums, Offsets = offsets, K = k,
            };
            if (pool is null || parts == 1) job.Execute(0, batch, 0);
            else pool.For(batch, WorkPerSample(MacsPerSample(g)), ref job);
            sums.AddInto(parts, dWeight, dBias);
        }
    }

    private struct WeightGradientJob : IParallelJob
    {
        public Conv2DGeometry G;
        public int Batch; // chunks sized from the whole batch (see ForwardJob.Batch)
        public ConvFrame Frame;
        public float* X, Dy, Y, Dw, Db;
        public PartSums Sums;
        public ActivationKind Activation;
        public float Alpha;
        public int* Offsets;
        public int K;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end, int part)
        {
            ref readonly var g = ref G;
            int sampleFrames = g.InChannels * Frame.InputChannelStride;
            bool fused = Activation != ActivationKind.Identity;
            int outPlane = g.OutHeight * g.OutWidth;
            // Every tile ends with 24 horizontal sums, so a chunk should hold enough slots to amortise
            // them (LeNet's C3 has only 7 per sample), as long as its frames stay well inside L2.
            int perSample = sampleFrames + (fused ? g.OutputSize : 0);
            int chunk = Math.Max(ChunkFloats / perSample, MinGradientSlots / Vectors(outPlane));
            chunk = Math.Clamp(Math.Min(chunk, 2 * ChunkFloats / perSample), 1, Math.Max(1, Batch));
            float* frames = Scratch(ref t_frames, chunk * sampleFrames + ConvFrame.Slack);
            ConvSlot* slots = Scratch(ref t_slots, chunk * Vectors(outPlane));
            float* dz = fused ? Scratch(ref t_chunkGradient, chunk * g.OutputSize) : null;
            float* weightTarget = Sums.WeightTarget(Dw, part);
            float* biasTarget = Sums.BiasTarget(Db, part);

            // The tile shape that computes fewer duplicated edge rows and columns (4 × 6, or 6 × 4 when
            // the output channels come in sixes, as LeNet's first layer).
            bool tall = Tiles(g.OutChannels, TallGradientRows) * Tiles(K, TallGradientColumns) * TallGradientRows * TallGradientColumns
                < Tiles(g.OutChannels, GradientRows) * Tiles(K, GradientColumns) * GradientRows * GradientColumns;
            int tileHeight = tall ? TallGradientRows : GradientRows, tileWidth = tall ? TallGradientColumns : GradientColumns;
            int* rowOffsets = stackalloc int[TallGradientRows];
            int* columnOffsets = stackalloc int[GradientColumns];
            float* sums = stackalloc float[GradientRows * GradientColumns];

            for (int n0 = start; n0 < end; n0 += chunk)
            {
                int samples = Math.Min(chunk, end - n0);
                long first = (long)n0 * g.OutputSize;
                // The chunk's dz, addressed like dy (slots hold offsets from the start of the batch).
                float* d = Dy;
                if (fused)
                {
                    int length = samples * g.OutputSize;
                    FusedActivation.Gradient(Activation, Alpha, new ReadOnlySpan<float>(Y + first, length),
                        new ReadOnlySpan<float>(Dy + first, length), new Span<float>(dz, length));
                    d = dz - first;
                }
                if (biasTarget != null)
                    for (int i = 0; i < samples; i++)
                        for (int co = 0; co < g.OutChannels; co++)
                            biasTarget[co] += TensorPrimitives.Sum(new ReadOnlySpan<float>(d + first + (long)i * g.OutputSize + co * outPlane, outPlane));
                if (weightTarget == null) continue;

                int count = PackChunk(g, Frame, X, n0, samples, frames, sampleFrames, slots);
                // Edge tiles repeat their last row/column (computed twice, written once).
                for (int co = 0; co < g.OutChannels; co += tileHeight)
                {
                    int tileRows = Math.Min(tileHeight, g.OutChannels - co);
                    for (int r = 0; r < tileHeight; r++) rowOffsets[r] = (co + Math.Min(r, tileRows - 1)) * outPlane;
                    for (int c0 = 0; c0 < K; c0 += tileWidth)
                    {
                        int tileColumns = Math.Min(tileWidth, K - c0);
                        for (int c = 0; c < tileWidth; c++) columnOffsets[c] = Offsets[c0 + Math.Min(c, tileColumns - 1)];
                        if (tall) TallWeightGradientTile(d, rowOffsets, frames, columnOffsets, slots, count, sums);
                        else WeightGradientTile(d, rowOffsets, frames, columnOffsets, slots, count, sums);
                        for (int r = 0; r < tileRows; r++)
                        {
                            float* row = weightTarget + (co + r) * K + c0;
                            for (int c = 0; c < tileColumns; c++) row[c] += sums[r * tileWidth + c];
                        }
                    }
                }
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /// <summary>
    /// Packs W as tiles of up to <see cref="MaxRows"/> result rows, each [channel][tap][row], tile i at
    /// offset (first row of the tile)·channels·taps. Result row r / channel c read W[r, c, t] from the
    /// [rows, channels, taps] layout, or W[c, r, t] from [channels, rows, taps] when transposed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRows(ReadOnlySpan<float> w, int rows, int channels, int taps, bool transpose, float* packed)
    {
        int perRow = channels * taps;
        fixed (float* source = w)
        {
            for (int r0 = 0; r0 < rows; r0 += MaxRows)
            {
                int tileRows = Math.Min(MaxRows, rows - r0);
                float* tile = packed + r0 * perRow;
                for (int r = 0; r < tileRows; r++)
                {
                    if (!transpose)
                    {
                        // Row r0 + r is contiguous in W: [channel][tap].
                        float* row = source + (r0 + r) * perRow;
                        for (int j = 0; j < perRow; j++) tile[j * tileRows + r] = row[j];
                    }
                    else
                    {
                        // W is [channels, rows, taps]: row r0 + r of channel c starts at (c·rows + r0 + r)·taps.
                        for (int c = 0; c < channels; c++)
                        {
                            float* run = source + (c * rows + r0 + r) * taps;
                            float* target = tile + c * taps * tileRows + r;
                            for (int t = 0; t < taps; t++) target[t * tileRows] = run[t];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs samples [n0, n0 + samples) of <paramref name="x"/> into shifted planes and lists one slot per
    /// 16 consecutive positions of an output plane (frame offset, output offset, live lanes); returns
    /// the slot count. Forward and weight gradient walk the same slots.
    /// </summary>
    private static int PackChunk(in Conv2DGeometry g, in ConvFrame frame, float* x, int n0, int samples,
        float* frames, int sampleFrames, ConvSlot* slots)
    {
        for (int i = 0; i < samples; i++)
            frame.PackShifted(g, new ReadOnlySpan<float>(x + (long)(n0 + i) * g.InputSize, g.InputSize),
                new Span<float>(frames + i * sampleFrames, sampleFrames));

        int count = 0, outPlane = g.OutHeight * g.OutWidth;
        for (int i = 0; i < samples; i++)
            for (int p = 0; p < outPlane; p += Lanes)
                slots[count++] = new ConvSlot
                {
                    In = i * sampleFrames + p,
                    Out = (n0 + i) * g.OutputSize + p,
                    Count = Math.Min(Lanes, outPlane - p),
                };
        return count;
    }

    /// <summary>Fills the last register tile with empty slots (Count 0: computed, never stored).</summary>
    private static int PadSlots(ConvSlot* slots, int count)
    {
        while (count % SlotsPerTile != 0) slots[count++] = new ConvSlot { In = 0, Out = 0, Count = 0 };
        return count;
    }
}
