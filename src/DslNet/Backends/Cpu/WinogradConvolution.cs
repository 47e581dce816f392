using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
/// the tile count (run by <see cref="Gemm"/>), then dW += Gᵀ dU G; db += Σ dz on the way.</item>
/// </list>
/// dz = dy ⊙ f'(y) is formed while dy is packed (<see cref="ActivationGradient"/>), inside the parallel
/// jobs.
/// Layout: the vector lanes are 16 samples (a group). A channel of a group's input is copied into 16
/// phase planes by (row mod 4, column mod 4) (see <see cref="PackInputFrame"/>), so that every tap of a
/// tile is one contiguous vector load and the transforms are pure vector arithmetic; a batch that is not
/// a multiple of 16 computes empty lanes in its last group. Groups split over the worker pool (forward and
/// input gradient write disjoint samples); the weight gradient cuts the groups into a fixed number of
/// shares with a partial sum each, added in order, so every result is the same whatever the thread count. Scratch is per thread and reused: after the first call of a shape nothing
/// is allocated.
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
    /// <summary>Tile positions per register tile of <see cref="MultiplyPoint{TR}"/>.</summary>
    private const int ChunkPositions = 3;
    private const int ChunkPositionStride = Points * Lanes;
    private const int ChunkRowStride = ChunkPositions * ChunkPositionStride;

    /// <summary>
    /// Floats of input frames a part packs for one band of tile rows (256 KiB, W3's conv2: one tile row,
    /// 512 KiB with the overlap row): packed frames are transformed while they are still in L2. Measured:
    /// whole-image frames (2–4 MiB) left the input transform waiting on L3 for most of its time.
    /// </summary>
    private const int FrameBudgetFloats = 1 << 16;

    /// <summary>
    /// Floats of transformed input and gradient one weight-gradient band may hold (1 MiB; at least one
    /// tile row: 1.5 MiB for W3's conv2). Measured: whole-image bands (11 MiB) made the transforms and the
    /// GEMM's packing stream V and Z through memory.
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

    private static T* Scratch<T>(ref T[]? buffer, long length) where T : unmanaged =>
        AlignedScratch.Get(ref buffer, length, "Winograd convolution");

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
            Correlate(s, batch, xs, packed, bias.IsEmpty ? null : bs, ys, activation, alpha, accumulate: false, default, pool);
    }

    /// <summary>
    /// The whole backward pass of a layer with a fused activation f (Identity for none), from the
    /// gradient dy of its output y = f(z): dz = dy ⊙ f'(y) is formed while dy is packed (in the parallel
    /// jobs, never as a batch-sized pass); then db += Σ dz, dW += the weight gradient and dx += the input
    /// gradient, each only when its view is not empty.
    /// </summary>
    public static void Backward(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> y, ActivationKind activation, float alpha,
        Span<float> dx, Span<float> dWeight, Span<float> dBias, WorkerPool? pool)
    {
        if (batch == 0) return;
        fixed (float* dys = dy)
        fixed (float* ys = y)
        {
            var gradient = activation == ActivationKind.Identity ? default : new ActivationGradient(ys - dys, activation, alpha);
            if (!dWeight.IsEmpty) WeightGradient(g, batch, x, dys, gradient, dWeight, dBias, pool);
            else if (!dBias.IsEmpty) BiasGradient(g, batch, dys, gradient, dBias);
            if (!dx.IsEmpty) InputGradient(g, batch, weight, dys, gradient, dx, pool);
        }
    }

    /// <summary>dx += Wᵀ ⋆ dy, the adjoint of <see cref="Forward"/> without bias or activation.</summary>
    public static void BackwardInput(in Conv2DGeometry g, int batch, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dx, WorkerPool? pool)
    {
        if (batch == 0) return;
        fixed (float* dys = dy) InputGradient(g, batch, weight, dys, default, dx, pool);
    }

    /// <summary>dx += Wᵀ ⋆ dz: a correlation of dz with the flipped, transposed kernel and padding 2 − p.</summary>
    private static void InputGradient(in Conv2DGeometry g, int batch, ReadOnlySpan<float> weight, float* dys,
        in ActivationGradient gradient, Span<float> dx, WorkerPool? pool)
    {
        var s = CorrelationShape(g.OutChannels, g.OutHeight, g.OutWidth, g.InChannels, g.InHeight, g.InWidth, 2 - g.PadTop, 2 - g.PadLeft);
        float* packed = Scratch(ref t_kernel, (long)Points * g.OutChannels * g.InChannels);
        PackKernel(weight, g.InChannels, g.OutChannels, flip: true, packed);
        fixed (float* dxs = dx)
            Correlate(s, batch, dys, packed, null, dxs, ActivationKind.Identity, 0f, accumulate: true, gradient, pool);
    }

    /// <summary>db += Σ dz without a weight gradient (a frozen kernel): plain vector sums per channel.</summary>
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
        Span<double> g = stackalloc double[9];
        Span<double> u = stackalloc double[Points];
        long pointStride = (long)rows * channels;
        for (int o = 0; o < rows; o++)
        {
            int block = o / RowsPerTile * RowsPerTile;
            int blockRows = Math.Min(RowsPerTile, rows - block);
            for (int i = 0; i < channels; i++)
            {
                if (!flip) for (int t = 0; t < 9; t++) g[t] = w[(o * channels + i) * 9 + t];
                else for (int t = 0; t < 9; t++) g[t] = w[(i * rows + o) * 9 + 8 - t];
                KernelTransform(g, u);
                float* target = packed + (long)block * channels + i * blockRows + (o - block);
                for (int p = 0; p < Points; p++) target[p * pointStride] = (float)u[p];
            }
        }
    }

    private static void Correlate(in WinogradShape s, int batch, float* input, float* packed, float* bias, float* output,
        ActivationKind activation, float alpha, bool accumulate, in ActivationGradient inputGradient, WorkerPool? pool)
    {
        var job = new CorrelationJob
        {
            S = s, Batch = batch, Input = input, Packed = packed, Bias = bias, Output = output,
            Activation = activation, ActivationAlpha = alpha, Accumulate = accumulate, InputGradient = inputGradient,
        };
        int groups = Groups(batch);
        if (pool is null) job.Execute(0, groups, 0);
        else pool.For(groups, WorkPerGroup(s), ref job);
    }

    private struct CorrelationJob : IParallelJob
    {
        public WinogradShape S;
        public int Batch;
        public float* Input, Packed, Bias, Output;
        public ActivationKind Activation;
        public float ActivationAlpha;
        public bool Accumulate;
        /// <summary>For the input gradient: the fused activation whose gradient turns dy into dz while packing.</summary>
        public ActivationGradient InputGradient;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end, int part)
        {
            ref readonly var s = ref S;
            int frameFloats = s.InputFrameFloats;
            float* frames = Scratch(ref t_frames, (long)s.InChannels * frameFloats);
            float* v = Scratch(ref t_transformed, (long)Points * s.InChannels * ChunkPositions * Lanes);
            float* m = Scratch(ref t_products, (long)RowsPerTile * ChunkRowStride);
            float* tile = Scratch(ref t_points, Phases * Lanes);
            int* columns = Scratch(ref t_columns, Tile * (s.TilesX + 1));
            int* taps = stackalloc int[Points];
            for (int i = 0; i < Alpha; i++)
                for (int k = 0; k < Alpha; k++) taps[i * Alpha + k] = s.InputTapOffset(i, k);
            long vPointStride = (long)s.InChannels * ChunkPositions * Lanes;
            long uPointStride = (long)s.OutChannels * s.InChannels;
            int inImage = s.InChannels * s.InputPlane, outImage = s.OutChannels * s.OutputPlane;
            bool relu = Activation == ActivationKind.ReLU;

            for (int group = start; group < end; group++)
            {
                int n0 = group * Lanes, images = Math.Min(Lanes, Batch - n0);
                for (int ty0 = 0; ty0 < s.TilesY; ty0 += s.BandRows)
                {
                    int bandRows = Math.Min(s.BandRows, s.TilesY - ty0);
                    for (int c = 0; c < s.InChannels; c++)
                        PackInputFrame(s, Input + (long)n0 * inImage + (long)c * s.InputPlane, inImage, images, ty0, bandRows,
                            frames + (long)c * frameFloats, columns, InputGradient);

                    int positions = bandRows * s.TilesX;
                    for (int p0 = 0; p0 < positions; p0 += ChunkPositions)
                    {
                        int count = Math.Min(ChunkPositions, positions - p0);
                        // Transform the chunk's tiles of every input channel: V[ξ][c][position][lane].
                        for (int c = 0; c < s.InChannels; c++)
                            for (int q = 0; q < count; q++)
                            {
                                int p = p0 + q;
                                InputTransform(frames + (long)c * frameFloats + s.InputTileOffset(p / s.TilesX, p % s.TilesX), taps,
                                    v + (c * ChunkPositions + q) * Lanes, vPointStride);
                            }
                        // Per block of output channels: the 36 point products, then the output transform.
                        for (int o0 = 0; o0 < s.OutChannels; o0 += RowsPerTile)
                        {
                            int rows = Math.Min(RowsPerTile, s.OutChannels - o0);
                            for (int xi = 0; xi < Points; xi++)
                                MultiplyPoint(rows, Packed + xi * uPointStride + (long)o0 * s.InChannels, v + xi * vPointStride,
                                    s.InChannels, m + xi * Lanes);
                            for (int r = 0; r < rows; r++)
                            {
                                int o = o0 + r;
                                float* outputPlane = Output + (long)n0 * outImage + (long)o * s.OutputPlane;
                                for (int q = 0; q < count; q++)
                                {
                                    int p = p0 + q;
                                    OutputTransform(m + r * ChunkRowStride + q * ChunkPositionStride, tile,
                                        Bias == null ? 0f : Bias[o], relu);
                                    StoreTile(s, tile, outputPlane, outImage, images, ty0 + p / s.TilesX, p % s.TilesX, Accumulate);
                                }
                            }
                        }
                    }
                }
                if (!relu) FusedActivation.Apply(Activation, ActivationAlpha, new Span<float>(Output + (long)n0 * outImage, images * outImage));
            }
        }
    }

    // ---- weight gradient ----------------------------------------------------------------------

    /// <summary>
    /// dW[co, ci, a, b] += Σ_n Σ_(oy,ox) dy[n, co, oy, ox] · x[n, ci, oy + a − padTop, ox + b − padLeft], in
    /// the Winograd domain (see the class summary). Groups of 16 samples and bands of tile rows are
    /// summed in order; each band's transforms split over channels and its products over points.
    /// </summary>
    public static void BackwardWeight(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dWeight, WorkerPool? pool)
    {
        if (batch == 0) return;
        fixed (float* dys = dy) WeightGradient(g, batch, x, dys, default, dWeight, Span<float>.Empty, pool);
    }

    /// <summary>dW += the weight gradient of dz (and db += Σ dz when <paramref name="dBias"/> is not empty).</summary>
    private static void WeightGradient(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, float* dys,
        in ActivationGradient gradient, Span<float> dWeight, Span<float> dBias, WorkerPool? pool)
    {
        if (batch == 0) return;
        int tilesX = (g.OutWidth + Tile - 1) / Tile;
        // Per band tile row: the transformed input and gradient of every channel, 36 points × 16 lanes per tile.
        var s = new WinogradShape(g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth, g.PadTop, g.PadLeft,
            WeightGradientBudgetFloats, Points * tilesX * Lanes, g.InChannels + g.OutChannels);
        // The groups are cut into a fixed number of shares (a function of the batch only), each summing its
        // groups in order into its own dU and bias partial; the shares run in parallel and are added in
        // order afterwards, so the result is the same for any thread count, with one hand-off per call.
        int groups = Groups(batch);
        int shares = Math.Min(groups, WeightGradientShares);
        long uFloats = (long)Points * g.OutChannels * g.InChannels;
        float* partials = Scratch(ref t_products, shares * uFloats);
        float* biasPartials = dBias.IsEmpty ? null : Scratch(ref t_biasSums, (long)shares * g.OutChannels);
        if (biasPartials != null) new Span<float>(biasPartials, shares * g.OutChannels).Clear();

        fixed (float* xs = x)
        {
            var job = new WeightGradientJob
            {
                S = s, Batch = batch, Groups = groups, Shares = shares, X = xs, Dy = dys, Gradient = gradient,
                Partials = partials, BiasPartials = biasPartials,
            };
            long workPerShare = Math.Max(1, WorkPerGroup(s) * groups / shares);
            if (pool is null) job.Execute(0, shares, 0);
            else pool.For(shares, workPerShare, ref job);
        }
        float* du = partials;
        for (int share = 1; share < shares; share++)
        {
            var sum = new Span<float>(du, (int)uFloats);
            System.Numerics.Tensors.TensorPrimitives.Add(sum, new ReadOnlySpan<float>(partials + share * uFloats, (int)uFloats), sum);
        }
        if (biasPartials != null)
            for (int share = 0; share < shares; share++)
                for (int c = 0; c < g.OutChannels; c++) dBias[c] += biasPartials[share * g.OutChannels + c];

        // dW += Gᵀ dU G per kernel.
        Span<double> point = stackalloc double[Points];
        Span<double> taps = stackalloc double[9];
        long pointStride = (long)g.OutChannels * g.InChannels;
        for (int k = 0; k < g.OutChannels * g.InChannels; k++)
        {
            for (int p = 0; p < Points; p++) point[p] = du[p * pointStride + k];
            KernelGradientTransform(point, taps);
            var target = dWeight.Slice(k * 9, 9);
            for (int t = 0; t < 9; t++) target[t] += (float)taps[t];
        }
    }

    /// <summary>
    /// Shares [start, end) of the weight gradient: share i sums groups [i·Groups/Shares, (i+1)·Groups/Shares)
    /// band by band into its dU partial (and bias partial): for each band, every channel's transform, then
    /// the 36 point products.
    /// </summary>
    private struct WeightGradientJob : IParallelJob
    {
        public WinogradShape S;
        public int Batch, Groups, Shares;
        public float* X, Dy, Partials, BiasPartials;
        public ActivationGradient Gradient;

        public void Execute(int start, int end, int part)
        {
            ref readonly var s = ref S;
            long bandSlots = (long)s.BandRows * s.TilesX * Lanes;
            float* v = Scratch(ref t_transformed, Points * s.InChannels * bandSlots);
            float* z = Scratch(ref t_gradients, Points * s.OutChannels * bandSlots);
            long uFloats = (long)Points * s.OutChannels * s.InChannels;
            int inputSize = s.InChannels * s.InputPlane, outputSize = s.OutChannels * s.OutputPlane;
            for (int share = start; share < end; share++)
            {
                bool first = true;
                for (int group = WorkerPool.PartStart(Groups, Shares, share); group < WorkerPool.PartStart(Groups, Shares, share + 1); group++)
                {
                    int n0 = group * Lanes, images = Math.Min(Lanes, Batch - n0);
                    for (int ty0 = 0; ty0 < s.TilesY; ty0 += s.BandRows)
                    {
                        int bandRows = Math.Min(s.BandRows, s.TilesY - ty0);
                        int slots = bandRows * s.TilesX * Lanes;
                        var transforms = new WeightTransformJob
                        {
                            S = s, X = X + (long)n0 * inputSize, Dy = Dy + (long)n0 * outputSize, Images = images,
                            FirstTileRow = ty0, BandTileRows = bandRows, V = v, Z = z, Slots = slots,
                            Gradient = Gradient, BiasSums = BiasPartials == null ? null : BiasPartials + (long)share * s.OutChannels,
                        };
                        transforms.Execute(0, s.InChannels + s.OutChannels, part);
                        var products = new PointProductJob
                        {
                            InChannels = s.InChannels, OutChannels = s.OutChannels, Slots = slots, V = v, Z = z,
                            DU = Partials + share * uFloats, Beta = first ? 0f : 1f,
                        };
                        products.Execute(0, Points, part);
                        first = false;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Items [0, InChannels) transform input channels into V[ξ][ci][slot], items [InChannels, +OutChannels)
    /// output-gradient channels into Z[ξ][co][slot] (a slot is a tile of the band and a lane).
    /// </summary>
    private struct WeightTransformJob
    {
        public WinogradShape S;
        public float* X, Dy, V, Z;
        public int Images, FirstTileRow, BandTileRows, Slots;
        public ActivationGradient Gradient;
        /// <summary>Per output channel: Σ dz so far (groups and bands in order), or null.</summary>
        public float* BiasSums;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end, int part)
        {
            ref readonly var s = ref S;
            float* frame = Scratch(ref t_frames, Math.Max(s.InputFrameFloats, s.GradientFrameFloats));
            int* columns = Scratch(ref t_columns, Tile * (s.TilesX + 1));
            int* taps = stackalloc int[Points];
            for (int i = 0; i < Alpha; i++)
                for (int k = 0; k < Alpha; k++) taps[i * Alpha + k] = s.InputTapOffset(i, k);
            int positions = BandTileRows * s.TilesX;
            int inImage = s.InChannels * s.InputPlane, outImage = s.OutChannels * s.OutputPlane;
            long gradientPlane = (long)s.BandRows * s.TilesX * Lanes;

            for (int item = start; item < end; item++)
            {
                if (item < s.InChannels)
                {
                    int c = item;
                    PackInputFrame(s, X + (long)c * s.InputPlane, inImage, Images, FirstTileRow, BandTileRows, frame, columns, default);
                    long pointStride = (long)s.InChannels * Slots;
                    for (int p = 0; p < positions; p++)
                        InputTransform(frame + s.InputTileOffset(p / s.TilesX, p % s.TilesX), taps,
                            V + (long)c * Slots + p * Lanes, pointStride);
                }
                else
                {
                    int c = item - s.InChannels;
                    var sum = Vector512<float>.Zero;
                    PackGradientFrame(s, Dy + (long)c * s.OutputPlane, outImage, Images, FirstTileRow, BandTileRows, frame, columns,
                        Gradient, BiasSums == null ? null : &sum);
                    if (BiasSums != null) BiasSums[c] += Vector512.Sum(sum);
                    long pointStride = (long)s.OutChannels * Slots;
                    for (int p = 0; p < positions; p++)
                        GradientTransform(frame + p * Lanes, gradientPlane, Z + (long)c * Slots + p * Lanes, pointStride);
                }
            }
        }
    }

    /// <summary>dU[ξ] (=|+=) Z[ξ]·V[ξ]ᵀ for points [start, end): [OutChannels × slots]·[slots × InChannels].</summary>
    private struct PointProductJob
    {
        public int InChannels, OutChannels, Slots;
        public float* V, Z, DU;
        public float Beta;

        public void Execute(int start, int end, int part)
        {
            long zPoint = (long)OutChannels * Slots, vPoint = (long)InChannels * Slots, uPoint = (long)OutChannels * InChannels;
            for (int xi = start; xi < end; xi++)
            {
                Gemm.Multiply(false, true, OutChannels, InChannels, Slots,
                    new ReadOnlySpan<float>(Z + xi * zPoint, (int)zPoint), Slots,
                    new ReadOnlySpan<float>(V + xi * vPoint, (int)vPoint), Slots,
                    new Span<float>(DU + xi * uPoint, (int)uPoint), InChannels, Beta);
            }
        }
    }
}
