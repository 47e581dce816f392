using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using DslNet.Backends.Cpu;
using DslNet.Bench;

// DslNet's side of the reference benchmark: the workloads of ../shared/bench/torch_ref.py, timed the same
// way, for each requested thread count. Usage:
//   dotnet run -c Release --project bench/DslNet.Bench -- OUT.json [--threads 1,2] [--only W1,W5]
//                                                           [--target-s 3] [--label TEXT] [--profile]
// --profile times every kernel call site of the network workloads instead (see Profile.cs).
// --floor times the memory floor of W1 batch-1 inference instead (see MemoryFloor.cs).
// --dense times W3's dense layer alone, product by product, instead (see DenseShapes.cs); --cold
// evicts the caches between calls.
// --ab-dense times each training step with dense layers writing their gradients against the same step
// zeroing and adding into them, alternating in one process, instead (see DenseOverwriteAb.cs).
// --placement N measures, in N windows, how far apart the two cores are and W2's two-thread step
// (see CorePlacement.cs).
string? outPath = null;
int[] threads = { 1, 2 };
var groups = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
double targetS = 3.0;
string label = "";
bool profile = false;
bool abDense = false;
bool floor = false;
bool dense = false;
bool cold = false;
int placementWindows = 0;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--threads":
                threads = Value().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t =>
                    int.TryParse(t, out int v) && v >= 1 ? v : throw new ArgumentException($"--threads: '{t}' is not a thread count ≥ 1.")).ToArray();
                break;
            case "--only":
                foreach (string g in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) groups.Add(g);
                break;
            case "--target-s":
                targetS = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0
                    ? s : throw new ArgumentException("--target-s needs a positive number of seconds.");
                break;
            case "--label": label = Value(); break;
            case "--profile": profile = true; break;
            case "--floor": floor = true; break;
            case "--dense": dense = true; break;
            case "--cold": cold = true; break;
            case "--placement":
                placementWindows = int.TryParse(Value(), out int windows) && windows >= 1
                    ? windows : throw new ArgumentException("--placement needs a number of windows ≥ 1.");
                break;
            case "--ab-dense": abDense = true; break;
            case "-h" or "--help":
                Console.WriteLine("DslNet.Bench OUT.json [--threads 1,2] [--only W1,W2,W3,W5] [--target-s 3] [--label TEXT] [--profile] [--floor] [--dense [--cold]] [--ab-dense] [--placement N]");
                return 0;
            default:
                if (args[i].StartsWith('-') || outPath is not null) throw new ArgumentException($"Unknown argument '{args[i]}'.");
                outPath = args[i];
                break;
        }
    }
    if (outPath is null) throw new ArgumentException("Give the path of the JSON file to write.");
    var unknown = groups.Where(g => Workloads.All.All(w => !w.Group.Equals(g, StringComparison.OrdinalIgnoreCase))).ToList();
    if (unknown.Count > 0) throw new ArgumentException($"--only: no workload group {string.Join(", ", unknown)} (known: W1, W2, W3, W5).");
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var started = DateTime.Now;
var meta = new Dictionary<string, object?>
{
    ["label"] = label,
    ["started"] = started.ToString("s", CultureInfo.InvariantCulture),
    ["runtime"] = RuntimeInformation.FrameworkDescription,
    ["os"] = RuntimeInformation.OSDescription,
    ["processor_count"] = Environment.ProcessorCount,
    ["vector512"] = Vector512.IsHardwareAccelerated,
    ["vector256"] = Vector256.IsHardwareAccelerated,
    ["loadavg_start"] = LoadAverage(),
};
var rows = new List<Dictionary<string, object?>>();
if (placementWindows > 0)
{
    var placementRows = CorePlacement.Run(placementWindows);
    File.WriteAllText(Path.GetFullPath(outPath), JsonSerializer.Serialize(new { meta, placement = placementRows }, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"# wrote {outPath}");
    return 0;
}
if (floor)
{
    var floorRows = MemoryFloor.Run(targetS);
    File.WriteAllText(Path.GetFullPath(outPath), JsonSerializer.Serialize(new { meta, floor = floorRows }, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"# wrote {outPath}");
    return 0;
}
if (dense)
{
    var denseRows = DenseShapes.Run(threads, targetS, cold);
    File.WriteAllText(Path.GetFullPath(outPath), JsonSerializer.Serialize(new { meta, dense = denseRows }, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"# wrote {outPath}");
    return 0;
}
if (abDense)
{
    var abRows = DenseOverwriteAb.Run(Workloads.All.Where(w => w.Name.Contains("train step") && (groups.Count == 0 || groups.Contains(w.Group))), threads, targetS);
    File.WriteAllText(Path.GetFullPath(outPath), JsonSerializer.Serialize(new { meta, ab_dense = abRows }, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"# wrote {outPath}");
    return 0;
}
if (profile)
{
    foreach (var workload in Workloads.All)
        if (!workload.IsGemm && (groups.Count == 0 || groups.Contains(workload.Group)))
            foreach (int nt in threads) rows.AddRange(Profile.Run(workload, nt, targetS));
    File.WriteAllText(Path.GetFullPath(outPath), JsonSerializer.Serialize(new { meta, sites = rows }, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"# wrote {outPath}");
    return 0;
}
Console.WriteLine($"# DslNet | {RuntimeInformation.FrameworkDescription} | Vector512 {Vector512.IsHardwareAccelerated}");
Console.WriteLine($"{"workload",-46} {"thr",3} {"median ms",11} {"min ms",11} {"reps",5}  extra");

foreach (var workload in Workloads.All)
{
    if (groups.Count > 0 && !groups.Contains(workload.Group)) continue;
    foreach (int nt in threads)
    {
        using var backend = new CpuBackend(nt);
        var fn = workload.Build(backend);
        string[] load = LoadAverage();
        var poolBefore = backend.Pool.Statistics;
        var r = workload.IsGemm
            ? Timing.Measure(fn, targetS, minReps: 10, hardS: 15.0, warmupS: 0.3, minWarmup: 1)
            : Timing.Measure(fn, targetS);
        double gflopsMedian = workload.Flops / (r.MedianMs * 1e-3) / 1e9;
        double gflopsMin = workload.Flops / (r.MinMs * 1e-3) / 1e9;
        var extra = new Dictionary<string, object?>();
        string extraText;
        if (workload.IsGemm)
        {
            extra["gflops_at_median"] = Math.Round(gflopsMedian, 1);
            extra["gflops_at_min"] = Math.Round(gflopsMin, 1);
            extraText = $"{gflopsMedian:F1} GFLOP/s (best {gflopsMin:F1})";
        }
        else
        {
            extra["approx_gflops"] = Math.Round(gflopsMedian, 2);
            extraText = $"~{gflopsMedian:F1} GFLOP/s";
        }
        extra["flops"] = workload.Flops;
        // How the multi-threaded loops ran (warm-up and timed calls): a slow 2-thread row with many parts
        // taken over by the caller or late arrivals had workers that were not there in time.
        var pool = backend.Pool.Statistics.Since(poolBefore);
        extra["pool"] = new Dictionary<string, long>
        {
            ["shared_loops"] = pool.SharedLoops, ["cooperative_loops"] = pool.CooperativeLoops,
            ["parts_run_by_workers"] = pool.PartsRunByWorkers, ["parts_taken_over_by_caller"] = pool.PartsTakenOverByCaller,
            ["workers_joined"] = pool.WorkersJoined, ["late_arrivals"] = pool.LateArrivals, ["worker_sleeps"] = pool.WorkerSleeps,
        };
        if (nt > 1)
            extraText += $" | loops {pool.SharedLoops + pool.CooperativeLoops}, worker parts {pool.PartsRunByWorkers}, " +
                         $"taken over {pool.PartsTakenOverByCaller}, joined {pool.WorkersJoined}, late {pool.LateArrivals}, worker sleeps {pool.WorkerSleeps}";
        rows.Add(new Dictionary<string, object?>
        {
            ["group"] = workload.Group, ["workload"] = workload.Name, ["threads"] = nt, ["loadavg_before"] = load,
            ["median_ms"] = r.MedianMs, ["min_ms"] = r.MinMs, ["reps"] = r.Reps, ["warmup"] = r.Warmup, ["warmup_s"] = Math.Round(r.WarmupS, 3),
            ["extra"] = extra, ["extra_str"] = extraText,
        });
        Console.WriteLine($"{workload.Name,-46} {nt,3} {r.MedianMs,11:F3} {r.MinMs,11:F3} {r.Reps,5}  {extraText}");
    }
}

meta["finished"] = DateTime.Now.ToString("s", CultureInfo.InvariantCulture);
meta["loadavg_end"] = LoadAverage();
string full = Path.GetFullPath(outPath);
Directory.CreateDirectory(Path.GetDirectoryName(full)!);
File.WriteAllText(full, JsonSerializer.Serialize(new { meta, results = rows }, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"# wrote {outPath}");
return 0;

static string[] LoadAverage()
{
    try { return File.ReadAllText("/proc/loadavg").Split(' ')[..3]; }
    catch (IOException) { return Array.Empty<string>(); }
}
