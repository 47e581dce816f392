using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using Xunit;

namespace DslNet.Tests.Kernels;

public class CpuBufferTests
{
    /// <summary>
    /// Every buffer starts on a 64-byte line, whatever address its array landed at: kernels whose
    /// planes are whole AVX-512 vectors rely on it to keep loads and stores within one line.
    /// </summary>
    [Fact]
    public unsafe void Buffers_start_on_a_cache_line_and_keep_their_length()
    {
        using var backend = new CpuBackend(1);
        var buffers = new DeviceBuffer[40];
        for (int i = 0; i < buffers.Length; i++)
        {
            // Lengths of every remainder mod 16, so consecutive arrays land at differing alignments.
            int length = 1 + 7 * i;
            buffers[i] = backend.Allocate(length);
            var span = buffers[i].View.Span;
            Assert.Equal(length, span.Length);
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));
            Assert.True(address % 64 == 0, $"buffer {i} (length {length}) starts at an address ≡ {address % 64} mod 64");

            // The whole length is usable and separate from the neighbouring buffer.
            span.Fill(i);
        }
        for (int i = 0; i < buffers.Length; i++)
            Assert.All(buffers[i].View.Span.ToArray(), v => Assert.Equal(i, v));
    }

    /// <summary>
    /// Large buffers are allocated uninitialised (so huge pages can be asked for before the first
    /// write) and then zeroed: Allocate promises zeros even where the pinned heap hands back memory a
    /// dropped buffer filled with garbage.
    /// </summary>
    [Fact]
    public void Large_buffers_are_zero_filled_even_in_reused_memory()
    {
        using var backend = new CpuBackend(1);
        const int length = 3 << 20; // 12 MiB: above HugePages.MinimumBytes
        for (int round = 0; round < 4; round++)
        {
            var buffer = backend.Allocate(length);
            var span = buffer.View.Span;
            int nonZero = span.IndexOfAnyExcept(0f);
            Assert.True(nonZero < 0, $"round {round}: element {nonZero} of a fresh buffer is {(nonZero < 0 ? 0 : span[nonZero])}, not 0");
            span.Fill(float.NaN);
            buffer = null!;
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>
    /// On Linux, the 2 MiB pages inside a large buffer are advised for transparent huge pages: with the
    /// kernel's usual "madvise" mode the mapping that holds them must report THPeligible 1 (it is 0
    /// without the advice); with "always" every mapping is eligible and with "never" none is.
    /// </summary>
    [Fact]
    public unsafe void Large_buffers_are_eligible_for_huge_pages_as_the_kernel_mode_allows()
    {
        Assert.True(OperatingSystem.IsLinux() || !File.Exists("/proc/self/smaps"));
        if (!OperatingSystem.IsLinux()) return; // the advice is Linux-only (the assert above keeps the test honest)
        string mode = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled");
        mode = mode[(mode.IndexOf('[') + 1)..mode.IndexOf(']')];

        using var backend = new CpuBackend(1);
        var buffer = backend.Allocate(6 << 20); // 24 MiB
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer.View.Span));
        nint inside = ((start + (4 << 20)) >> 21) << 21; // a 2 MiB page wholly inside the buffer
        bool eligible = ThpEligible(inside);
        Assert.Equal(mode != "never", eligible);
    }

    /// <summary>The THPeligible flag of the /proc/self/smaps mapping that contains <paramref name="address"/>.</summary>
    private static bool ThpEligible(nint address)
    {
        bool inMapping = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            // A mapping's header starts with its range, "start-end" in hex; its fields ("Size:", ...) follow.
            string first = line.Split(' ', 2)[0];
            int dash = first.IndexOf('-');
            if (dash > 0 && IsHex(first[..dash]) && IsHex(first[(dash + 1)..]))
            {
                long from = Convert.ToInt64(first[..dash], 16), to = Convert.ToInt64(first[(dash + 1)..], 16);
                inMapping = from <= address && address < to;
            }
            else if (inMapping && line.StartsWith("THPeligible:", StringComparison.Ordinal))
                return line.Split(':')[1].Trim() == "1";
        }
        throw new InvalidOperationException($"No mapping in /proc/self/smaps holds address 0x{address:x}.");
    }

    private static bool IsHex(string text) => text.Length > 0 && text.All(Uri.IsHexDigit);
}
