using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using DslNet.Backends.Cpu;

namespace DslNet.Bench;

/// <summary>
/// How far apart the machine's two cores are, and what that does to a two-thread training step
/// (--placement). On this virtual machine the host moves the two virtual CPUs between physical cores
/// that share a cache and cores that do not, every few seconds to minutes: a cache line's round trip
/// between the two threads then takes ~70–110 ns or ~320–380 ns (measured 2026-12-03). In each window
/// this measures that round trip (two threads passing a counter back and forth, 0.25 s), then runs
/// W2's training step on two threads for 0.75 s and reports its median, so a slow stretch of a
/// two-thread row can be told apart from a slow kernel. Both CPUs must be otherwise idle.
/// </summary>
internal static class CorePlacement
{
    private static long s_turn;

    public static List<Dictionary<string, object?>> Run(int windows)
    {
        var workload = Workloads.All.First(w => w.Name.StartsWith("W2 LeNet-5 train", StringComparison.Ordinal));
        using var backend = new CpuBackend(2);
        var step = workload.Build(backend);
        for (int i = 0; i < 50; i++) step();
        var rows = new List<Dictionary<string, object?>>();
        Console.WriteLine($"{"window",6} {"round trip ns",14} {"W2 step 2T ms",14}");
        for (int k = 0; k < windows; k++)
        {
            double roundTrip = RoundTripNs(0.25);
            var times = new List<double>();
            long start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start).TotalSeconds < 0.75)
            {
                long t = Stopwatch.GetTimestamp();
                step();
                times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
            times.Sort();
            double median = times[times.Count / 2];
            Console.WriteLine($"{k,6} {roundTrip,14:F0} {median,14:F3}");
            rows.Add(new Dictionary<string, object?> { ["window"] = k, ["round_trip_ns"] = roundTrip, ["w2_step_2t_ms"] = median });
        }
        return rows;
    }

    /// <summary>
    /// The mean time for a counter to go to another thread and back: this thread makes it odd, the
    /// other (spinning) makes it even again. The operating system places the two threads on the two CPUs.
    /// </summary>
    private static double RoundTripNs(double seconds)
    {
        Volatile.Write(ref s_turn, 0);
        var echo = new Thread(() =>
        {
            while (true)
            {
                long v = Volatile.Read(ref s_turn);
                if (v < 0) return;
                if ((v & 1) == 1) Volatile.Write(ref s_turn, v + 1);
            }
        }) { IsBackground = true, Name = "round-trip echo" };
        echo.Start();
        long trips = 0;
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds)
        {
            for (int i = 0; i < 2000; i++)
            {
                long sent = Volatile.Read(ref s_turn) + 1;
                Volatile.Write(ref s_turn, sent);
                while (Volatile.Read(ref s_turn) == sent) { }
            }
            trips += 2000;
        }
        double ns = Stopwatch.GetElapsedTime(start).TotalSeconds / trips * 1e9;
        Volatile.Write(ref s_turn, -1);
        echo.Join();
        return ns;
    }
}
