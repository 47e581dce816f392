using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime;

namespace DslNet.Bench;

/// <summary>
/// The timing method of torch_ref.py's bench(), step for step, so both sides are measured alike; the one
/// departure is a longer warm-up while the JIT is still compiling (<see cref="WarmUntilCompiled"/>).
/// </summary>
internal static class Timing
{
    public sealed record Result(double MedianMs, double MinMs, int Reps, int Warmup, double WarmupS);

    /// <summary>
    /// Warm up (at least <paramref name="minWarmup"/> calls and <paramref name="warmupS"/> seconds, then until the
    /// JIT is quiet: <see cref="WarmUntilCompiled"/>), then time
    /// each call until <paramref name="minReps"/> calls and <paramref name="targetS"/> seconds are reached (at
    /// most <paramref name="maxReps"/>); <paramref name="hardS"/> stops earlier for slow rows, as in torch_ref.py.
    /// </summary>
    public static Result Measure(Action fn, double targetS, int minReps = 30, int maxReps = 3000, double warmupS = 0.5,
        int minWarmup = 5, double? hardS = null, int minHardReps = 3)
    {
        long t0 = Stopwatch.GetTimestamp();
        int n = 0;
        while (n < minWarmup || Seconds(t0) < warmupS)
        {
            fn();
            n++;
            if (hardS is double h && Seconds(t0) > h / 3) break;
        }
        n += WarmUntilCompiled(fn, t0, hardS);
        double warmupSeconds = Seconds(t0);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var times = new List<double>(maxReps);
        long start = Stopwatch.GetTimestamp();
        while (times.Count < maxReps)
        {
            long a = Stopwatch.GetTimestamp();
            fn();
            times.Add(Stopwatch.GetElapsedTime(a).TotalMilliseconds);
            double elapsed = Seconds(start);
            if (times.Count >= minReps && elapsed >= targetS) break;
            if (hardS is double hs && times.Count >= minHardReps && elapsed >= hs) break;
        }
        times.Sort();
        int c = times.Count;
        double median = c % 2 == 1 ? times[c / 2] : (times[c / 2 - 1] + times[c / 2]) / 2; // statistics.median
        return new Result(median, times[0], c, n, warmupSeconds);
    }

    /// <summary>
    /// Keeps calling <paramref name="fn"/> until the runtime has compiled no method for
    /// <see cref="QuietCompilerS"/> (at most <see cref="MaxCompilerWaitS"/> after the start): the only
    /// departure from torch_ref.py's warm-up, which has no JIT. Tiered compilation recompiles hot methods
    /// on a background thread during a process's first seconds (9–14 % of a CPU measured with ps -L);
    /// on a 2-core machine that thread takes a core from a two-thread row. A program that trains for
    /// minutes runs the recompiled code, so that is what is timed. Returns the calls made.
    /// </summary>
    private static int WarmUntilCompiled(Action fn, long t0, double? hardS)
    {
        int calls = 0;
        long compiled = JitInfo.GetCompiledMethodCount(), quietSince = Stopwatch.GetTimestamp();
        while (Seconds(quietSince) < QuietCompilerS && Seconds(t0) < MaxCompilerWaitS)
        {
            if (hardS is double h && Seconds(t0) > h / 3) break;
            fn();
            calls++;
            long now = JitInfo.GetCompiledMethodCount();
            if (now != compiled) (compiled, quietSince) = (now, Stopwatch.GetTimestamp());
        }
        return calls;
    }

    private const double QuietCompilerS = 0.25, MaxCompilerWaitS = 3.0;

    private static double Seconds(long since) => Stopwatch.GetElapsedTime(since).TotalSeconds;
}
