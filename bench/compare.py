#!/usr/bin/python3
"""DslNet against PyTorch on the reference workloads, side by side, in one invocation.

    /usr/bin/python3 bench/compare.py [--threads 1,2] [--only W1,W2,W3,W5] [--rounds 3] [--target-s 2]
                                      [--out-dir DIR] [--torch-ref PATH] [--no-build]

For each workload group it runs ../shared/bench/torch_ref.py --config tuned --no-w6 --only GROUP and
bench/DslNet.Bench --only GROUP, both for every thread count, so the two sides of a row are measured
within a minute or so of each other. Both use the same timing method (warm-up, then the median of many
calls within a time budget).

This machine's speed drifts by 10-15 % from one minute to the next (a shared host), which moves a
ratio taken from one pair of runs as much. --rounds N therefore measures each group N times, in
alternating order (PyTorch first, then DslNet first, ...), so a drift during a round favours neither
side on balance. Each round gives its own ratio; the table shows the median of the rounds' ratios,
the rounds' ratios themselves, in how many rounds the target was met, and each side's median over
the rounds.

Prints a markdown table: workload, threads, DslNet time, PyTorch time, ratio (DslNet/PyTorch; for
SGEMM the GFLOP/s ratio), the issue's target, whether it is met, and a roofline: the workload's
floating-point work divided by the best SGEMM rate measured at that thread count (either side's),
i.e. the time it would take if every flop ran at GEMM speed. The raw JSON of both sides and the
table are kept in --out-dir.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH_PROJECT = os.path.join(HERE, "DslNet.Bench", "DslNet.Bench.csproj")


def find_torch_ref():
    """shared/bench/torch_ref.py beside the repository, or beside one of its parent folders (worktrees)."""
    folder = ROOT
    while True:
        parent = os.path.dirname(folder)
        candidate = os.path.join(parent, "shared", "bench", "torch_ref.py")
        if os.path.exists(candidate) or parent == folder:
            return candidate
        folder = parent


DEFAULT_TORCH_REF = find_torch_ref()
GROUPS = ["W1", "W2", "W3", "W5"]

# Targets from issue 4: (kind, bound). "max": ratio DslNet/PyTorch time must be <= bound;
# "min": SGEMM GFLOP/s ratio must be >= bound. Rows without a target are reported only.
TARGETS = {
    "W1 MLP train step b128 (SGD-m)": ("max", 0.9),
    "W1 MLP inference b1": ("max", 0.3),
    "W2 LeNet-5 train step b64 (SGD-m)": ("max", 0.35),
    "W2 LeNet-5 inference b1": ("max", 0.3),
    "W3 Keras CNN train step b128 (Adam)": ("max", 0.5),
    "W5 SGEMM torch.mm 1024x1024x1024": ("min", 0.95),
    "W5 SGEMM torch.mm 2048x2048x2048": ("min", 0.95),
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    p.add_argument("--only", default=",".join(GROUPS), help="workload groups (default W1,W2,W3,W5)")
    p.add_argument("--rounds", type=int, default=3, help="measurements of each group, alternating which side goes first (default 3)")
    p.add_argument("--target-s", type=float, default=2.0, help="timing budget per row, side and round (s)")
    p.add_argument("--out-dir", default="", help="folder for the JSON files and table (default bench/results/<time>)")
    p.add_argument("--torch-ref", default=DEFAULT_TORCH_REF, help="path of torch_ref.py")
    p.add_argument("--no-build", action="store_true", help="do not build DslNet.Bench first")
    return p.parse_args()


def run(cmd, **kw):
    print("$ " + " ".join(cmd), flush=True)
    try:
        subprocess.run(cmd, check=True, **kw)
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"compare.py: {cmd[0]} failed ({e}); see its output above")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cpu_times():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v[:8]), (v + [0] * 8)[7]


def fmt_time(ms):
    if ms is None:
        return "—"
    return f"{ms * 1000:.1f} µs" if ms < 1 else f"{ms:.3f} ms" if ms < 100 else f"{ms:.1f} ms"


def main():
    args = parse_args()
    if not os.path.exists(args.torch_ref):
        sys.exit(f"torch_ref.py not found at {args.torch_ref} (give --torch-ref)")
    groups = [g.strip().upper() for g in args.only.split(",") if g.strip()]
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        sys.exit(f"--only: unknown group(s) {unknown}; known: {GROUPS}")
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = os.path.abspath(args.out_dir or os.path.join(HERE, "results", stamp))
    os.makedirs(out_dir, exist_ok=True)

    if not args.no_build:
        run(["dotnet", "build", BENCH_PROJECT, "-c", "Release", "-nologo", "-v", "q"])
    bench_dll = os.path.join(HERE, "DslNet.Bench", "bin", "Release", "net10.0", "DslNet.Bench.dll")
    build_root = os.environ.get("DSLNET_BUILD_ROOT")
    if build_root:
        bench_dll = os.path.join(build_root, "bin", "DslNet.Bench", "Release", "net10.0", "DslNet.Bench.dll")

    if args.rounds < 1:
        sys.exit("--rounds must be at least 1")
    load_start, (total0, steal0) = loadavg(), cpu_times()
    # rounds[side][(workload, threads)] = that row's result in each round, in round order.
    rounds = {"dsl": {}, "torch": {}}
    for group in groups:
        for r in range(args.rounds):
            tj = os.path.join(out_dir, f"torch-{group}-r{r + 1}.json")
            dj = os.path.join(out_dir, f"dslnet-{group}-r{r + 1}.json")
            label = f"compare.py {stamp} round {r + 1}"
            torch_cmd = ["/usr/bin/python3", args.torch_ref, tj, "--config", "tuned", "--no-w6", "--only", group,
                         "--threads", args.threads, "--target-s", str(args.target_s), "--label", label]
            dsl_cmd = ["dotnet", bench_dll, dj, "--only", group, "--threads", args.threads,
                       "--target-s", str(args.target_s), "--label", label]
            for cmd in ((torch_cmd, dsl_cmd) if r % 2 == 0 else (dsl_cmd, torch_cmd)):
                run(cmd)
            for path, side in ((tj, "torch"), (dj, "dsl")):
                with open(path) as f:
                    for row in json.load(f)["results"]:
                        rounds[side].setdefault((row["workload"], row["threads"]), []).append(row)
    total1, steal1 = cpu_times()
    steal = (steal1 - steal0) / max(1, total1 - total0)

    def value(row):
        """What a row is compared by: GFLOP/s for SGEMM (higher is better), the median time otherwise."""
        return row["extra"]["gflops_at_median"] if row["group"] == "W5" else row["median_ms"]

    # Roofline rate per thread count: the best SGEMM GFLOP/s either side measured in any round.
    gemm_rate = {}
    for side in rounds.values():
        for (name, nt), rows in side.items():
            for row in rows:
                if row["group"] == "W5":
                    gemm_rate[nt] = max(gemm_rate.get(nt, 0.0), row["extra"]["gflops_at_median"])

    lines = [
        f"DslNet vs PyTorch ({stamp}; torch_ref.py --config tuned; {args.rounds} round(s) in alternating order; "
        f"load average {load_start} at start, {loadavg()} at end; hypervisor steal {100 * steal:.1f}%)",
        "",
        "| workload | threads | DslNet | PyTorch | ratio | ratio per round | target | met | roofline |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |",
    ]
    for (name, nt), d_rows in rounds["dsl"].items():
        t_rows = rounds["torch"].get((name, nt), [])
        is_gemm = d_rows[0]["group"] == "W5"
        d_med = statistics.median(value(r) for r in d_rows)
        t_med = statistics.median(value(r) for r in t_rows) if t_rows else None
        if is_gemm:
            d_text, t_text = f"{d_med:.1f} GFLOP/s", (f"{t_med:.1f} GFLOP/s" if t_med else "—")
        else:
            d_text, t_text = fmt_time(d_med), fmt_time(t_med)
        # A round's ratio pairs the two sides measured in that round.
        ratios = [value(d) / value(t) for d, t in zip(d_rows, t_rows)]
        ratio = statistics.median(ratios) if ratios else None
        kind, bound = TARGETS.get(name, (None, None))
        if kind is None:
            target, met = "—", ""
        else:
            target = f"{'≤' if kind == 'max' else '≥'} {bound}"
            hits = sum(1 for x in ratios if (x <= bound if kind == "max" else x >= bound))
            met = f"{hits}/{len(ratios)}" if ratios else ""
        rate = gemm_rate.get(nt)
        roof = fmt_time(d_rows[0]["extra"]["flops"] / (rate * 1e9) * 1e3) if rate else "—"
        lines.append(f"| {name} | {nt} | {d_text} | {t_text} | {'—' if ratio is None else f'{ratio:.2f}'} | "
                     f"{' '.join(f'{x:.2f}' for x in ratios)} | {target} | {met} | {roof} |")
    rates = ", ".join(f"{nt} thread{'s' if nt > 1 else ''}: {r:.0f} GFLOP/s" for nt, r in sorted(gemm_rate.items()))
    lines += ["", f"DslNet and PyTorch = each side's median over the rounds; ratio = the median of the rounds' ratios; "
                  f"met = rounds whose ratio meets the target. Roofline = the workload's flops (torch_ref.py's count: "
                  f"2·MACs, ×3 for a training step) at the best measured SGEMM rate ({rates or 'W5 not run'})."]
    table = "\n".join(lines)
    print()
    print(table)
    with open(os.path.join(out_dir, "table.md"), "w") as f:
        f.write(table + "\n")
    print(f"\n# results in {out_dir}")


if __name__ == "__main__":
    main()
