using System;
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
}
