using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DslNet.Training;

/// <summary>
/// Gradient clipping over a whole (contiguous) gradient buffer, as PyTorch's clip_grad_norm_ and
/// clip_grad_value_. Every optimizer applies these through its <see cref="Optimizer.ClipGradientNorm"/>
/// and <see cref="Optimizer.ClipGradientValue"/> options; they are public for custom loops.
/// </summary>
public static class GradientClipping
{
    /// <summary>‖g‖₂ over all elements, summed in double. NaN if any element is NaN, ∞ if any is ∞.</summary>
    public static double GlobalNorm(ReadOnlySpan<float> gradients)
    {
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated && gradients.Length >= Vector<float>.Count)
        {
            var acc = Vector<double>.Zero;
            foreach (var v in MemoryMarshal.Cast<float, Vector<float>>(gradients))
            {
                Vector.Widen(v, out var lo, out var hi);
                acc += lo * lo + hi * hi;
            }
            total = Vector.Sum(acc);
            i = gradients.Length - gradients.Length % Vector<float>.Count;
        }
        for (; i < gradients.Length; i++) total += (double)gradients[i] * gradients[i];
        return Math.Sqrt(total);
    }

    /// <summary>
    /// Scales <paramref name="gradients"/> in place so that their global norm is at most
    /// <paramref name="maxNorm"/> (exactly <paramref name="maxNorm"/> when it was larger), and returns
    /// the norm before clipping. Unlike PyTorch no 1e−6 is added to the norm, so the result is exact.
    /// </summary>
    /// <exception cref="InvalidOperationException">The norm is NaN or ∞; the gradients are unchanged.</exception>
    public static double ClipByNorm(Span<float> gradients, double maxNorm)
    {
        HyperParameter.Positive(maxNorm, nameof(maxNorm));
        double norm = GlobalNorm(gradients);
        if (!double.IsFinite(norm))
            throw new InvalidOperationException($"The gradient norm is {norm}; gradients with NaN or ∞ cannot be clipped.");
        if (norm > maxNorm) Scale(gradients, maxNorm / norm);
        return norm;
    }

    /// <summary>Clamps every element of <paramref name="gradients"/> to [−limit, limit] in place.</summary>
    public static void ClipByValue(Span<float> gradients, double limit)
    {
        HyperParameter.Positive(limit, nameof(limit));
        float l = (float)limit;
        TensorPrimitives.Min(gradients, l, gradients);
        TensorPrimitives.Max(gradients, -l, gradients);
    }

    internal static void Scale(Span<float> gradients, double factor) =>
        TensorPrimitives.Multiply(gradients, (float)factor, gradients);
}
