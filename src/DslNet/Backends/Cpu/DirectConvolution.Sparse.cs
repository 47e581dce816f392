using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static DslNet.Backends.Cpu.SparseGradientKernels;

namespace DslNet.Backends.Cpu;

// The backward of the direct convolution when most of dz = dy ⊙ f'(y) is zero, as it is under a max
// pool: the pool's backward routes each window's gradient to one of its (2×2 → 4) inputs, and ReLU zeroes
// more, so LeNet's C1 and C3 see 16–21 % non-zeros. The dense passes (DirectConvolution.cs) spend a
// multiply-add on every (output position, tap) pair whatever dz holds; this pass touches only the
// positions where dz is not zero, each as a scatter/gather of the position's InChannels·kH tap rows:
//   dW[co, ci, a, ·] += dz[co, p] · (the input row segment under tap row (a, ci) of p)
//   dx[·] under tap row (a, ci) of p += Σ_co dz[co, p] · W[co, ci, a, ·]
// It runs on the whole batch when a sample of dz is sparse enough (PrefersSparse), so the choice depends
// on the data and not on the thread count.
internal static unsafe partial class DirectConvolution
{
    /// <summary>Samples whose dz the density estimate reads (see <see cref="PrefersSparse"/>).</summary>
    private const int DensitySamples = 8;

    /// <summary>
    /// Most tap rows a sparse register tile holds: 30 accumulators, the broadcast gradient and the lane
    /// mask fill AVX-512's 32 vector registers. One tile per position rather than two (C3's 30 rows as
    /// 15 + 15) halves the per-position work: C3's backward 0.55 → 0.48 ms (batch 64, one thread, load ~12).
    /// </summary>
    private const int MaxTapRows = 30;

    [ThreadStatic] private static float[]? t_rowFrame;
    [ThreadStatic] private static float[]? t_rowFrameGradient;
    [ThreadStatic] private static float[]? t_sampleGradient;
    [ThreadStatic] private static float[]? t_positionGradients;
    [ThreadStatic] private static float[]? t_tapRowSums;
    [ThreadStatic] private static float[]? t_tapRowWeights;
    [ThreadStatic] private static int[]? t_positionOffsets;
    [ThreadStatic] private static int[]? t_nonZeroPositions;
    [ThreadStatic] private static int[]? t_nonZeroCounts;

    /// <summary>
    /// dx += Wᵀ ⋆ dz, dW += dz ⋆ x and db += Σ dz for dz = dy ⊙ f'(y) (any of the three may be empty):
    /// the sparse pass when <see cref="PrefersSparse"/> says so, otherwise the dense weight-gradient and
    /// input-gradient passes.
    /// </summary>
    public static void Backward(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> y, ActivationKind activation, float alpha,
        Span<float> dx, Span<float> dWeight, Span<float> dBias, WorkerPool? pool)
    {
        if (batch == 0 || (dx.IsEmpty && dWeight.IsEmpty && dBias.IsEmpty)) return;
        if ((!dx.IsEmpty || !dWeight.IsEmpty) && PrefersSparse(g, batch, dy, y, activation, alpha))
        {
            BackwardSparse(g, batch, x, weight, dy, y, activation, alpha, dx, dWeight, dBias, pool);
            return;
        }
        BackwardWeight(g, batch, x, dy, y, activation, alpha, dWeight, dBias, pool);
        if (!dx.IsEmpty) BackwardInput(g, batch, weight, dy, y, activation, alpha, dx, pool);
    }

    /// <summary>
    /// True when the sparse pass is expected to be faster: the row-frame layout covers the geometry and
    /// the share d of non-zero dz in the first <see cref="DensitySamples"/> samples is at most
    /// 1.5·R·kW / (16·(R + 1)), R = InChannels·kH tap rows. A non-zero costs R 8-lane FMAs per pass
    /// plus about one row's worth of bookkeeping; the dense passes cost R·kW/16 16-lane FMAs per output
    /// and pass. Measured where the two meet (batch 64, one thread, load ~11): LeNet's C3 (R = 30,
    /// 5×5, both gradients) above 46 % non-zeros, a 1→32 3×3 layer (R = 3, weight gradient only) near
    /// 25 %; the rule puts the switch a little below both (44 % and 21 %). LeNet's C1 (R = 5) switches at 39 %.
    /// </summary>
    public static bool PrefersSparse(in Conv2DGeometry g, int batch, ReadOnlySpan<float> dy, ReadOnlySpan<float> y,
        ActivationKind activation, float alpha)
    {
        if (!RowFrame.Supports(g) || batch == 0) return false;
        int length = Math.Min(batch, DensitySamples) * g.OutputSize;
        // Where ReLU's output is 0, dz is 0 whatever dy holds.
        bool reluLike = activation == ActivationKind.ReLU || (activation == ActivationKind.LeakyReLU && alpha == 0f);
        long nonZero = 0;
        int i = 0;
        fixed (float* d = dy)
        fixed (float* o = y)
        {
            for (; i <= length - 16; i += 16)
            {
                var live = ~Vector512.Equals(Vector512.Load(d + i), Vector512<float>.Zero);
                if (reluLike) live &= Vector512.GreaterThan(Vector512.Load(o + i), Vector512<float>.Zero);
                nonZero += BitOperations.PopCount(live.ExtractMostSignificantBits());
            }
            for (; i < length; i++)
                if (d[i] != 0f && (!reluLike || o[i] > 0f)) nonZero++;
        }
        long tapRows = (long)g.InChannels * g.KernelHeight;
        return nonZero * 16 * (tapRows + 1) * 2 <= 3 * length * tapRows * g.KernelWidth;
    }

    /// <summary>
    /// The sparse pass (see the top of this file); samples split over the pool. Part 0 adds into dW and
    /// db, the other parts into zeroed partial sums added afterwards in part order; dx is formed sample
    /// by sample, so it does not depend on the split.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardSparse(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> y, ActivationKind activation, float alpha,
        Span<float> dx, Span<float> dWeight, Span<float> dBias, WorkerPool? pool)
    {
        if (batch == 0 || (dx.IsEmpty && dWeight.IsEmpty && dBias.IsEmpty)) return;
        if (!RowFrame.Supports(g)) throw new ArgumentException($"The sparse backward does not cover {g}.", nameof(g));
        var frame = new RowFrame(g);
        int positions = g.OutHeight * g.OutWidth, rows = frame.TapRows;
        int* offsets = Scratch(ref t_positionOffsets, positions);
        for (int oy = 0, p = 0; oy < g.OutHeight; oy++)
            for (int ox = 0; ox < g.OutWidth; ox++, p++)
                offsets[p] = frame.PositionOffset(oy, ox);

        // The input gradient's weights: [co][tap row r = a·InChannels + ci][8 kernel columns, zeros past kW].
        float* tapWeights = null;
        if (!dx.IsEmpty)
        {
            tapWeights = Scratch(ref t_tapRowWeights, g.OutChannels * rows * RowFrame.TapLanes);
            new Span<float>(tapWeights, g.OutChannels * rows * RowFrame.TapLanes).Clear();
            for (int co = 0; co < g.OutChannels; co++)
                for (int ci = 0; ci < g.InChannels; ci++)
                    for (int a = 0; a < g.KernelHeight; a++)
                        for (int b = 0; b < g.KernelWidth; b++)
                            tapWeights[(co * rows + a * g.InChannels + ci) * RowFrame.TapLanes + b] =
                                weight[((co * g.InChannels + ci) * g.KernelHeight + a) * g.KernelWidth + b];
        }

        long work = WorkPerSample(MacsPerSample(g));
        int parts = pool is null ? 1 : pool.PartsFor(batch, work);
        var sums = new PartSums(g, parts);

        fixed (float* xBase = x)
        fixed (float* dyBase = dy)
        fixed (float* yBase = y)
        fixed (float* dxBase = dx)
        fixed (float* dw = dWeight)
        fixed (float* db = dBias)
        {
            var job = new SparseBackwardJob
            {
                G = g, Frame = frame, X = xBase, Dy = dyBase, Y = yBase, Activation = activation, Alpha = alpha,
                Dx = dx.IsEmpty ? null : dxBase, Dw = dWeight.IsEmpty ? null : dw, Db = dBias.IsEmpty ? null : db,
                Sums = sums, PositionOffsets = offsets, TapWeights = tapWeights,
            };
            if (pool is null || parts == 1) job.Execute(0, batch, 0);
            else pool.For(batch, work, ref job);
            sums.AddInto(parts, dWeight, dBias);
        }
    }

    private struct SparseBackwardJob : IParallelJob
    {
        public Conv2DGeometry G;
        public RowFrame Frame;
        public float* X, Dy, Y, Dx, Dw, Db, TapWeights;
        public PartSums Sums;
        public int* PositionOffsets;
        public ActivationKind Activation;
        public float Alpha;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end, int part)
        {
            ref readonly var g = ref G;
            int positions = g.OutHeight * g.OutWidth, rows = Frame.TapRows, width = Frame.Width;
            bool fused = Activation != ActivationKind.Identity;
            // Tap rows go in tiles of at most MaxTapRows accumulators, split evenly.
            int tileRows = Tiles(rows, Tiles(rows, MaxTapRows));
            float* weightTarget = Sums.WeightTarget(Dw, part);
            float* biasTarget = Sums.BiasTarget(Db, part);

            // ReLU's dz is dy where y > 0: Compact reads both, and no dz is written.
            bool reluLike = Activation == ActivationKind.ReLU;
            float* dz = fused && !reluLike ? Scratch(ref t_sampleGradient, g.OutputSize) : null;
            float* frame = null, sums = null;
            int sumLength = g.OutChannels * rows * RowFrame.TapLanes;
            if (weightTarget != null)
            {
                frame = Scratch(ref t_rowFrame, Frame.Size + RowFrame.Slack);
                sums = Scratch(ref t_tapRowSums, sumLength);
                new Span<float>(sums, sumLength).Clear();
            }
            float* gradientFrame = null, byPosition = null;
            int channelBlocks = Tiles(g.OutChannels, 16), perPosition = channelBlocks * 16;
            if (Dx != null)
            {
                gradientFrame = Scratch(ref t_rowFrameGradient, Frame.Size + RowFrame.Slack);
                new Span<float>(gradientFrame, Frame.Size + RowFrame.Slack).Clear();
                byPosition = Scratch(ref t_positionGradients, positions * perPosition);
            }
            int listStride = positions + 16;
            int* indices = Scratch(ref t_nonZeroPositions, g.OutChannels * listStride);
            int* counts = Scratch(ref t_nonZeroCounts, g.OutChannels);
            var kernelLanes = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(g.KernelWidth)).AsSingle();

            for (int n = start; n < end; n++)
            {
                long first = (long)n * g.OutputSize;
                float* d = Dy + first, positive = reluLike ? Y + first : null;
                if (dz != null)
                {
                    FusedActivation.Gradient(Activation, Alpha, new ReadOnlySpan<float>(Y + first, g.OutputSize),
                        new ReadOnlySpan<float>(d, g.OutputSize), new Span<float>(dz, g.OutputSize));
                    d = dz;
                }
                // Where each channel's dz is not zero (indices ListStride apart), and its sum for db.
                // A non-finite dz makes its channel's sum non-finite (see InputGradientRows on masking).
                bool finite = true;
                for (int co = 0; co < g.OutChannels; co++)
                {
                    counts[co] = Compact(d + co * positions, positive == null ? null : positive + co * positions, positions,
                        indices + co * listStride, out float sum);
                    finite &= float.IsFinite(sum);
                    if (biasTarget != null) biasTarget[co] += sum;
                }

                if (weightTarget != null)
                {
                    Frame.Pack(g, X + (long)n * g.InputSize, frame);
                    for (int co = 0; co < g.OutChannels; co++)
                        for (int r0 = 0; r0 < rows; r0 += tileRows)
                            WeightGradientRows(Math.Min(tileRows, rows - r0), d + co * positions, indices + co * listStride, counts[co],
                                PositionOffsets, frame + r0 * width, width, sums + (co * rows + r0) * RowFrame.TapLanes);
                }

                if (Dx != null)
                {
                    // dz by position: [p][channel], zeros where dz is zero (and in the padding channels).
                    new Span<float>(byPosition, positions * perPosition).Clear();
                    for (int co = 0; co < g.OutChannels; co++)
                    {
                        float* plane = d + co * positions;
                        int* at = indices + co * listStride;
                        for (int k = 0; k < counts[co]; k++) byPosition[at[k] * perPosition + co] = plane[at[k]];
                    }
                    for (int r0 = 0; r0 < rows; r0 += tileRows)
                        InputGradientRows(Math.Min(tileRows, rows - r0), !finite, byPosition, channelBlocks, positions, PositionOffsets,
                            TapWeights + r0 * RowFrame.TapLanes, rows * RowFrame.TapLanes, gradientFrame + r0 * width, width, kernelLanes);
                    Frame.AddInto(g, gradientFrame, Dx + (long)n * g.InputSize);
                    new Span<float>(gradientFrame, Frame.Size + RowFrame.Slack).Clear();
                }
            }

            if (weightTarget == null) return;
            // Tap-row sums [co][a·InChannels + ci][b] into dW [co][ci][a][b].
            for (int co = 0; co < g.OutChannels; co++)
                for (int ci = 0; ci < g.InChannels; ci++)
                    for (int a = 0; a < g.KernelHeight; a++)
                    {
                        float* source = sums + (co * rows + a * g.InChannels + ci) * RowFrame.TapLanes;
                        float* target = weightTarget + ((co * g.InChannels + ci) * g.KernelHeight + a) * g.KernelWidth;
                        for (int b = 0; b < g.KernelWidth; b++) target[b] += source[b];
                    }
        }
    }
}
