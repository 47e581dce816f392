using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using DslNet.Backends.Cpu;

namespace DslNet.Bench;

/// <summary>
/// <c>--ab-dense</c>: a training step whose dense layers write their gradients (B, as generated) against
/// the same step as it ran before they could (A: those gradients zeroed, then added into; see
/// <see cref="ProfilingBackend.ZeroAndAddDenseGradients"/>), in one process: two networks on the same
/// CPU backend, steps alternating (the order flipping every round), medians over the rounds. Also the
/// per-step median time in Fill and in DenseBackward of each.
/// </summary>
internal static class DenseOverwriteAb
{
    public static List<Dictionary<string, object?>> Run(IEnumerable<Workload> workloads, IEnumerable<int> threadCounts, double targetS)
    {
        var rows = new List<Dictionary<string, object?>>();
        Console.WriteLine($"{"training step",-40} {"thr",3} {"A ms",8} {"B ms",8} {"B/A",6}  {"A fill",7} {"B fill",7}  {"A dense bw",10} {"B dense bw",10}  rounds");
        foreach (var workload in workloads)
            foreach (int threads in threadCounts)
            {
                using var cpu = new CpuBackend(threads);
                var backends = new[] { new ProfilingBackend(cpu) { ZeroAndAddDenseGradients = true }, new ProfilingBackend(cpu) };
                var steps = backends.Select(backend => workload.Build(backend)).ToArray();
                for (long t0 = Stopwatch.GetTimestamp(); Stopwatch.GetElapsedTime(t0).TotalSeconds < 1;) { steps[0](); steps[1](); }
                foreach (var backend in backends) backend.Reset();

                var times = new[] { new List<double>(), new List<double>() };
                var fills = new[] { new List<double>(), new List<double>() };
                var dense = new[] { new List<double>(), new List<double>() };
                for (long start = Stopwatch.GetTimestamp(), round = 0; round < 30 || Stopwatch.GetElapsedTime(start).TotalSeconds < 2 * targetS; round++)
                    for (int j = 0; j < 2; j++)
                    {
                        int v = (int)((round + j) % 2);
                        double fill0 = Total(backends[v], "Fill"), dense0 = Total(backends[v], "DenseBackward");
                        long t0 = Stopwatch.GetTimestamp();
                        steps[v]();
                        times[v].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                        fills[v].Add(Total(backends[v], "Fill") - fill0);
                        dense[v].Add(Total(backends[v], "DenseBackward") - dense0);
                    }
                double a = Median(times[0]), b = Median(times[1]);
                Console.WriteLine($"{workload.Name,-40} {threads,3} {a,8:F3} {b,8:F3} {b / a,6:F3}  {Median(fills[0]),7:F3} {Median(fills[1]),7:F3}  "
                    + $"{Median(dense[0]),10:F3} {Median(dense[1]),10:F3}  {times[0].Count}");
                rows.Add(new()
                {
                    ["workload"] = workload.Name, ["threads"] = threads, ["rounds"] = times[0].Count,
                    ["zero_and_add_median_ms"] = a, ["overwrite_median_ms"] = b,
                    ["zero_and_add_min_ms"] = times[0].Min(), ["overwrite_min_ms"] = times[1].Min(),
                    ["zero_and_add_fill_ms"] = Median(fills[0]), ["overwrite_fill_ms"] = Median(fills[1]),
                    ["zero_and_add_dense_backward_ms"] = Median(dense[0]), ["overwrite_dense_backward_ms"] = Median(dense[1]),
                });
            }
        return rows;
    }

    private static double Total(ProfilingBackend backend, string kernel) =>
        backend.Sites.Where(s => s.Kernel == kernel).Sum(s => s.Milliseconds);

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        int c = sorted.Count;
        return c % 2 == 1 ? sorted[c / 2] : (sorted[c / 2 - 1] + sorted[c / 2]) / 2;
    }
}
