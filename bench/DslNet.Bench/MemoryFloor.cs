using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DslNet.Backends.Cpu;

namespace DslNet.Bench;

/// <summary>
/// The memory floor of W1 batch-1 inference (--floor): at batch 1 each call reads all 2.1 MB of W1's
/// weights once, more than the 1 MB L2 of a core, so a call cannot be faster than one sweep over that
/// many bytes. This times such sweeps (16-lane reads, eight independent sums, so no add chain limits
/// them): over a buffer that fits L2, over 2.13 MB (W1's weights) in the same direction every call and
/// alternating, and over 2.13 MB last read four calls earlier (so none of it is in L2: the L3 rate);
/// then the three one-row products of the forward pass (Gemm.Multiply, one thread, no bias or ReLU),
/// so the network's time can be compared with what the memory allows.
/// </summary>
internal static unsafe class MemoryFloor
{
    private const int W1Weights = 784 * 512 + 512 * 256 + 256 * 10;

    public static List<Dictionary<string, object?>> Run(double targetS)
    {
        var rows = new List<Dictionary<string, object?>>();
        Console.WriteLine($"{"W1 b1 memory floor (1 thread)",-46} {"median us",11} {"min us",11}  GB/s at median");
        void Row(string name, long bytes, Action fn)
        {
            var r = Timing.Measure(fn, targetS, minReps: 1000);
            double gbs = bytes / (r.MedianMs * 1e-3) / 1e9;
            Console.WriteLine($"{name,-46} {r.MedianMs * 1e3,11:F2} {r.MinMs * 1e3,11:F2}  {gbs,6:F1}");
            rows.Add(new() { ["workload"] = name, ["median_us"] = r.MedianMs * 1e3, ["min_us"] = r.MinMs * 1e3, ["bytes"] = bytes, ["gb_per_s"] = gbs });
        }

        ArraySegment<float> big = Filled(W1Weights), small = Filled(128 * 1024);
        Row("read 0.5 MB (fits L2)", 4L * small.Count, () => s_sink += Sweep(small, reverse: false));
        Row("read 2.13 MB (W1 weights' size)", 4L * W1Weights, () => s_sink += Sweep(big, reverse: false));
        bool reverse = false;
        Row("read 2.13 MB, direction alternating", 4L * W1Weights, () => s_sink += Sweep(big, reverse = !reverse));
        ArraySegment<float>[] rotation = { big, Filled(W1Weights), Filled(W1Weights), Filled(W1Weights) };
        int next = 0;
        Row("read 2.13 MB not in L2 (one of 4 in turn)", 4L * W1Weights, () => s_sink += Sweep(rotation[next++ & 3], reverse: false));

        ArraySegment<float> w1 = Filled(784 * 512), w2 = Filled(512 * 256), w3 = Filled(256 * 10);
        ArraySegment<float> x = Filled(784), h1 = Filled(512), h2 = Filled(256), y = Filled(10);
        Row("x·W1ᵀ 784→512", 4L * w1.Count, () => Gemm.Multiply(false, true, 1, 512, 784, x, 784, w1, 784, h1, 512, 0f));
        Row("h·W2ᵀ 512→256", 4L * w2.Count, () => Gemm.Multiply(false, true, 1, 256, 512, h1, 512, w2, 512, h2, 256, 0f));
        Row("h·W3ᵀ 256→10", 4L * w3.Count, () => Gemm.Multiply(false, true, 1, 10, 256, h2, 256, w3, 256, y, 10, 0f));
        Row("the three products in turn", 4L * W1Weights, () =>
        {
            Gemm.Multiply(false, true, 1, 512, 784, x, 784, w1, 784, h1, 512, 0f);
            Gemm.Multiply(false, true, 1, 256, 512, h1, 512, w2, 512, h2, 256, 0f);
            Gemm.Multiply(false, true, 1, 10, 256, h2, 256, w3, 256, y, 10, 0f);
        });
        ArraySegment<float> x4 = Filled(4 * 784), h4 = Filled(4 * 512);
        Row("x·W1ᵀ 784→512 at batch 4", 4L * w1.Count, () => Gemm.Multiply(false, true, 4, 512, 784, x4, 784, w1, 784, h4, 512, 0f));
        return rows;
    }

    private static float s_sink;

    /// <summary>
    /// Random values starting on a 64-byte line, as the network's buffers do (CpuBuffer): unaligned,
    /// every 64-byte load would touch two lines.
    /// </summary>
    private static ArraySegment<float> Filled(int length)
    {
        var values = GC.AllocateUninitializedArray<float>(length + 15, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(values));
        int start = (int)((64 - (address & 63)) & 63) / sizeof(float);
        var random = new Random(7);
        for (int i = 0; i < length; i++) values[start + i] = random.NextSingle() - 0.5f;
        return new ArraySegment<float>(values, start, length);
    }

    /// <summary>Sums the buffer's whole 128-float blocks, first to last or last to first, in eight independent sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sweep(ArraySegment<float> data, bool reverse)
    {
        ref float d = ref data.Array![data.Offset];
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default,
            a4 = default, a5 = default, a6 = default, a7 = default;
        nuint blocks = (nuint)(data.Count / 128);
        for (nuint q = 0; q < blocks; q++)
        {
            nuint i = 128 * (reverse ? blocks - 1 - q : q);
            a0 += Vector512.LoadUnsafe(ref d, i);
            a1 += Vector512.LoadUnsafe(ref d, i + 16);
            a2 += Vector512.LoadUnsafe(ref d, i + 32);
            a3 += Vector512.LoadUnsafe(ref d, i + 48);
            a4 += Vector512.LoadUnsafe(ref d, i + 64);
            a5 += Vector512.LoadUnsafe(ref d, i + 80);
            a6 += Vector512.LoadUnsafe(ref d, i + 96);
            a7 += Vector512.LoadUnsafe(ref d, i + 112);
        }
        return Vector512.Sum((a0 + a1) + (a2 + a3) + ((a4 + a5) + (a6 + a7)));
    }
}
