using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using DslNet.Backends.Cpu;

namespace DslNet.Bench;

/// <summary>
/// <c>--profile</c>: runs a workload on a <see cref="ProfilingBackend"/> and prints, per kernel call
/// site, its median time per step, its share of the median step, and the time outside kernels
/// (optimizer update, argument checks). Medians over steps, as the machine is shared.
/// </summary>
internal static class Profile
{
    public static IReadOnlyList<Dictionary<string, object?>> Run(Workload workload, int threads, double targetS)
    {
        using var cpu = new CpuBackend(threads);
        var backend = new ProfilingBackend(cpu);
        var fn = workload.Build(backend);
        for (long t0 = Stopwatch.GetTimestamp(); Stopwatch.GetElapsedTime(t0).TotalSeconds < 0.5;) fn();
        backend.Reset();

        var steps = new List<double>();
        var perSite = new Dictionary<ProfilingBackend.Site, List<double>>();
        var last = new Dictionary<ProfilingBackend.Site, double>();
        for (long start = Stopwatch.GetTimestamp(); steps.Count < 30 || Stopwatch.GetElapsedTime(start).TotalSeconds < targetS;)
        {
            long a = Stopwatch.GetTimestamp();
            fn();
            steps.Add(Stopwatch.GetElapsedTime(a).TotalMilliseconds);
            foreach (var site in backend.Sites)
            {
                double total = site.Milliseconds;
                if (!perSite.TryGetValue(site, out var list)) perSite[site] = list = new List<double>();
                list.Add(total - last.GetValueOrDefault(site));
                last[site] = total;
            }
        }

        double step = Median(steps);
        Console.WriteLine($"## {workload.Name}, {threads} thread{(threads == 1 ? "" : "s")}: median step {step:F3} ms over {steps.Count} steps");
        Console.WriteLine($"{"kernel",-22} {"first",9} {"last",9} {"calls",5} {"median ms",10} {"share",6}");
        var rows = new List<Dictionary<string, object?>>();
        double inKernels = 0;
        foreach (var site in backend.Sites)
        {
            double ms = Median(perSite[site]);
            inKernels += ms;
            long calls = site.Calls / steps.Count;
            Console.WriteLine($"{site.Kernel,-22} {site.FirstLength,9} {site.LastLength,9} {calls,5} {ms,10:F3} {ms / step,6:P0}");
            rows.Add(new Dictionary<string, object?>
            {
                ["workload"] = workload.Name, ["threads"] = threads, ["kernel"] = site.Kernel,
                ["first_length"] = site.FirstLength, ["last_length"] = site.LastLength, ["calls_per_step"] = calls, ["median_ms"] = ms,
            });
        }
        Console.WriteLine($"{"outside kernels",-22} {"",9} {"",9} {"",5} {step - inKernels,10:F3} {(step - inKernels) / step,6:P0}");
        Console.WriteLine();
        return rows;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        int c = sorted.Count;
        return c % 2 == 1 ? sorted[c / 2] : (sorted[c / 2 - 1] + sorted[c / 2]) / 2;
    }
}
