using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DslNet.Backends.Cpu;

/// <summary>
/// The activations Conv2D and Dense apply themselves (<see cref="Backend.CanFuseActivation"/>):
/// the forward map in place on freshly computed outputs, and dz = dy ⊙ f'(y) from the activated output.
/// Both give exactly the values of the separate kernels in CpuBackend.Activations.cs (same formulas,
/// same IEEE max for ReLU), so fusing changes no result.
/// </summary>
internal static class FusedActivation
{
    // dz of a backward call, per thread (CpuBackend.Default is shared across threads); grown to the
    // largest layer seen, so later calls allocate nothing.
    [ThreadStatic] private static float[]? t_gradient;

    /// <summary>
    /// dy itself for Identity; otherwise dz = dy ⊙ f'(y) in per-thread scratch, valid until the next
    /// call on this thread.
    /// </summary>
    public static ReadOnlySpan<float> GradientOfInput(ActivationKind kind, float alpha, ReadOnlySpan<float> y, ReadOnlySpan<float> dy)
    {
        if (kind == ActivationKind.Identity) return dy;
        var buffer = t_gradient;
        if (buffer is null || buffer.Length < dy.Length) t_gradient = buffer = new float[dy.Length];
        var dz = buffer.AsSpan(0, dy.Length);
        Gradient(kind, alpha, y, dy, dz);
        return dz;
    }

    /// <summary>Throws unless the kind can be fused; <paramref name="kernel"/> names the caller in the message.</summary>
    public static void Require(ActivationKind kind, float alpha, string kernel)
    {
        if (!Backend.CanFuseActivation(kind, alpha))
            throw new ArgumentException(
                $"{kernel} cannot fuse {kind} (alpha {alpha}): its derivative is not a function of its output; "
                + "fusable are Identity, ReLU, Sigmoid, Tanh and LeakyReLU with alpha ≥ 0. Apply it with ActivationForward/ActivationBackward.",
                "activation");
    }

    /// <summary>values = f(values).</summary>
    public static void Apply(ActivationKind kind, float alpha, Span<float> values)
    {
        switch (kind)
        {
            case ActivationKind.Identity:
                break;
            case ActivationKind.ReLU:
                TensorPrimitives.Max(values, 0f, values); // IEEE maximum: NaN stays NaN, as the ReLU kernel
                break;
            case ActivationKind.LeakyReLU:
                for (int i = 0; i < values.Length; i++) { float v = values[i]; values[i] = v > 0f ? v : alpha * v; }
                break;
            case ActivationKind.Sigmoid:
                TensorPrimitives.Sigmoid(values, values);
                break;
            case ActivationKind.Tanh:
                TensorPrimitives.Tanh(values, values);
                break;
            default:
                throw new ArgumentException($"{kind} is not a fusable activation.", nameof(kind));
        }
    }

    /// <summary>dz = dy ⊙ f'(y) (overwritten), f' written in terms of the output y.</summary>
    public static void Gradient(ActivationKind kind, float alpha, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz)
    {
        switch (kind)
        {
            case ActivationKind.Identity:
                dy.CopyTo(dz);
                break;
            case ActivationKind.ReLU:
                ReluGradient(y, dy, dz);
                break;
            case ActivationKind.LeakyReLU:
                // alpha ≥ 0, so y > 0 exactly where x > 0 (a NaN y gives alpha·dy, as x = NaN does).
                for (int i = 0; i < dz.Length; i++) dz[i] = y[i] > 0f ? dy[i] : alpha * dy[i];
                break;
            case ActivationKind.Sigmoid:
                for (int i = 0; i < dz.Length; i++) { float v = y[i]; dz[i] = dy[i] * v * (1f - v); }
                break;
            case ActivationKind.Tanh:
                for (int i = 0; i < dz.Length; i++) { float v = y[i]; dz[i] = dy[i] * (1f - v * v); }
                break;
            default:
                throw new ArgumentException($"{kind} is not a fusable activation.", nameof(kind));
        }
    }

    /// <summary>
    /// dy · f'(y) for one element, by the same expressions as <see cref="Gradient(ActivationKind, float, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    /// (the max-pool backward fused with the activation uses it, and must give what the layer's own backward would).
    /// </summary>
    public static float ElementGradient(ActivationKind kind, float alpha, float y, float dy) => kind switch
    {
        ActivationKind.Identity => dy,
        ActivationKind.ReLU => y > 0f ? dy : 0f,
        ActivationKind.LeakyReLU => y > 0f ? dy : alpha * dy,
        ActivationKind.Sigmoid => dy * y * (1f - y),
        ActivationKind.Tanh => dy * (1f - y * y),
        _ => throw new ArgumentException($"{kind} is not a fusable activation.", nameof(kind)),
    };

    /// <summary>dz = y &gt; 0 ? dy : 0 (y = max(x, 0) is positive exactly where x is; NaN passes nothing).</summary>
    public static void ReluGradient(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float yr = ref MemoryMarshal.GetReference(y);
            ref float gr = ref MemoryMarshal.GetReference(dy);
            ref float dr = ref MemoryMarshal.GetReference(dz);
            for (; i <= dz.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var positive = Vector512.GreaterThan(Vector512.LoadUnsafe(ref yr, (nuint)i), Vector512<float>.Zero);
                (positive & Vector512.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < dz.Length; i++) dz[i] = y[i] > 0f ? dy[i] : 0f;
    }
}
