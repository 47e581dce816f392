using System;
using System.Numerics.Tensors;

namespace DslNet.Backends.Cpu;

// Losses, PyTorch's definitions and default reduction ('mean'). The loss is summed in double; the
// gradient ∂loss/∂output OVERWRITES dOutput (it starts the backward pass), unless dOutput is empty.
public sealed partial class CpuBackend
{
    /// <summary>PyTorch's BCELoss clamps each log term at −100, so p = 0 or 1 gives a finite loss.</summary>
    private const double BceLogClamp = -100.0;

    /// <summary>PyTorch's BCELoss backward divides by max(p(1 − p), 1e-12).</summary>
    private const double BceGradientEpsilon = 1e-12;

    public override float ComputeLoss(Loss kind, int batch, int features, BufferView output, ReadOnlySpan<float> targets, BufferView dOutput)
    {
        switch (kind)
        {
            case Loss.MeanSquaredError:
            case Loss.MeanAbsoluteError:
            case Loss.BinaryCrossEntropy:
            case Loss.BinaryCrossEntropyWithLogits:
                break;
            case Loss.SoftmaxCrossEntropy:
            case Loss.NllLoss:
                throw new ArgumentException($"{kind} needs integer class labels (one int per sample), not float targets.", nameof(targets));
            default:
                throw new ArgumentException($"{kind} is not a loss the CPU backend can compute.", nameof(kind));
        }
        int count = LossElements(batch, features);
        RequireSameLength(count, output.Length, nameof(output));
        RequireSameLength(count, targets.Length, nameof(targets));
        if (!dOutput.IsEmpty) RequireSameLength(count, dOutput.Length, nameof(dOutput));

        var o = Host(output);
        var d = Host(dOutput); // empty span when no gradient is wanted
        bool wantGradient = !d.IsEmpty;
        double inv = 1.0 / count;
        double sum = 0;
        switch (kind)
        {
            case Loss.MeanSquaredError:
                // mean (o − t)², gradient 2(o − t)/n
                for (int i = 0; i < count; i++)
                {
                    double diff = (double)o[i] - targets[i];
                    sum += diff * diff;
                    if (wantGradient) d[i] = (float)(2.0 * diff * inv);
                }
                break;
            case Loss.MeanAbsoluteError:
                // mean |o − t|, gradient sign(o − t)/n with sign(0) = 0 (PyTorch's subgradient)
                for (int i = 0; i < count; i++)
                {
                    double diff = (double)o[i] - targets[i];
                    sum += Math.Abs(diff);
                    if (wantGradient) d[i] = (float)(Math.Sign(diff) * inv);
                }
                break;
            case Loss.BinaryCrossEntropy:
                // −[t·log p + (1 − t)·log(1 − p)], each log clamped at −100;
                // gradient (p − t) / max(p(1 − p), 1e-12) / n. p outside [0, 1] gives NaN (not checked).
                for (int i = 0; i < count; i++)
                {
                    double p = o[i], t = targets[i];
                    double logP = Math.Max(Math.Log(p), BceLogClamp);
                    double log1MinusP = Math.Max(Math.Log(1.0 - p), BceLogClamp); // 1 − p is exact in double
                    sum -= t * logP + (1.0 - t) * log1MinusP;
                    if (wantGradient) d[i] = (float)((p - t) / Math.Max(p * (1.0 - p), BceGradientEpsilon) * inv);
                }
                break;
            case Loss.BinaryCrossEntropyWithLogits:
                // Stable form: max(x, 0) − x·t + log(1 + e^(−|x|)); gradient (σ(x) − t)/n
                for (int i = 0; i < count; i++)
                {
                    double x = o[i], t = targets[i];
                    double e = Math.Exp(-Math.Abs(x));
                    sum += Math.Max(x, 0.0) - x * t + Log1P(e);
                    if (wantGradient)
                    {
                        double sigmoid = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
                        d[i] = (float)((sigmoid - t) * inv);
                    }
                }
                break;
        }
        return (float)(sum * inv);
    }

    public override float ComputeLoss(Loss kind, int batch, int features, BufferView output, ReadOnlySpan<int> labels, BufferView dOutput)
    {
        switch (kind)
        {
            case Loss.SoftmaxCrossEntropy:
            case Loss.NllLoss:
                break;
            case Loss.MeanSquaredError:
            case Loss.MeanAbsoluteError:
            case Loss.BinaryCrossEntropy:
            case Loss.BinaryCrossEntropyWithLogits:
                throw new ArgumentException($"{kind} needs float targets (one per output element), not integer class labels.", nameof(labels));
            default:
                throw new ArgumentException($"{kind} is not a loss the CPU backend can compute.", nameof(kind));
        }
        int count = LossElements(batch, features);
        RequireSameLength(count, output.Length, nameof(output));
        RequireSameLength(batch, labels.Length, nameof(labels));
        if (!dOutput.IsEmpty) RequireSameLength(count, dOutput.Length, nameof(dOutput));
        for (int n = 0; n < batch; n++)
        {
            if ((uint)labels[n] >= (uint)features)
                throw new ArgumentException(
                    $"Label {labels[n]} of sample {n} is outside the {features} classes [0, {features}).", nameof(labels));
        }

        var o = Host(output);
        var d = Host(dOutput);
        bool wantGradient = !d.IsEmpty;
        double invBatch = 1.0 / batch;
        double sum = 0;
        Span<float> t = stackalloc float[ChunkLength];
        for (int n = 0; n < batch; n++)
        {
            var row = o.Slice(n * features, features);
            int label = labels[n];
            if (kind == Loss.NllLoss)
            {
                // −log p[label] with the row holding log-probabilities; gradient −1/batch at the label.
                sum -= row[label];
                if (wantGradient)
                {
                    var dr = d.Slice(n * features, features);
                    dr.Clear();
                    dr[label] = (float)-invBatch;
                }
                continue;
            }

            // Fused log-softmax + NLL: loss = log Σ e^(x − max) − (x[label] − max).
            float max = TensorPrimitives.Max(row);
            float target = row[label]; // read before the gradient may overwrite it (dOutput aliasing output)
            double sumExp = 0;
            for (int start = 0; start < features; start += ChunkLength)
            {
                int len = Math.Min(ChunkLength, features - start);
                var tc = t[..len];
                TensorPrimitives.Subtract(row.Slice(start, len), max, tc);
                TensorPrimitives.Exp(tc, tc);
                sumExp += TensorPrimitives.Sum(tc);
            }
            sum += Math.Log(sumExp) - ((double)target - max);
            if (wantGradient)
            {
                // (softmax − onehot)/batch
                var dr = d.Slice(n * features, features);
                float scale = (float)(invBatch / sumExp);
                TensorPrimitives.Subtract(row, max, dr);
                TensorPrimitives.Exp(dr, dr);
                TensorPrimitives.Multiply(dr, scale, dr);
                dr[label] -= (float)invBatch;
            }
        }
        return (float)(sum * invBatch);
    }

    private static int LossElements(int batch, int features)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "A loss needs at least one sample.");
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), features, "A loss needs at least one output feature.");
        return checked(batch * features);
    }
}
