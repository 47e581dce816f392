using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DslNet.Backends.Cpu;

/// <summary>Host memory for the CPU backend: a managed array, allocated once.</summary>
public sealed unsafe class CpuBuffer : DeviceBuffer
{
    /// <summary>Floats in a 64-byte cache line (one AVX-512 vector).</summary>
    private const int LineFloats = 16;

    internal CpuBuffer(Backend owner, int length) : base(owner, length)
    {
        // Pinned (on the pinned object heap) so kernels may take raw pointers without fixed blocks, and
        // so the element 0 found here stays on a cache-line boundary. The array's own data is only
        // 8-byte aligned, at an address that changes from run to run: a layer whose planes are whole
        // vectors would otherwise split every vector load and store across two lines in some runs and
        // not in others (the W2 step at 2 threads moved between ~1.4 and ~2.4 ms from run to run).
        // Allocated uninitialised so that huge pages can be asked for before the first write (which is
        // when the kernel picks the page size), then zeroed here: Allocate promises zeros.
        Array = GC.AllocateUninitializedArray<float>(length + LineFloats - 1, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Array));
        HugePages.Advise(address, (long)Array.Length * sizeof(float));
        System.Array.Clear(Array);
        Start = (int)((64 - (address & 63)) & 63) / sizeof(float);
    }

    /// <summary>The backing array; the buffer's elements are Array[Start .. Start + Length).</summary>
    internal float[] Array { get; }

    /// <summary>Index in <see cref="Array"/> of element 0, the first on a 64-byte boundary.</summary>
    internal int Start { get; }

    /// <summary>The elements [offset, offset + length) of this buffer.</summary>
    internal Span<float> Elements(int offset, int length) => Array.AsSpan(Start + offset, length);
}
