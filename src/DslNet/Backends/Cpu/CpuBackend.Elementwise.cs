using System;
using System.Numerics.Tensors;

namespace DslNet.Backends.Cpu;

// Element-wise utilities and merges: thin wrappers over TensorPrimitives, which is already SIMD.
public sealed partial class CpuBackend
{
    public override void Fill(BufferView destination, float value) => ElementwiseJobs.Fill(Pool, Host(destination), value);

    public override void Copy(BufferView source, BufferView destination)
    {
        RequireSameLength(source.Length, destination.Length, nameof(destination));
        Host(source).CopyTo(Host(destination));
    }

    public override void Accumulate(BufferView source, BufferView destination)
    {
        if (destination.IsEmpty) return;
        RequireSameLength(source.Length, destination.Length, nameof(destination));
        var d = Host(destination);
        TensorPrimitives.Add(d, Host(source), d);
    }

    public override void CopyBlocks(int blocks, int blockLength, BufferView source, int sourceStride, BufferView destination, int destinationStride)
    {
        var s = Host(source);
        var d = Host(destination);
        for (int i = 0; i < blocks; i++)
            s.Slice(i * sourceStride, blockLength).CopyTo(d.Slice(i * destinationStride, blockLength));
    }

    public override void AccumulateBlocks(int blocks, int blockLength, BufferView source, int sourceStride, BufferView destination, int destinationStride)
    {
        if (destination.IsEmpty) return;
        var s = Host(source);
        var d = Host(destination);
        for (int i = 0; i < blocks; i++)
        {
            var target = d.Slice(i * destinationStride, blockLength);
            TensorPrimitives.Add(target, s.Slice(i * sourceStride, blockLength), target);
        }
    }

    public override void Add(BufferView a, BufferView b, BufferView y)
    {
        RequireSameLength(a.Length, b.Length, nameof(b));
        RequireSameLength(a.Length, y.Length, nameof(y));
        TensorPrimitives.Add(Host(a), Host(b), Host(y));
    }

    public override void Multiply(BufferView a, BufferView b, BufferView y)
    {
        RequireSameLength(a.Length, b.Length, nameof(b));
        RequireSameLength(a.Length, y.Length, nameof(y));
        TensorPrimitives.Multiply(Host(a), Host(b), Host(y));
    }

    public override void MultiplyBackward(BufferView a, BufferView b, BufferView dy, BufferView da, BufferView db)
    {
        // da += dy ⊙ b ; db += dy ⊙ a  (FusedMultiplyAdd computes x·y + z)
        if (!da.IsEmpty) { var t = Host(da); TensorPrimitives.FusedMultiplyAdd(Host(dy), Host(b), t, t); }
        if (!db.IsEmpty) { var t = Host(db); TensorPrimitives.FusedMultiplyAdd(Host(dy), Host(a), t, t); }
    }
}
