using System;

namespace DslNet.Backends.Cpu;

/// <summary>Host memory for the CPU backend: a managed array, allocated once.</summary>
public sealed class CpuBuffer : DeviceBuffer
{
    internal CpuBuffer(Backend owner, int length) : base(owner, length)
    {
        // Pinned (on the pinned object heap) so kernels may take raw pointers without fixed blocks.
        Array = GC.AllocateArray<float>(length, pinned: true);
    }

    internal float[] Array { get; }
}
