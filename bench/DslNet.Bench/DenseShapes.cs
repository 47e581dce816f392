using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using DslNet.Backends;
using DslNet.Backends.Cpu;

namespace DslNet.Bench;

/// <summary>
/// <c>--dense</c>: times W3's dense layer (12544→128, batch 128, fused ReLU) alone, product by product,
/// at each requested thread count: the three GEMMs as DenseForward and DenseBackward issue them
/// (forward y = x·Wᵀ onto the bias: M = N = 128, K = 12544; backward dx += dz·W and dW += dzᵀ·x:
/// M = 128, N = 12544, K = 128), then the two whole kernels. The operands (25 MB) stay in L3 between
/// calls here unless --cold is given (64 MB written between calls, as a training step's convolutions
/// do); the step's profile is the judge, this shows what the products themselves run at.
/// </summary>
internal static class DenseShapes
{
    private const int Batch = 128, In = 12544, Out = 128;

    public static List<Dictionary<string, object?>> Run(IEnumerable<int> threadCounts, double targetS, bool cold)
    {
        var rows = new List<Dictionary<string, object?>>();
        var random = new Random(99);
        float[] x = Uniform(random, Batch * In), w = Uniform(random, Out * In), dz = Uniform(random, Batch * Out);
        float[] y = new float[Batch * Out], dx = new float[Batch * In], dw = new float[Out * In];
        double flops = 2.0 * Batch * In * Out;
        Console.WriteLine($"{(cold ? "W3 dense 12544->128 b128, cold" : "W3 dense 12544->128 b128"),-40} {"thr",3} {"median ms",10} {"min ms",9}  GFLOP/s median (best)");
        foreach (int threads in threadCounts)
        {
            using var backend = new CpuBackend(threads);
            var pool = backend.Pool;
            void Row(string name, double work, Action fn)
            {
                // Wall time and the calling thread's CPU time of each call: on a loaded machine the CPU
                // time leaves out the time the thread was not running (at one thread, the product's
                // own time). With cold, 64 MB are written between calls, as a training step's
                // convolutions do, so the operands come from memory rather than from L3.
                var wall = new List<double>();
                var cpu = new List<double>();
                for (int i = 0; i < 3; i++) fn();
                for (long start = Stopwatch.GetTimestamp(); wall.Count < 20 || Stopwatch.GetElapsedTime(start).TotalSeconds < targetS;)
                {
                    if (cold) Evict();
                    double c0 = ThreadCpuMs();
                    long t0 = Stopwatch.GetTimestamp();
                    fn();
                    wall.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    cpu.Add(ThreadCpuMs() - c0);
                }
                wall.Sort();
                cpu.Sort();
                double medianMs = wall[wall.Count / 2], minMs = wall[0], cpuMedian = cpu[cpu.Count / 2];
                double median = work / (medianMs * 1e-3) / 1e9, best = work / (minMs * 1e-3) / 1e9;
                Console.WriteLine($"{name,-40} {threads,3} {medianMs,10:F3} {minMs,9:F3}  {median,6:F1} ({best:F1})  cpu {cpuMedian:F3} ms");
                rows.Add(new() { ["workload"] = name, ["threads"] = threads, ["cold"] = cold, ["median_ms"] = medianMs, ["min_ms"] = minMs,
                    ["gflops_at_median"] = median, ["caller_cpu_median_ms"] = cpuMedian });
            }
            // The operands live in backend buffers, as a network's do (line-aligned, huge pages where Linux gives them).
            var g = new DenseGeometry(In, Out);
            CpuBuffer Upload(float[] values)
            {
                var buffer = (CpuBuffer)backend.Allocate(values.Length);
                backend.CopyFromHost(values, buffer.View);
                return buffer;
            }
            CpuBuffer bx = Upload(x), bw = Upload(w), bb = Upload(Uniform(random, Out)), by = Upload(y), bdz = Upload(dz);
            CpuBuffer bdx = Upload(dx), bdw = Upload(dw), bdb = Upload(new float[Out]);
            Span<float> All(CpuBuffer buffer) => buffer.Elements(0, buffer.Length);
            Row("forward  y = x·Wᵀ (+= bias)", flops, () => Gemm.Multiply(false, true, Batch, Out, In, All(bx), In, All(bw), In, All(by), Out, 1f, pool));
            Row("backward dx += dz·W", flops, () => Gemm.Multiply(false, false, Batch, In, Out, All(bdz), Out, All(bw), In, All(bdx), In, 1f, pool));
            Row("backward dW += dzᵀ·x", flops, () => Gemm.Multiply(true, false, Out, In, Batch, All(bdz), Out, All(bx), In, All(bdw), In, 1f, pool));
            BufferView vx = bx.View, vw = bw.View, vb = bb.View, vy = by.View, vdy = bdz.View, vdx = bdx.View, vdw = bdw.View, vdb = bdb.View;
            Row("DenseForward (bias, ReLU)", flops, () => backend.DenseForward(g, Batch, vx, vw, vb, ActivationKind.ReLU, 0f, vy));
            Row("DenseBackward (ReLU, dx, dW, db)", 2 * flops,
                () => backend.DenseBackward(g, Batch, vx, vw, ActivationKind.ReLU, 0f, vy, vdy, vdx, vdw, vdb));

            // Same-process A/B of what a training step did before the dense backward could overwrite
            // (zero dx, dW and db, then add into them) against what it does now (write them), calls
            // alternating in one loop so that both see the same machine.
            AbRows("zero dx, dW, db + DenseBackward adding", () =>
                {
                    backend.Fill(vdx, 0f);
                    backend.Fill(vdw, 0f);
                    backend.Fill(vdb, 0f);
                    backend.DenseBackward(g, Batch, vx, vw, ActivationKind.ReLU, 0f, vy, vdy, vdx, vdw, vdb);
                },
                "DenseBackward overwriting dx, dW, db", () =>
                    backend.DenseBackward(g, Batch, vx, vw, ActivationKind.ReLU, 0f, vy, vdy, vdx, vdw, vdb,
                        overwriteInputGradient: true, overwriteParameterGradients: true));

            void AbRows(string nameA, Action a, string nameB, Action b)
            {
                var times = new[] { new List<double>(), new List<double>() };
                var fns = new[] { a, b };
                for (int i = 0; i < 3; i++) { a(); b(); }
                for (long start = Stopwatch.GetTimestamp(), round = 0; times[0].Count < 30 || Stopwatch.GetElapsedTime(start).TotalSeconds < 2 * targetS; round++)
                {
                    // Alternate which goes first, so neither always follows the other.
                    for (int j = 0; j < 2; j++)
                    {
                        int which = (int)((round + j) % 2);
                        if (cold) Evict();
                        long t0 = Stopwatch.GetTimestamp();
                        fns[which]();
                        times[which].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    }
                }
                double[] medians = new double[2];
                for (int v = 0; v < 2; v++)
                {
                    times[v].Sort();
                    medians[v] = times[v][times[v].Count / 2];
                    string name = v == 0 ? nameA : nameB;
                    Console.WriteLine($"{name,-40} {threads,3} {medians[v],10:F3} {times[v][0],9:F3}  (A/B, {times[v].Count} calls each)");
                    rows.Add(new() { ["workload"] = name, ["threads"] = threads, ["cold"] = cold, ["median_ms"] = medians[v], ["min_ms"] = times[v][0] });
                }
                Console.WriteLine($"{"  B / A (medians)",-40} {threads,3} {medians[1] / medians[0],10:F3}");
            }

            // The other networks' dense products that take the same GEMM paths (short depth: k ≤ KC, m ≤ MC),
            // to check they do not lose: W1 (784-512-256-10, batch 128) and W2 (LeNet's 400-120-84-10, batch 64).
            foreach (var (name, ta, tb, m, n, k) in OtherShapes)
            {
                float[] a = Uniform(random, m * k), b = Uniform(random, k * n), c = new float[m * n];
                int lda = ta ? m : k, ldb = tb ? k : n;
                Row($"{name} {(ta ? "T" : "N")}{(tb ? "T" : "N")} {m}x{n}x{k}", 2.0 * m * n * k,
                    () => Gemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, n, 1f, pool));
            }
        }
        return rows;
    }

    private static float[]? s_evict;

    /// <summary>Writes 64 MB (twice the L3), so what a call reads next comes from memory.</summary>
    private static void Evict()
    {
        s_evict ??= new float[16 << 20];
        var span = s_evict.AsSpan();
        for (int i = 0; i < span.Length; i += 16) span[i] += 1f;
    }

    private static readonly (string Name, bool TransposeA, bool TransposeB, int M, int N, int K)[] OtherShapes =
    {
        ("W1 fwd 2", false, true, 128, 256, 512),
        ("W1 dx 3", false, false, 128, 256, 10),
        ("W1 dW 3", true, false, 10, 256, 128),
        ("W1 dx 2", false, false, 128, 512, 256),
        ("W2 fwd 1", false, true, 64, 120, 400),
        ("W2 fwd 2", false, true, 64, 84, 120),
        ("W2 dx 1", false, false, 64, 400, 120),
        ("W2 dW 1", true, false, 120, 400, 64),
        ("W2 dx 2", false, false, 64, 120, 84),
        ("W2 dW 2", true, false, 84, 120, 64),
    };

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds, Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), in milliseconds; NaN where unavailable.</summary>
    private static double ThreadCpuMs()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(3, out var t) != 0) return double.NaN;
        return t.Seconds * 1e3 + t.Nanoseconds * 1e-6;
    }

    private static float[] Uniform(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = random.NextSingle() - 0.5f;
        return values;
    }
}
