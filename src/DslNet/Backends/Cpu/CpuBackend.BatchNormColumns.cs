using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DslNet.Backends.Cpu;

// Batch normalisation with Spatial = 1 (after a Dense layer): x is [batch, channels] and a channel
// is a column, so the per-channel loops of CpuBackend.Normalization.cs would run over one value at a
// time. Here the vectors run across 16 channels at once while the loops go down the batch; each
// lane adds its column in the same order, with the same operations, as the per-channel code, so
// the results are bitwise those of that code (which still handles the last, partial block).
public sealed partial class CpuBackend
{
    private static int ColumnBlocks(int channels) => (channels + Lanes - 1) / Lanes;

    private ref struct BatchNormColumnsForwardJob : IParallelJob
    {
        public Span<float> X, Y, Gamma, Beta, RunningMean, RunningVariance, SavedMean, SavedInvStd;
        public int Batch, Channels;
        public bool Training;
        public float Momentum, Epsilon;

        public readonly void Execute(int start, int end, int part)
        {
            for (int block = start; block < end; block++)
            {
                int c = block * Lanes;
                if (c + Lanes > Channels) { PerChannel(c, Channels); continue; }
                if (Training) TrainingBlock(c);
                else PerChannel(c, c + Lanes); // inference is one pass: the per-channel code is as good
            }
        }

        private readonly void PerChannel(int from, int to)
        {
            var job = new BatchNormForwardJob
            {
                X = X, Y = Y, Gamma = Gamma, Beta = Beta, RunningMean = RunningMean, RunningVariance = RunningVariance,
                SavedMean = SavedMean, SavedInvStd = SavedInvStd,
                Batch = Batch, Channels = Channels, Spatial = 1, Training = Training, Momentum = Momentum, Epsilon = Epsilon,
            };
            job.Execute(from, to, 0);
        }

        private readonly void TrainingBlock(int c)
        {
            ref float x0 = ref MemoryMarshal.GetReference(X);
            int m = Batch;
            Vector512<double> sumLo = default, sumHi = default;
            for (int n = 0; n < Batch; n++)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref x0, (nuint)(n * Channels + c)));
                sumLo += lo; sumHi += hi;
            }
            var count = Vector512.Create((double)m);
            Vector512<double> meanLo = sumLo / count, meanHi = sumHi / count;
            Vector512<double> squaresLo = default, squaresHi = default;
            for (int n = 0; n < Batch; n++)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref x0, (nuint)(n * Channels + c)));
                lo -= meanLo; hi -= meanHi;
                squaresLo += lo * lo; squaresHi += hi * hi;
            }

            Span<float> scale = stackalloc float[Lanes];
            Span<float> shift = stackalloc float[Lanes];
            for (int i = 0; i < Lanes; i++)
            {
                double mean = i < Lanes / 2 ? meanLo[i] : meanHi[i - Lanes / 2];
                double squares = i < Lanes / 2 ? squaresLo[i] : squaresHi[i - Lanes / 2];
                double invStd = 1.0 / Math.Sqrt(squares / m + Epsilon);
                int ch = c + i;
                SavedMean[ch] = (float)mean;
                SavedInvStd[ch] = (float)invStd;
                if (!RunningMean.IsEmpty) RunningMean[ch] = (float)((1.0 - Momentum) * RunningMean[ch] + Momentum * mean);
                if (!RunningVariance.IsEmpty) RunningVariance[ch] = (float)((1.0 - Momentum) * RunningVariance[ch] + Momentum * (squares / (m - 1)));
                scale[i] = (Gamma.IsEmpty ? 1f : Gamma[ch]) * SavedInvStd[ch];
                shift[i] = Beta.IsEmpty ? 0f : Beta[ch];
            }

            // y = (x − mean)·scale + β with the saved (float) mean, as the per-channel code.
            var vMean = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(SavedMean), (nuint)c);
            var vScale = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(scale));
            var vShift = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(shift));
            ref float y0 = ref MemoryMarshal.GetReference(Y);
            for (int n = 0; n < Batch; n++)
            {
                nuint o = (nuint)(n * Channels + c);
                ((Vector512.LoadUnsafe(ref x0, o) - vMean) * vScale + vShift).StoreUnsafe(ref y0, o);
            }
        }
    }

    private ref struct BatchNormColumnsBackwardJob : IParallelJob
    {
        public Span<float> X, Gamma, SavedMean, SavedInvStd, Dy, Dx, DGamma, DBeta;
        public int Batch, Channels;
        public bool Training;

        public readonly void Execute(int start, int end, int part)
        {
            for (int block = start; block < end; block++)
            {
                int c = block * Lanes;
                if (c + Lanes > Channels)
                {
                    var job = new BatchNormBackwardJob
                    {
                        X = X, Gamma = Gamma, SavedMean = SavedMean, SavedInvStd = SavedInvStd,
                        Dy = Dy, Dx = Dx, DGamma = DGamma, DBeta = DBeta,
                        Batch = Batch, Channels = Channels, Spatial = 1, Training = Training,
                    };
                    job.Execute(c, Channels, 0);
                }
                else Block(c);
            }
        }

        private readonly void Block(int c)
        {
            ref float x0 = ref MemoryMarshal.GetReference(X);
            ref float dy0 = ref MemoryMarshal.GetReference(Dy);
            var vMean = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(SavedMean), (nuint)c);
            var (meanLo, meanHi) = Vector512.Widen(vMean);
            Vector512<double> sumLo = default, sumHi = default, centeredLo = default, centeredHi = default;
            for (int n = 0; n < Batch; n++)
            {
                nuint o = (nuint)(n * Channels + c);
                var (xLo, xHi) = Vector512.Widen(Vector512.LoadUnsafe(ref x0, o));
                var (dLo, dHi) = Vector512.Widen(Vector512.LoadUnsafe(ref dy0, o));
                sumLo += dLo; sumHi += dHi;
                centeredLo += dLo * (xLo - meanLo);
                centeredHi += dHi * (xHi - meanHi);
            }

            int m = Batch;
            Span<float> k = stackalloc float[Lanes];
            Span<float> a = stackalloc float[Lanes];
            Span<float> b = stackalloc float[Lanes];
            for (int i = 0; i < Lanes; i++)
            {
                int ch = c + i;
                double sumDy = i < Lanes / 2 ? sumLo[i] : sumHi[i - Lanes / 2];
                double sumDyCentered = i < Lanes / 2 ? centeredLo[i] : centeredHi[i - Lanes / 2];
                double invStd = SavedInvStd[ch];
                if (!DBeta.IsEmpty) DBeta[ch] += (float)sumDy;
                if (!DGamma.IsEmpty) DGamma[ch] += (float)(invStd * sumDyCentered);
                // The formula of BatchNormBackwardJob: dx += k·(dy − a − b·(x − mean)).
                k[i] = (float)((Gamma.IsEmpty ? 1.0 : Gamma[ch]) * invStd);
                a[i] = Training ? (float)(sumDy / m) : 0f;
                b[i] = Training ? (float)(invStd * invStd * sumDyCentered / m) : 0f;
            }
            if (Dx.IsEmpty) return;

            var vk = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(k));
            var va = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(a));
            var vb = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(b));
            ref float dx0 = ref MemoryMarshal.GetReference(Dx);
            for (int n = 0; n < Batch; n++)
            {
                nuint o = (nuint)(n * Channels + c);
                var d = Vector512.LoadUnsafe(ref dy0, o);
                var centered = Vector512.LoadUnsafe(ref x0, o) - vMean;
                (Vector512.LoadUnsafe(ref dx0, o) + vk * (d - va - vb * centered)).StoreUnsafe(ref dx0, o);
            }
        }
    }
}
