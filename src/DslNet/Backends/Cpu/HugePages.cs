using System;
using System.Runtime.InteropServices;

namespace DslNet.Backends.Cpu;

/// <summary>
/// Asks Linux to back large buffers with 2 MiB pages (transparent huge pages). With 4 KiB pages a
/// kernel streaming through a 25 MB activation (W3's conv2 output) crosses a page every 1,024 floats:
/// each crossing costs a TLB miss, and the hardware prefetchers stop at page boundaries, so every
/// stream restarts its prefetch every 4 KiB. Most distributions leave THP at "madvise", i.e. only
/// for ranges that ask, which is what this does.
/// </summary>
internal static partial class HugePages
{
    private const nint PageBytes = 2 << 20;
    private const int MadviseHugePage = 14; // MADV_HUGEPAGE in <sys/mman.h> on every Linux architecture

    /// <summary>Buffers smaller than this gain little (they span few 2 MiB pages) and stay as they are.</summary>
    public const long MinimumBytes = 4L << 20;

    /// <summary>
    /// Advises huge pages for the 2 MiB-aligned pages inside [start, start + bytes). Only pages not yet
    /// touched get them at their first write, so call it before the memory is first written. Advice
    /// only: when the kernel refuses (no THP, another OS) the memory works the same with small pages.
    /// </summary>
    public static void Advise(nint start, long bytes)
    {
        if (!OperatingSystem.IsLinux() || bytes < MinimumBytes) return;
        nint first = (start + PageBytes - 1) & ~(PageBytes - 1);
        nint end = (nint)(start + bytes) & ~(PageBytes - 1);
        if (end <= first) return;
        try { _ = madvise(first, (nuint)(end - first), MadviseHugePage); }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int madvise(nint address, nuint length, int advice);
}
