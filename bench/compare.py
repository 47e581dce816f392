#!/usr/bin/python3
"""DslNet against PyTorch on the reference workloads, side by side, in one invocation.

    /usr/bin/python3 bench/compare.py [--threads 1,2] [--only W1,W2,W3,W5] [--target-s 3]
                                      [--out-dir DIR] [--torch-ref PATH] [--no-build]

For each workload group it runs ../shared/bench/torch_ref.py --config tuned --no-w6 --only GROUP, then
bench/DslNet.Bench --only GROUP, both for every thread count, so the two sides of a row are measured
within a minute or so of each other (this machine is shared and noisy). Both use the same timing
method (warm-up, then the median of many calls within a time budget).

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
    p.add_argument("--target-s", type=float, default=3.0, help="timing budget per row and side (s)")
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

    load_start, (total0, steal0) = loadavg(), cpu_times()
    dsl, torch = {}, {}
    for group in groups:
        tj = os.path.join(out_dir, f"torch-{group}.json")
        dj = os.path.join(out_dir, f"dslnet-{group}.json")
        run(["/usr/bin/python3", args.torch_ref, tj, "--config", "tuned", "--no-w6", "--only", group,
             "--threads", args.threads, "--target-s", str(args.target_s), "--label", f"compare.py {stamp}"])
        run(["dotnet", bench_dll, dj, "--only", group, "--threads", args.threads,
             "--target-s", str(args.target_s), "--label", f"compare.py {stamp}"])
        for path, into in ((tj, torch), (dj, dsl)):
            with open(path) as f:
                for row in json.load(f)["results"]:
                    into[(row["workload"], row["threads"])] = row
    total1, steal1 = cpu_times()
    steal = (steal1 - steal0) / max(1, total1 - total0)

    # Roofline rate per thread count: the best SGEMM GFLOP/s either side measured.
    gemm_rate = {}
    for side in (dsl, torch):
        for (name, nt), row in side.items():
            if row["group"] == "W5":
                gemm_rate[nt] = max(gemm_rate.get(nt, 0.0), row["extra"]["gflops_at_median"])

    lines = [
        f"DslNet vs PyTorch ({stamp}; torch_ref.py --config tuned; medians; load average {load_start} at start, "
        f"{loadavg()} at end; hypervisor steal {100 * steal:.1f}%)",
        "",
        "| workload | threads | DslNet | PyTorch | ratio | target | met? | roofline |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    for (name, nt), d in dsl.items():
        t = torch.get((name, nt))
        is_gemm = d["group"] == "W5"
        if is_gemm:
            dv, tv = d["extra"]["gflops_at_median"], t["extra"]["gflops_at_median"] if t else None
            d_text, t_text = f"{dv:.1f} GFLOP/s", (f"{tv:.1f} GFLOP/s" if tv else "—")
            ratio = dv / tv if tv else None
        else:
            d_text, t_text = fmt_time(d["median_ms"]), fmt_time(t["median_ms"] if t else None)
            ratio = d["median_ms"] / t["median_ms"] if t else None
        kind, bound = TARGETS.get(name, (None, None))
        if kind is None:
            target, met = "—", ""
        else:
            target = f"{'≤' if kind == 'max' else '≥'} {bound}"
            met = "" if ratio is None else ("yes" if (ratio <= bound if kind == "max" else ratio >= bound) else "no")
        rate = gemm_rate.get(nt)
        roof = fmt_time(d["extra"]["flops"] / (rate * 1e9) * 1e3) if rate else "—"
        lines.append(f"| {name} | {nt} | {d_text} | {t_text} | {'—' if ratio is None else f'{ratio:.2f}'} | "
                     f"{target} | {met} | {roof} |")
    rates = ", ".join(f"{nt} thread{'s' if nt > 1 else ''}: {r:.0f} GFLOP/s" for nt, r in sorted(gemm_rate.items()))
    lines += ["", f"Roofline = the workload's flops (torch_ref.py's count: 2·MACs, ×3 for a training step) "
                  f"at the best measured SGEMM rate ({rates or 'W5 not run'})."]
    table = "\n".join(lines)
    print()
    print(table)
    with open(os.path.join(out_dir, "table.md"), "w") as f:
        f.write(table + "\n")
    print(f"\n# results in {out_dir}")


if __name__ == "__main__":
    main()
