using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DslNet.Backends.Cpu;

// Batch normalisation, dropout and PReLU: memory-bound kernels (a few flops per element) with SIMD
// loops. Batch normalisation is split over channels on the worker pool when a layer is large enough
// (16-lane vectors); dropout and PReLU run on the calling thread. Per-channel sums are in double
// (floats widened to doubles) so a large batch·spatial does not lose precision.
public sealed partial class CpuBackend
{
    // ---- batch normalisation ----------------------------------------------------------------
    // Channels are independent: each job item is one channel (its statistics, its slice of every
    // sample), so the pool may split channels across threads and every channel's result is the same
    // for any thread count. Within a channel the loops run on 16-lane vectors; sums are in double.

    /// <summary>Work units per value of a channel (see <see cref="WorkerPool"/>): three passes of a few operations.</summary>
    private const long BatchNormWorkPerValue = 8;

    public override void BatchNormForward(in BatchNormGeometry g, int batch, bool training, float momentum, float epsilon,
        BufferView x, BufferView gamma, BufferView beta, BufferView runningMean, BufferView runningVariance,
        BufferView savedMean, BufferView savedInvStd, BufferView y)
    {
        int channels = g.Channels, spatial = g.Spatial;
        RequireBatchNormSizes(g, batch, x, nameof(x));
        RequireSameLength(x.Length, y.Length, nameof(y));
        RequireOptionalChannels(channels, gamma, nameof(gamma));
        RequireOptionalChannels(channels, beta, nameof(beta));
        if (!(epsilon >= 0f) || float.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Batch-norm epsilon must be a finite value ≥ 0.");

        if (!training)
        {
            // Inference: a fixed affine map per channel from the running statistics.
            RequireSameLength(channels, runningMean.Length, nameof(runningMean));
            RequireSameLength(channels, runningVariance.Length, nameof(runningVariance));
            RequireOptionalChannels(channels, savedMean, nameof(savedMean));
            RequireOptionalChannels(channels, savedInvStd, nameof(savedInvStd));
        }
        else
        {
            int m = batch * spatial; // values per channel
            if (m < 2)
                throw new ArgumentException(
                    $"Batch normalisation in training mode needs more than one value per channel to estimate a variance, " +
                    $"but batch = {batch} and Spatial = {spatial} give {m}. Use a batch of at least 2, or inference mode.", nameof(batch));
            if (!(momentum >= 0f && momentum <= 1f))
                throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Batch-norm momentum must lie in [0, 1] (PyTorch convention: weight of the new batch).");
            RequireSameLength(channels, savedMean.Length, nameof(savedMean));
            RequireSameLength(channels, savedInvStd.Length, nameof(savedInvStd));
            // Running statistics may be absent (track_running_stats = False); then they are not updated.
            RequireOptionalChannels(channels, runningMean, nameof(runningMean));
            RequireOptionalChannels(channels, runningVariance, nameof(runningVariance));
        }

        if (spatial == 1)
        {
            // After a Dense layer: a channel is one column of [batch, channels], so vectors run across channels.
            var columns = new BatchNormColumnsForwardJob
            {
                X = Host(x), Y = Host(y), Gamma = Host(gamma), Beta = Host(beta),
                RunningMean = Host(runningMean), RunningVariance = Host(runningVariance),
                SavedMean = Host(savedMean), SavedInvStd = Host(savedInvStd),
                Batch = batch, Channels = channels, Training = training, Momentum = momentum, Epsilon = epsilon,
            };
            Pool.For(ColumnBlocks(channels), BatchNormWorkPerValue * batch * Lanes, ref columns);
            return;
        }
        var job = new BatchNormForwardJob
        {
            X = Host(x), Y = Host(y), Gamma = Host(gamma), Beta = Host(beta),
            RunningMean = Host(runningMean), RunningVariance = Host(runningVariance),
            SavedMean = Host(savedMean), SavedInvStd = Host(savedInvStd),
            Batch = batch, Channels = channels, Spatial = spatial, Training = training, Momentum = momentum, Epsilon = epsilon,
        };
        Pool.For(channels, BatchNormWorkPerValue * batch * spatial, ref job);
    }

    public override void BatchNormBackward(in BatchNormGeometry g, int batch, bool training, BufferView x, BufferView gamma,
        BufferView savedMean, BufferView savedInvStd, BufferView dy, BufferView dx, BufferView dGamma, BufferView dBeta)
    {
        int channels = g.Channels, spatial = g.Spatial;
        RequireBatchNormSizes(g, batch, x, nameof(x));
        RequireSameLength(x.Length, dy.Length, nameof(dy));
        RequireOptionalChannels(channels, gamma, nameof(gamma));
        RequireSameLength(channels, savedMean.Length, nameof(savedMean));
        RequireSameLength(channels, savedInvStd.Length, nameof(savedInvStd));
        if (!dx.IsEmpty) RequireSameLength(x.Length, dx.Length, nameof(dx));
        if (!dGamma.IsEmpty) RequireSameLength(channels, dGamma.Length, nameof(dGamma));
        if (!dBeta.IsEmpty) RequireSameLength(channels, dBeta.Length, nameof(dBeta));
        if (dx.IsEmpty && dGamma.IsEmpty && dBeta.IsEmpty) return;

        if (spatial == 1)
        {
            var columns = new BatchNormColumnsBackwardJob
            {
                X = Host(x), Gamma = Host(gamma), SavedMean = Host(savedMean), SavedInvStd = Host(savedInvStd),
                Dy = Host(dy), Dx = Host(dx), DGamma = Host(dGamma), DBeta = Host(dBeta),
                Batch = batch, Channels = channels, Training = training,
            };
            Pool.For(ColumnBlocks(channels), BatchNormWorkPerValue * batch * Lanes, ref columns);
            return;
        }
        var job = new BatchNormBackwardJob
        {
            X = Host(x), Gamma = Host(gamma), SavedMean = Host(savedMean), SavedInvStd = Host(savedInvStd),
            Dy = Host(dy), Dx = Host(dx), DGamma = Host(dGamma), DBeta = Host(dBeta),
            Batch = batch, Channels = channels, Spatial = spatial, Training = training,
        };
        Pool.For(channels, BatchNormWorkPerValue * batch * spatial, ref job);
    }

    private ref struct BatchNormForwardJob : IParallelJob
    {
        public Span<float> X, Y, Gamma, Beta, RunningMean, RunningVariance, SavedMean, SavedInvStd;
        public int Batch, Channels, Spatial;
        public bool Training;
        public float Momentum, Epsilon;

        public readonly void Execute(int start, int end, int part)
        {
            for (int c = start; c < end; c++)
            {
                if (Training) TrainingChannel(c);
                else InferenceChannel(c);
            }
        }

        private readonly void InferenceChannel(int c)
        {
            float invStd = (float)(1.0 / Math.Sqrt((double)RunningVariance[c] + Epsilon));
            // Kept for a backward pass after this inference forward (input gradients of a frozen network).
            if (!SavedMean.IsEmpty) SavedMean[c] = RunningMean[c];
            if (!SavedInvStd.IsEmpty) SavedInvStd[c] = invStd;
            Normalize(c, RunningMean[c], invStd);
        }

        private readonly void TrainingChannel(int c)
        {
            int m = Batch * Spatial, sampleSize = Channels * Spatial;
            // Two passes (mean, then squared deviations), both in double: no catastrophic
            // cancellation as with E[x²] − E[x]² when |mean| ≫ std.
            double sum = 0;
            for (int n = 0; n < Batch; n++) sum += SumDouble(X.Slice(n * sampleSize + c * Spatial, Spatial));
            double mean = sum / m;
            double squares = 0;
            for (int n = 0; n < Batch; n++) squares += SumSquaredDeviation(X.Slice(n * sampleSize + c * Spatial, Spatial), mean);
            double biasedVariance = squares / m;
            double invStd = 1.0 / Math.Sqrt(biasedVariance + Epsilon);

            SavedMean[c] = (float)mean;
            SavedInvStd[c] = (float)invStd;
            if (!RunningMean.IsEmpty) RunningMean[c] = (float)((1.0 - Momentum) * RunningMean[c] + Momentum * mean);
            if (!RunningVariance.IsEmpty) RunningVariance[c] = (float)((1.0 - Momentum) * RunningVariance[c] + Momentum * (squares / (m - 1)));

            // Normalise with the saved (float) values, exactly what backward will see.
            Normalize(c, SavedMean[c], SavedInvStd[c]);
        }

        /// <summary>y = (x − mean)·(γ·invStd) + β over every sample's row of channel c.</summary>
        private readonly void Normalize(int c, float mean, float invStd)
        {
            float scale = (Gamma.IsEmpty ? 1f : Gamma[c]) * invStd, beta = Beta.IsEmpty ? 0f : Beta[c];
            for (int n = 0; n < Batch; n++)
            {
                int o = (n * Channels + c) * Spatial;
                NormalizeRow(X.Slice(o, Spatial), Y.Slice(o, Spatial), mean, scale, beta);
            }
        }
    }

    private ref struct BatchNormBackwardJob : IParallelJob
    {
        public Span<float> X, Gamma, SavedMean, SavedInvStd, Dy, Dx, DGamma, DBeta;
        public int Batch, Channels, Spatial;
        public bool Training;

        public readonly void Execute(int start, int end, int part)
        {
            int m = Batch * Spatial, sampleSize = Channels * Spatial;
            for (int c = start; c < end; c++)
            {
                float mean = SavedMean[c];
                double invStd = SavedInvStd[c];
                // Σdy and Σdy·(x − mean); Σdy·x̂ = invStd·Σdy·(x − mean).
                double sumDy = 0, sumDyCentered = 0;
                for (int n = 0; n < Batch; n++)
                {
                    int o = n * sampleSize + c * Spatial;
                    var (dySum, centered) = SumAndProductCentered(Dy.Slice(o, Spatial), X.Slice(o, Spatial), mean);
                    sumDy += dySum;
                    sumDyCentered += centered;
                }
                double sumDyXHat = invStd * sumDyCentered;
                if (!DBeta.IsEmpty) DBeta[c] += (float)sumDy;
                if (!DGamma.IsEmpty) DGamma[c] += (float)sumDyXHat;
                if (Dx.IsEmpty) continue;

                // Training: dx = γ·invStd/M·(M·dy − Σdy − x̂·Σ(dy·x̂)) = k·(dy − a − b·(x − mean)) with
                // k = γ·invStd, a = Σdy/M, b = invStd²·Σdy(x − mean)/M. Inference: the statistics are
                // constants, so a = b = 0 and dx = k·dy.
                double gammaC = Gamma.IsEmpty ? 1.0 : Gamma[c];
                float k = (float)(gammaC * invStd);
                float a = Training ? (float)(sumDy / m) : 0f;
                float b = Training ? (float)(invStd * invStd * sumDyCentered / m) : 0f;
                for (int n = 0; n < Batch; n++)
                {
                    int o = n * sampleSize + c * Spatial;
                    AccumulateBatchNormDx(Dy.Slice(o, Spatial), X.Slice(o, Spatial), Dx.Slice(o, Spatial), mean, k, a, b);
                }
            }
        }
    }

    private static void RequireBatchNormSizes(in BatchNormGeometry g, int batch, BufferView x, string name)
    {
        if (g.Channels < 1 || g.Spatial < 1)
            throw new ArgumentException($"Batch-norm geometry needs Channels ≥ 1 and Spatial ≥ 1, got Channels = {g.Channels}, Spatial = {g.Spatial}.", nameof(g));
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size cannot be negative.");
        RequireSameLength(batch * g.SampleSize, x.Length, name);
    }

    /// <summary>An optional per-channel tensor: empty, or exactly one value per channel.</summary>
    private static void RequireOptionalChannels(int channels, BufferView view, string name)
    {
        if (!view.IsEmpty) RequireSameLength(channels, view.Length, name);
    }

    private static void NormalizeRow(ReadOnlySpan<float> x, Span<float> y, float mean, float scale, float beta)
    {
        // Subtract first, then scale: x·scale + (β − mean·scale) would cancel when |mean| ≫ std.
        int i = 0;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        var vMean = Vector512.Create(mean); var vScale = Vector512.Create(scale); var vBeta = Vector512.Create(beta);
        for (; i + Lanes <= x.Length; i += Lanes)
            ((Vector512.LoadUnsafe(ref x0, (nuint)i) - vMean) * vScale + vBeta).StoreUnsafe(ref y0, (nuint)i);
        for (; i < x.Length; i++) y[i] = (x[i] - mean) * scale + beta;
    }

    private static void AccumulateBatchNormDx(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx,
        float mean, float k, float a, float b)
    {
        int i = 0;
        ref float dy0 = ref MemoryMarshal.GetReference(dy);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float dx0 = ref MemoryMarshal.GetReference(dx);
        var vMean = Vector512.Create(mean); var vk = Vector512.Create(k);
        var va = Vector512.Create(a); var vb = Vector512.Create(b);
        for (; i + Lanes <= dy.Length; i += Lanes)
        {
            var d = Vector512.LoadUnsafe(ref dy0, (nuint)i);
            var centered = Vector512.LoadUnsafe(ref x0, (nuint)i) - vMean;
            (Vector512.LoadUnsafe(ref dx0, (nuint)i) + vk * (d - va - vb * centered)).StoreUnsafe(ref dx0, (nuint)i);
        }
        for (; i < dy.Length; i++) dx[i] += k * (dy[i] - a - b * (x[i] - mean));
    }

    /// <summary>Floats per vector in the batch-norm loops.</summary>
    private static int Lanes => Vector512<float>.Count;

    /// <summary>Σ x in double.</summary>
    private static double SumDouble(ReadOnlySpan<float> x)
    {
        int i = 0;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        var acc = Vector512<double>.Zero;
        for (; i + Lanes <= x.Length; i += Lanes)
        {
            var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref x0, (nuint)i));
            acc += lo + hi;
        }
        double total = Vector512.Sum(acc);
        for (; i < x.Length; i++) total += x[i];
        return total;
    }

    /// <summary>Σ (x − mean)² in double.</summary>
    private static double SumSquaredDeviation(ReadOnlySpan<float> x, double mean)
    {
        int i = 0;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        var acc = Vector512<double>.Zero;
        var vMean = Vector512.Create(mean);
        for (; i + Lanes <= x.Length; i += Lanes)
        {
            var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref x0, (nuint)i));
            lo -= vMean; hi -= vMean;
            acc += lo * lo + hi * hi;
        }
        double total = Vector512.Sum(acc);
        for (; i < x.Length; i++) { double d = x[i] - mean; total += d * d; }
        return total;
    }

    /// <summary>Σ dy and Σ dy·(x − mean), both in double, in one pass.</summary>
    private static (double Sum, double Centered) SumAndProductCentered(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, double mean)
    {
        int i = 0;
        ref float dy0 = ref MemoryMarshal.GetReference(dy);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        var sum = Vector512<double>.Zero;
        var centered = Vector512<double>.Zero;
        var vMean = Vector512.Create(mean);
        for (; i + Lanes <= x.Length; i += Lanes)
        {
            var (xLo, xHi) = Vector512.Widen(Vector512.LoadUnsafe(ref x0, (nuint)i));
            var (dLo, dHi) = Vector512.Widen(Vector512.LoadUnsafe(ref dy0, (nuint)i));
            sum += dLo + dHi;
            centered += dLo * (xLo - vMean) + dHi * (xHi - vMean);
        }
        double totalSum = Vector512.Sum(sum), totalCentered = Vector512.Sum(centered);
        for (; i < x.Length; i++)
        {
            totalSum += dy[i];
            totalCentered += dy[i] * (x[i] - mean);
        }
        return (totalSum, totalCentered);
    }

    // ---- dropout ----------------------------------------------------------------------------

    public override void DropoutForward(float rate, ulong seed, BufferView x, BufferView mask, BufferView y)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate (probability of dropping an element) must lie in [0, 1).");
        RequireSameLength(x.Length, mask.Length, nameof(mask));
        RequireSameLength(x.Length, y.Length, nameof(y));
        var xs = Host(x); var ms = Host(mask); var ys = Host(y);

        if (rate == 0f)
        {
            ms.Fill(1f);
            xs.CopyTo(ys);
            return;
        }

        // Element i is dropped when the top 32 bits of hash(seed, i) fall below rate·2³². The hash
        // depends only on (seed, i), never on which thread or in which order elements are visited.
        ulong threshold = (ulong)(rate * 4294967296.0);
        float keep = 1f / (1f - rate);
        ulong key = DropoutHash.Key(seed);
        for (int i = 0; i < ms.Length; i++)
            ms[i] = (DropoutHash.Bits(key, (ulong)i) >> 32) < threshold ? 0f : keep;
        TensorPrimitives.Multiply(xs, ms, ys);
    }

    public override void DropoutBackward(BufferView mask, BufferView dy, BufferView dx)
    {
        if (dx.IsEmpty) return;
        RequireSameLength(mask.Length, dy.Length, nameof(dy));
        RequireSameLength(mask.Length, dx.Length, nameof(dx));
        var d = Host(dx);
        TensorPrimitives.FusedMultiplyAdd(Host(dy), Host(mask), d, d);
    }

    /// <summary>
    /// Counter-based random bits: SplitMix64's finaliser applied to key + index·φ, where the key is
    /// itself a mixed seed (so nearby seeds give unrelated masks, not shifted copies of one stream).
    /// </summary>
    internal static class DropoutHash
    {
        private const ulong Golden = 0x9E3779B97F4A7C15UL;

        public static ulong Key(ulong seed) => Mix(seed ^ 0xD1B54A32D192ED03UL);

        public static ulong Bits(ulong key, ulong index) => Mix(key + (index + 1) * Golden);

        private static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    // ---- PReLU ------------------------------------------------------------------------------

    public override void PReluForward(int batch, int channels, int spatial, BufferView x, BufferView slope, BufferView y)
    {
        RequirePReluSizes(batch, channels, spatial, x, slope);
        RequireSameLength(x.Length, y.Length, nameof(y));
        var xs = Host(x); var ss = Host(slope); var ys = Host(y);
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
            {
                int o = (n * channels + c) * spatial;
                PReluRow(xs.Slice(o, spatial), ys.Slice(o, spatial), ss[c]);
            }
    }

    public override void PReluBackward(int batch, int channels, int spatial, BufferView x, BufferView slope, BufferView dy, BufferView dx, BufferView dSlope)
    {
        RequirePReluSizes(batch, channels, spatial, x, slope);
        RequireSameLength(x.Length, dy.Length, nameof(dy));
        if (!dx.IsEmpty) RequireSameLength(x.Length, dx.Length, nameof(dx));
        if (!dSlope.IsEmpty) RequireSameLength(channels, dSlope.Length, nameof(dSlope));
        if (dx.IsEmpty && dSlope.IsEmpty) return;
        var xs = Host(x); var ss = Host(slope); var dys = Host(dy); var dxs = Host(dx); var dss = Host(dSlope);
        for (int c = 0; c < channels; c++)
        {
            double slopeGradient = 0;
            for (int n = 0; n < batch; n++)
            {
                int o = (n * channels + c) * spatial;
                slopeGradient += PReluBackwardRow(xs.Slice(o, spatial), dys.Slice(o, spatial),
                    dxs.IsEmpty ? Span<float>.Empty : dxs.Slice(o, spatial), ss[c]);
            }
            if (!dss.IsEmpty) dss[c] += (float)slopeGradient;
        }
    }

    private static void RequirePReluSizes(int batch, int channels, int spatial, BufferView x, BufferView slope)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size cannot be negative.");
        if (channels < 1 || spatial < 1)
            throw new ArgumentException($"PReLU needs channels ≥ 1 and spatial ≥ 1, got channels = {channels}, spatial = {spatial}.", nameof(channels));
        RequireSameLength(batch * channels * spatial, x.Length, nameof(x));
        RequireSameLength(channels, slope.Length, nameof(slope));
    }

    /// <summary>y = x for x &gt; 0, a·x otherwise.</summary>
    private static void PReluRow(ReadOnlySpan<float> x, Span<float> y, float a)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            var va = new Vector<float>(a);
            for (int j = 0; j < vx.Length; j++)
                vy[j] = Vector.ConditionalSelect(Vector.GreaterThan(vx[j], Vector<float>.Zero), vx[j], va * vx[j]);
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) y[i] = x[i] > 0f ? x[i] : a * x[i];
    }

    /// <summary>dx += dy·(x &gt; 0 ? 1 : a) (unless dx is empty); returns Σ dy·x over x &lt; 0 in double.</summary>
    private static double PReluBackwardRow(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, float a)
    {
        int i = 0;
        double total = 0;
        bool wantDx = !dx.IsEmpty;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vdy = MemoryMarshal.Cast<float, Vector<float>>(dy);
            var vdx = wantDx ? MemoryMarshal.Cast<float, Vector<float>>(dx) : Span<Vector<float>>.Empty;
            var va = new Vector<float>(a);
            var acc = Vector<double>.Zero;
            for (int j = 0; j < vx.Length; j++)
            {
                var positive = Vector.GreaterThan(vx[j], Vector<float>.Zero);
                if (wantDx) vdx[j] += Vector.ConditionalSelect(positive, vdy[j], va * vdy[j]);
                // x ≤ 0 contributes dy·x (x = 0 adds nothing, so ≤ and < agree).
                var product = Vector.ConditionalSelect(positive, Vector<float>.Zero, vdy[j] * vx[j]);
                Vector.Widen(product, out var lo, out var hi);
                acc += lo + hi;
            }
            total = Vector.Sum(acc);
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++)
        {
            if (x[i] > 0f) { if (wantDx) dx[i] += dy[i]; }
            else
            {
                if (wantDx) dx[i] += a * dy[i];
                total += (double)dy[i] * x[i];
            }
        }
        return total;
    }
}
