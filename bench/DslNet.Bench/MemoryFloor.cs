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
/// many bytes. This times such a sweep (a plain 16-lane read, four independent sums), a sweep over
/// a buffer that fits L2, and the three one-row products of the forward pass (Gemm.Multiply, one thread,
/// no bias or ReLU), so the network's time can be compared with what the memory allows.
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

        float[] big = Filled(W1Weights), small = Filled(128 * 1024);
        Row("read 2.13 MB (W1 weights' size)", 4L * W1Weights, () => s_sink += Sweep(big));
        Row("read 0.5 MB (fits L2)", 4L * small.Length, () => s_sink += Sweep(small));

        float[] w1 = Filled(784 * 512), w2 = Filled(512 * 256), w3 = Filled(256 * 10);
        float[] x = Filled(784), h1 = new float[512], h2 = new float[256], y = new float[10];
        Row("x·W1ᵀ 784→512", 4L * w1.Length, () => Gemm.Multiply(false, true, 1, 512, 784, x, 784, w1, 784, h1, 512, 0f));
        Row("h·W2ᵀ 512→256", 4L * w2.Length, () => Gemm.Multiply(false, true, 1, 256, 512, h1, 512, w2, 512, h2, 256, 0f));
        Row("h·W3ᵀ 256→10", 4L * w3.Length, () => Gemm.Multiply(false, true, 1, 10, 256, h2, 256, w3, 256, y, 10, 0f));
        Row("the three products in turn", 4L * W1Weights, () =>
        {
            Gemm.Multiply(false, true, 1, 512, 784, x, 784, w1, 784, h1, 512, 0f);
            Gemm.Multiply(false, true, 1, 256, 512, h1, 512, w2, 512, h2, 256, 0f);
            Gemm.Multiply(false, true, 1, 10, 256, h2, 256, w3, 256, y, 10, 0f);
        });
        float[] x4 = Filled(4 * 784), h4 = new float[4 * 512];
        Row("x·W1ᵀ 784→512 at batch 4", 4L * w1.Length, () => Gemm.Multiply(false, true, 4, 512, 784, x4, 784, w1, 784, h4, 512, 0f));
        return rows;
    }

    private static float s_sink;

    private static float[] Filled(int length)
    {
        var values = GC.AllocateUninitializedArray<float>(length, pinned: true);
        var random = new Random(7);
        for (int i = 0; i < length; i++) values[i] = random.NextSingle() - 0.5f;
        return values;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sweep(float[] data)
    {
        ref float d = ref MemoryMarshal.GetArrayDataReference(data);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0, end = (nuint)(data.Length & ~63);
        for (; i < end; i += 64)
        {
            a0 += Vector512.LoadUnsafe(ref d, i);
            a1 += Vector512.LoadUnsafe(ref d, i + 16);
            a2 += Vector512.LoadUnsafe(ref d, i + 32);
            a3 += Vector512.LoadUnsafe(ref d, i + 48);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3);
    }
}
