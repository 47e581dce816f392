using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DslNet.Backends.Cpu;

// Batch normalisation, dropout and PReLU. These kernels are memory-bound (a few flops per element),
// so they run on the calling thread with SIMD loops; per-channel statistics are summed in double
// (Vector<float> widened to two Vector<double>) so a large batch·spatial does not lose precision.
public sealed partial class CpuBackend
{
    // ---- batch normalisation ----------------------------------------------------------------

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

        var xs = Host(x); var ys = Host(y);
        var gs = Host(gamma); var bs = Host(beta);

        if (!training)
        {
            // Inference: a fixed affine map per channel from the running statistics.
            RequireSameLength(channels, runningMean.Length, nameof(runningMean));
            RequireSameLength(channels, runningVariance.Length, nameof(runningVariance));
            var rm = Host(runningMean); var rv = Host(runningVariance);
            RequireOptionalChannels(channels, savedMean, nameof(savedMean));
            RequireOptionalChannels(channels, savedInvStd, nameof(savedInvStd));
            var saveMean = Host(savedMean); var saveInvStd = Host(savedInvStd);
            for (int c = 0; c < channels; c++)
            {
                float invStd = (float)(1.0 / Math.Sqrt((double)rv[c] + epsilon));
                // Kept for a backward pass after this inference forward (input gradients of a frozen network).
                if (!saveMean.IsEmpty) saveMean[c] = rm[c];
                if (!saveInvStd.IsEmpty) saveInvStd[c] = invStd;
                NormalizeChannel(xs, ys, batch, channels, spatial, c, rm[c], invStd,
                    gs.IsEmpty ? 1f : gs[c], bs.IsEmpty ? 0f : bs[c]);
            }
            return;
        }

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
        var sm = Host(savedMean); var si = Host(savedInvStd);
        var rms = Host(runningMean); var rvs = Host(runningVariance);
        int sampleSize = channels * spatial;

        for (int c = 0; c < channels; c++)
        {
            // Two passes (mean, then squared deviations), both in double: no catastrophic
            // cancellation as with E[x²] − E[x]² when |mean| ≫ std.
            double sum = 0;
            for (int n = 0; n < batch; n++) sum += SumDouble(xs.Slice(n * sampleSize + c * spatial, spatial));
            double mean = sum / m;
            double squares = 0;
            for (int n = 0; n < batch; n++) squares += SumSquaredDeviation(xs.Slice(n * sampleSize + c * spatial, spatial), mean);
            double biasedVariance = squares / m;
            double invStd = 1.0 / Math.Sqrt(biasedVariance + epsilon);

            sm[c] = (float)mean;
            si[c] = (float)invStd;
            if (!rms.IsEmpty) rms[c] = (float)((1.0 - momentum) * rms[c] + momentum * mean);
            if (!rvs.IsEmpty) rvs[c] = (float)((1.0 - momentum) * rvs[c] + momentum * (squares / (m - 1)));

            // Normalise with the saved (float) values, exactly what backward will see.
            NormalizeChannel(xs, ys, batch, channels, spatial, c, sm[c], si[c],
                gs.IsEmpty ? 1f : gs[c], bs.IsEmpty ? 0f : bs[c]);
        }
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

        var xs = Host(x); var dys = Host(dy); var dxs = Host(dx);
        var gs = Host(gamma); var sm = Host(savedMean); var si = Host(savedInvStd);
        var dgs = Host(dGamma); var dbs = Host(dBeta);
        int m = batch * spatial, sampleSize = channels * spatial;

        for (int c = 0; c < channels; c++)
        {
            float mean = sm[c];
            double invStd = si[c];
            // Σdy and Σdy·(x − mean); Σdy·x̂ = invStd·Σdy·(x − mean).
            double sumDy = 0, sumDyCentered = 0;
            for (int n = 0; n < batch; n++)
            {
                int o = n * sampleSize + c * spatial;
                sumDy += SumDouble(dys.Slice(o, spatial));
                sumDyCentered += SumProductCentered(dys.Slice(o, spatial), xs.Slice(o, spatial), mean);
            }
            double sumDyXHat = invStd * sumDyCentered;
            if (!dbs.IsEmpty) dbs[c] += (float)sumDy;
            if (!dgs.IsEmpty) dgs[c] += (float)sumDyXHat;
            if (dxs.IsEmpty) continue;

            // Training: dx = γ·invStd/M·(M·dy − Σdy − x̂·Σ(dy·x̂)) = k·(dy − a − b·(x − mean)) with
            // k = γ·invStd, a = Σdy/M, b = invStd²·Σdy(x − mean)/M. Inference: the statistics are
            // constants, so a = b = 0 and dx = k·dy.
            double gammaC = gs.IsEmpty ? 1.0 : gs[c];
            float k = (float)(gammaC * invStd);
            float a = training ? (float)(sumDy / m) : 0f;
            float b = training ? (float)(invStd * invStd * sumDyCentered / m) : 0f;
            for (int n = 0; n < batch; n++)
            {
                int o = n * sampleSize + c * spatial;
                AccumulateBatchNormDx(dys.Slice(o, spatial), xs.Slice(o, spatial), dxs.Slice(o, spatial), mean, k, a, b);
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

    /// <summary>y = (x − mean)·(γ·invStd) + β over every sample's row of channel c.</summary>
    private static void NormalizeChannel(Span<float> xs, Span<float> ys, int batch, int channels, int spatial, int c,
        float mean, float invStd, float gamma, float beta)
    {
        float scale = gamma * invStd;
        for (int n = 0; n < batch; n++)
        {
            int o = (n * channels + c) * spatial;
            NormalizeRow(xs.Slice(o, spatial), ys.Slice(o, spatial), mean, scale, beta);
        }
    }

    private static void NormalizeRow(ReadOnlySpan<float> x, Span<float> y, float mean, float scale, float beta)
    {
        // Subtract first, then scale: x·scale + (β − mean·scale) would cancel when |mean| ≫ std.
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            var vMean = new Vector<float>(mean); var vScale = new Vector<float>(scale); var vBeta = new Vector<float>(beta);
            for (int j = 0; j < vx.Length; j++) vy[j] = (vx[j] - vMean) * vScale + vBeta;
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) y[i] = (x[i] - mean) * scale + beta;
    }

    private static void AccumulateBatchNormDx(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx,
        float mean, float k, float a, float b)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && dy.Length >= Vector<float>.Count)
        {
            var vdy = MemoryMarshal.Cast<float, Vector<float>>(dy);
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vdx = MemoryMarshal.Cast<float, Vector<float>>(dx);
            var vMean = new Vector<float>(mean); var vk = new Vector<float>(k);
            var va = new Vector<float>(a); var vb = new Vector<float>(b);
            for (int j = 0; j < vdy.Length; j++)
                vdx[j] += vk * (vdy[j] - va - vb * (vx[j] - vMean));
            i = vdy.Length * Vector<float>.Count;
        }
        for (; i < dy.Length; i++) dx[i] += k * (dy[i] - a - b * (x[i] - mean));
    }

    /// <summary>Σ x in double.</summary>
    private static double SumDouble(ReadOnlySpan<float> x)
    {
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var acc = Vector<double>.Zero;
            foreach (var v in MemoryMarshal.Cast<float, Vector<float>>(x))
            {
                Vector.Widen(v, out var lo, out var hi);
                acc += lo + hi;
            }
            total = Vector.Sum(acc);
            i = x.Length - x.Length % Vector<float>.Count;
        }
        for (; i < x.Length; i++) total += x[i];
        return total;
    }

    /// <summary>Σ (x − mean)² in double.</summary>
    private static double SumSquaredDeviation(ReadOnlySpan<float> x, double mean)
    {
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var acc = Vector<double>.Zero;
            var vMean = new Vector<double>(mean);
            foreach (var v in MemoryMarshal.Cast<float, Vector<float>>(x))
            {
                Vector.Widen(v, out var lo, out var hi);
                lo -= vMean; hi -= vMean;
                acc += lo * lo + hi * hi;
            }
            total = Vector.Sum(acc);
            i = x.Length - x.Length % Vector<float>.Count;
        }
        for (; i < x.Length; i++) { double d = x[i] - mean; total += d * d; }
        return total;
    }

    /// <summary>Σ dy·(x − mean) in double.</summary>
    private static double SumProductCentered(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, double mean)
    {
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var acc = Vector<double>.Zero;
            var vMean = new Vector<double>(mean);
            var vdy = MemoryMarshal.Cast<float, Vector<float>>(dy);
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            for (int j = 0; j < vx.Length; j++)
            {
                Vector.Widen(vx[j], out var xLo, out var xHi);
                Vector.Widen(vdy[j], out var dLo, out var dHi);
                acc += dLo * (xLo - vMean) + dHi * (xHi - vMean);
            }
            total = Vector.Sum(acc);
            i = x.Length - x.Length % Vector<float>.Count;
        }
        for (; i < x.Length; i++) total += dy[i] * (x[i] - mean);
        return total;
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
