using System;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

internal static unsafe partial class DirectConvolution
{
    /// <summary>
    /// Where the parts of a weight-gradient pass add their dW and db: part 0 straight into the caller's
    /// gradients, part p into zeroed slot p − 1 of this thread's scratch (dW, then db), which
    /// <see cref="AddInto"/> then adds in part order, so the sum depends only on the split.
    /// </summary>
    private readonly struct PartSums
    {
        private readonly float* _slots;
        private readonly int _weights, _slotLength;

        public PartSums(in Conv2DGeometry g, int parts)
        {
            _weights = g.WeightCount;
            _slotLength = g.WeightCount + g.OutChannels;
            _slots = parts > 1 ? Scratch(ref t_partials, (parts - 1) * _slotLength) : null;
            if (parts > 1) new Span<float>(_slots, (parts - 1) * _slotLength).Clear();
        }

        public float* WeightTarget(float* dWeight, int part) =>
            dWeight == null ? null : part == 0 ? dWeight : _slots + (long)(part - 1) * _slotLength;

        public float* BiasTarget(float* dBias, int part) =>
            dBias == null ? null : part == 0 ? dBias : _slots + (long)(part - 1) * _slotLength + _weights;

        public void AddInto(int parts, Span<float> dWeight, Span<float> dBias)
        {
            for (int p = 1; p < parts; p++)
            {
                float* slot = _slots + (long)(p - 1) * _slotLength;
                if (!dWeight.IsEmpty) TensorPrimitives.Add(dWeight, new ReadOnlySpan<float>(slot, _weights), dWeight);
                if (!dBias.IsEmpty) TensorPrimitives.Add(dBias, new ReadOnlySpan<float>(slot + _weights, dBias.Length), dBias);
            }
        }
    }

    /// <summary>target[0..count) += source[0..count), 16 lanes at a time, the last run masked.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static void AddRow(float* target, float* source, int count)
    {
        for (int c = 0; c < count; c += 16)
        {
            int n = Math.Min(16, count - c);
            if (n == 16)
            {
                Vector512.Store(Vector512.Load(target + c) + Vector512.Load(source + c), target + c);
            }
            else
            {
                var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n)).AsSingle();
                var sum = Avx512F.MaskLoad(target + c, mask, Vector512<float>.Zero) + Avx512F.MaskLoad(source + c, mask, Vector512<float>.Zero);
                Avx512F.MaskStore(target + c, mask, sum);
            }
        }
    }
}
