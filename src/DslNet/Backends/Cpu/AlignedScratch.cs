using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DslNet.Backends.Cpu;

/// <summary>
/// Per-thread kernel scratch: a pinned array, grown on demand and then reused (no allocation per call),
/// handed out as a pointer on a 64-byte boundary. The array's data itself is only 8-byte aligned, at an
/// address that varies between runs, so without the rounding whole-vector rows would split every load
/// across two cache lines in some runs only (W2's 2-thread step moved between ~1.5 and ~2.5 ms by run).
/// </summary>
internal static unsafe class AlignedScratch
{
    // 64 elements of slack cover the ≤ 63 bytes of rounding for any element type.
    private const int Slack = 64;

    public static T* Get<T>(ref T[]? buffer, long length, string kernel) where T : unmanaged
    {
        long padded = length + Slack;
        if (padded > Array.MaxLength)
            throw new InvalidOperationException($"{kernel} scratch of {length} elements is too large.");
        if (buffer is null || buffer.Length < padded) buffer = GC.AllocateArray<T>((int)Math.Max(padded, 2 * Slack), pinned: true);
        byte* p = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (T*)(p + ((64 - ((nint)p & 63)) & 63));
    }
}
