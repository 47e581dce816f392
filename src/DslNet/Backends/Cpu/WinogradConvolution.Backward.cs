using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

// The backward pass: dz = dy ⊙ f'(y) is packed once per group and band, into the input frames of the
// input-gradient correlation (dx += Wᵀ ⋆ dz, padding 2 − p); the weight gradient's transform
// Z = A dZ Aᵀ reads its tiles from the same frames. Packing gathers 16 samples' rows, far apart in
// memory, and was the largest cost of the step while the two gradients packed dz separately (measured
// on W3's conv2, 1 thread: 19–22 ms of the input gradient's ~40 and 13 ms of the weight gradient's ~35).
// When dx's and dz's tile grids are the same (a size-preserving layer, as W3's conv2), the dz tile of the
// weight gradient lies inside the correlation's input tile with the same index, and one transform forms
// both from one load of the taps (InputAndGradientTransform): the frames (4.3 MB per group on W3's conv2,
// beyond L2) are read once, not twice. Measured on W3's conv2 backward (same-process A/B against the
// separate transforms, calls alternated; machine shared, load 4–6): thread CPU time of the transforms of
// dz 10.1 → 8.5 ms at 1 thread and 12.9 → 11.5 ms (both threads) at 2; whole pass, 1 thread, median of
// 120 calls 37.9 → 37.3 ms; at 2 threads the load of the machine swamped the difference.
internal static unsafe partial class WinogradConvolution
{
    /// <summary>
    /// Floats of dz frames one backward band may hold (4 MiB: W3's conv2 is one band, its whole 28×28
    /// image of 64 channels). Whole-image frames let the packing read each sample's planes in order, one
    /// sequential stream per sample; the frames are then read from L3, once (one transform for both gradients)
    /// or twice (dx's and dz's grids differ).
    /// </summary>
    private const int GradientFrameBudgetFloats = 1 << 20;

    /// <summary>
    /// The whole backward pass of a layer with a fused activation f (Identity for none), from the
    /// gradient dy of its output y = f(z): dz = dy ⊙ f'(y) is formed while dz is packed (in the parallel
    /// jobs, never as a batch-sized pass); then db += Σ dz, dW += the weight gradient and dx += the input
    /// gradient (dx = it with <paramref name="overwriteDx"/>: its tiles are staged and written as the
    /// forward writes y), each only when its view is not empty.
    /// </summary>
    public static void Backward(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> y, ActivationKind activation, float alpha,
        Span<float> dx, Span<float> dWeight, Span<float> dBias, WorkerPool? pool, bool overwriteDx = false)
    {
        if (batch == 0) return;
        fixed (float* dys = dy)
        fixed (float* ys = y)
        {
            var gradient = activation == ActivationKind.Identity ? default : new ActivationGradient(ys - dys, activation, alpha);
            if (dx.IsEmpty && dWeight.IsEmpty)
            {
                if (!dBias.IsEmpty) BiasGradient(g, batch, dys, gradient, dBias);
                return;
            }
            RunBackward(g, batch, x, weight, dys, gradient, dx, dWeight, dBias, pool, overwriteDx);
        }
    }

    /// <summary>dx += Wᵀ ⋆ dy, the adjoint of <see cref="Forward"/> without bias or activation.</summary>
    public static void BackwardInput(in Conv2DGeometry g, int batch, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dx, WorkerPool? pool)
    {
        if (batch == 0) return;
        fixed (float* dys = dy) RunBackward(g, batch, ReadOnlySpan<float>.Empty, weight, dys, default, dx, Span<float>.Empty, Span<float>.Empty, pool);
    }

    /// <summary>
    /// dW[co, ci, a, b] += Σ_n Σ_(oy,ox) dy[n, co, oy, ox] · x[n, ci, oy + a − padTop, ox + b − padLeft], in
    /// the Winograd domain (see the class summary).
    /// </summary>
    public static void BackwardWeight(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dWeight, WorkerPool? pool)
    {
        if (batch == 0) return;
        fixed (float* dys = dy) RunBackward(g, batch, x, ReadOnlySpan<float>.Empty, dys, default, Span<float>.Empty, dWeight, Span<float>.Empty, pool);
    }

    /// <summary>db += Σ dz without a weight or input gradient (a frozen kernel): plain vector sums per channel.</summary>
    private static void BiasGradient(in Conv2DGeometry g, int batch, float* dys, in ActivationGradient gradient, Span<float> dBias)
    {
        int plane = g.OutHeight * g.OutWidth;
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < g.OutChannels; c++)
            {
                float* p = dys + ((long)n * g.OutChannels + c) * plane;
                var sum = Vector512<float>.Zero;
                for (int i = 0; i < plane; i += Lanes)
                {
                    var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(plane - i)).AsSingle();
                    var value = Avx512F.MaskLoad(p + i, mask, Vector512<float>.Zero);
                    if (gradient.Active) value = gradient.Apply(value, Avx512F.MaskLoad(p + i + gradient.Offset, mask, Vector512<float>.Zero));
                    sum += value;
                }
                dBias[c] += Vector512.Sum(sum);
            }
    }

    /// <summary>
    /// dx += Wᵀ ⋆ dz (when <paramref name="dx"/> is not empty), dW += the weight gradient of dz (when
    /// <paramref name="dWeight"/> is not empty) and db += Σ dz (when <paramref name="dBias"/> is not empty),
    /// from one packing of dz. The groups are cut into a fixed number of shares (a function of the batch
    /// only), each summing its groups in order into its own dU and bias partial; the shares run in parallel
    /// and are added in order afterwards, so the result is the same for any thread count (dx: every group
    /// writes its own samples), with one hand-off per call.
    /// </summary>
    private static void RunBackward(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float* dys,
        in ActivationGradient gradient, Span<float> dx, Span<float> dWeight, Span<float> dBias, WorkerPool? pool, bool overwriteDx = false)
    {
        bool inputGradient = !dx.IsEmpty, weightGradient = !dWeight.IsEmpty;
        // The weight gradient's grid is dz's tiles; per band tile row it holds the transformed input and
        // gradient of every channel, 36 points × 16 lanes per tile.
        int tilesY = (g.OutHeight + Tile - 1) / Tile, tilesX = (g.OutWidth + Tile - 1) / Tile;
        var weights = new WinogradShape(g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth, g.PadTop, g.PadLeft,
            WeightGradientBudgetFloats, Points * tilesX * Lanes, g.InChannels + g.OutChannels);
        // dz as the input of the input-gradient correlation; its frames also hold every tile of dz's grid.
        int phaseColumns = Math.Max((g.InWidth + Tile - 1) / Tile, tilesX) + 1;
        var frame = new WinogradShape(g.OutChannels, g.OutHeight, g.OutWidth, g.InChannels, g.InHeight, g.InWidth, 2 - g.PadTop, 2 - g.PadLeft,
            GradientFrameBudgetFloats, Phases * phaseColumns * Lanes, g.OutChannels, coveredTileRows: tilesY, coveredTileColumns: tilesX);

        int groups = Groups(batch);
        int shares = Math.Min(groups, WeightGradientShares);
        long uFloats = (long)Points * g.OutChannels * g.InChannels;
        float* partials = weightGradient ? Scratch(ref t_partials, shares * uFloats) : null;
        float* biasPartials = dBias.IsEmpty ? null : Scratch(ref t_biasSums, (long)shares * g.OutChannels);
        if (biasPartials != null) new Span<float>(biasPartials, shares * g.OutChannels).Clear();
        float* flipped = null;
        if (inputGradient)
        {
            flipped = Scratch(ref t_kernel, uFloats);
            PackKernel(weight, g.InChannels, g.OutChannels, flip: true, flipped);
        }

        fixed (float* xs = x)
        fixed (float* dxs = dx)
        {
            int claimed = 0;
            var job = new BackwardJob
            {
                Frame = frame, Weights = weights, Batch = batch, Groups = groups, Shares = shares, Claims = new ItemClaims(&claimed, shares),
                X = xs, Dy = dys, Dx = inputGradient ? dxs : null, OverwriteDx = overwriteDx, Kernel = flipped, Gradient = gradient,
                FuseTransforms = inputGradient && weightGradient && frame.TilesY == weights.TilesY && frame.TilesX == weights.TilesX,
                Partials = partials, BiasPartials = biasPartials,
            };
            long workPerShare = Math.Max(1, WorkPerGroup(weights) * ((inputGradient ? 1 : 0) + (weightGradient ? 1 : 0)) * groups / shares);
            if (pool is null) job.Execute(0, shares, 0);
            else pool.For(shares, workPerShare, ref job);
        }

        if (biasPartials != null)
            for (int share = 0; share < shares; share++)
                for (int c = 0; c < g.OutChannels; c++) dBias[c] += biasPartials[share * g.OutChannels + c];
        if (!weightGradient) return;
        float* du = partials;
        for (int share = 1; share < shares; share++)
        {
            var sum = new Span<float>(du, (int)uFloats);
            System.Numerics.Tensors.TensorPrimitives.Add(sum, new ReadOnlySpan<float>(partials + share * uFloats, (int)uFloats), sum);
        }
        // dW += Gᵀ dU G per kernel, 8 kernels (consecutive in dU's rows) at a time.
        Vector512<double>* point = stackalloc Vector512<double>[Points];
        Vector512<double>* taps = stackalloc Vector512<double>[9];
        float* values = stackalloc float[KernelLanes];
        long pointStride = (long)g.OutChannels * g.InChannels;
        int kernels = g.OutChannels * g.InChannels;
        fixed (float* dws = dWeight)
            for (int k0 = 0; k0 < kernels; k0 += KernelLanes)
            {
                int count = Math.Min(KernelLanes, kernels - k0);
                var mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();
                for (int p = 0; p < Points; p++) point[p] = Avx512F.ConvertToVector512Double(Avx.MaskLoad(du + p * pointStride + k0, mask));
                KernelGradientTransform(point, taps);
                for (int t = 0; t < 9; t++)
                {
                    Vector256.Store(Avx512F.ConvertToVector256Single(taps[t]), values);
                    for (int j = 0; j < count; j++) dws[(long)(k0 + j) * 9 + t] += values[j];
                }
            }
    }

    /// <summary>
    /// The shares of the backward pass, as claimed (see <see cref="ItemClaims"/>): share i runs groups [i·Groups/Shares, (i+1)·Groups/Shares)
    /// in order, band by band: every output channel's dz frame (and its bias sum), then the band's input
    /// gradient, then its weight gradient (into the share's dU partial), in sub-bands of
    /// <see cref="Weights"/>.BandRows tile rows; with <see cref="FuseTransforms"/>, sub-band by sub-band:
    /// its input gradient (whose transforms also write Z), then its weight gradient.
    /// </summary>
    private struct BackwardJob : IParallelJob
    {
        /// <summary>dz as the input of the input-gradient correlation; its bands are the bands of the pass.</summary>
        public WinogradShape Frame;
        /// <summary>The forward correlation, for the weight gradient's tiles and sub-bands.</summary>
        public WinogradShape Weights;
        public int Batch, Groups, Shares;
        /// <summary>The shares, claimed one at a time by the parts of the loop (see <see cref="ItemClaims"/>).</summary>
        public ItemClaims Claims;
        public float* X, Dy, Dx, Kernel, Partials, BiasPartials;
        /// <summary>Write dx's tiles (staged, as the forward writes y) instead of adding them.</summary>
        public bool OverwriteDx;
        /// <summary>Both gradients, on the same tile grid: the correlation's transforms of dz also form the weight gradient's Z.</summary>
        public bool FuseTransforms;
        public ActivationGradient Gradient;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end, int part)
        {
            ref readonly var f = ref Frame;
            ref readonly var w = ref Weights;
            int frameFloats = f.InputFrameFloats;
            float* frames = Scratch(ref t_gradientFrames, (long)f.InChannels * frameFloats);
            int* columns = Scratch(ref t_columns, Tile * Math.Max(f.PhaseColumns, w.PhaseColumns));
            float* staging = Scratch(ref t_staging, StagingFloats(f));
            var correlation = Dx != null ? CorrelationScratch.Get(f, staged: OverwriteDx) : default;
            var weightScratch = Partials != null ? WeightGradientScratch.Get(w, f) : default;
            long uFloats = (long)Points * w.OutChannels * w.InChannels;
            int dzImage = f.InChannels * f.InputPlane, dxImage = f.OutChannels * f.OutputPlane;

            for (int share; (share = Claims.Next()) >= 0;)
            {
                bool first = true;
                float* biasSums = BiasPartials == null ? null : BiasPartials + (long)share * f.InChannels;
                float* du = Partials == null ? null : Partials + share * uFloats;
                for (int group = WorkerPool.PartStart(Groups, Shares, share); group < WorkerPool.PartStart(Groups, Shares, share + 1); group++)
                {
                    int n0 = group * Lanes, images = Math.Min(Lanes, Batch - n0);
                    for (int ty0 = 0; ty0 < f.CoveredTileRows; ty0 += f.BandRows)
                    {
                        int bandRows = Math.Min(f.BandRows, f.CoveredTileRows - ty0);
                        // The bias sums take each row of dz once: a band's own frame rows, the last band's all the rest.
                        int sumRowsEnd = ty0 + bandRows < f.CoveredTileRows ? (ty0 + bandRows) * Tile : int.MaxValue;
                        for (int c = 0; c < f.InChannels; c++)
                        {
                            var sum = Vector512<float>.Zero;
                            PackInputFrame(f, Dy + (long)n0 * dzImage + (long)c * f.InputPlane, dzImage, images, ty0, bandRows,
                                frames + (long)c * frameFloats, columns, Gradient, everyInputValue: true, prefetchAhead: f.InputPlane, staging,
                                biasSums == null ? null : &sum, sumRowsEnd);
                            if (biasSums != null) biasSums[c] += Vector512.Sum(sum);
                        }
                        if (du == null)
                        {
                            if (Dx != null && ty0 < f.TilesY)
                                CorrelateBand(f, frames, Kernel, null, Dx + (long)n0 * dxImage, images, ty0, Math.Min(bandRows, f.TilesY - ty0),
                                    relu: false, accumulate: !OverwriteDx, correlation, prefetch: true);
                            continue;
                        }
                        if (FuseTransforms)
                        {
                            // dx's and dz's grids are the same: per sub-band, the correlation's transforms of dz also
                            // write Z, then the weight gradient multiplies it.
                            for (int t0 = ty0; t0 < ty0 + bandRows; t0 += w.BandRows)
                            {
                                int rows = Math.Min(w.BandRows, ty0 + bandRows - t0);
                                CorrelateBand(f, frames + f.InputTileOffset(t0 - ty0, 0), Kernel, null, Dx + (long)n0 * dxImage, images, t0, rows,
                                    relu: false, accumulate: !OverwriteDx, correlation, prefetch: true, new GradientTileSink(w, f, weightScratch, rows));
                                WeightGradientBand(w, f, X + (long)n0 * w.InChannels * w.InputPlane, images, frames, ty0, t0, rows, columns,
                                    weightScratch, du, accumulate: !first, gradientsTransformed: true);
                                first = false;
                            }
                            continue;
                        }
                        if (Dx != null && ty0 < f.TilesY)
                            CorrelateBand(f, frames, Kernel, null, Dx + (long)n0 * dxImage, images, ty0, Math.Min(bandRows, f.TilesY - ty0),
                                relu: false, accumulate: !OverwriteDx, correlation, prefetch: true);
                        int last = Math.Min(ty0 + bandRows, w.TilesY);
                        for (int t0 = ty0; t0 < last; t0 += w.BandRows)
                        {
                            WeightGradientBand(w, f, X + (long)n0 * w.InChannels * w.InputPlane, images, frames, ty0, t0,
                                Math.Min(w.BandRows, last - t0), columns, weightScratch, du, accumulate: !first);
                            first = false;
                        }
                    }
                }
            }
        }
    }
}
