#!/usr/bin/python3
"""Static against dynamic graphs, from one run, as one markdown table: ResNeXt-50 (32x4d), 224x224,
batch 1, through `typenet run --graph static` (executor<M>) and `--graph dynamic`
(dynamic::executor):

* forward latency on 1 and 2 threads: median of every pass, the two front ends taking turns
  (one process each per round);
* set-up time (reading the mapped weights and checking them; checks, plan, batch-norm folding,
  packing): median over the rounds;
* peak RSS of `typenet run ... --repeat 5 --threads 1`, each front end in a process of its own;
* compile time (user CPU, the best of --compiles) and binary size of a translation unit using each
  front end: bench/compile_time/resnext50_executor.cpp (executor<M>) and
  bench/compile_time/resnext50_dynamic.cpp (the model written with the run-time builders), with
  the project's flags (g++ -std=c++20 -O2 -march=native).

    /usr/bin/python3 tools/static_vs_dynamic.py [--weights W.safetensors] [--rounds 5] [--repeat 5]
"""
import argparse
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRAPHS = ("static", "dynamic")


def run_cli(a, graph, threads, repeat, out):
    """Runs `typenet run` in a process of its own; returns its timings (--timings-json)."""
    cmd = [a.typenet, "run", "resnext50_32x4d", "--graph", graph, "--threads", str(threads), "--repeat", str(repeat),
           "--timings-json", out] + (["--weights", a.weights] if a.weights else [])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"static_vs_dynamic.py: {' '.join(cmd)} failed:\n{p.stderr}")
    with open(out) as f:
        return json.load(f)


def peak_rss_mib(cmd):
    """Peak RSS of a child process (ru_maxrss of that child alone, read through wait4)."""
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execv(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"static_vs_dynamic.py: {' '.join(cmd)} failed")
    return usage.ru_maxrss / 1024


def compile_tu(source, out, flags):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(["g++", "-std=c++20", "-O2", "-march=native", "-I", os.path.join(ROOT, "include"), source, "-o", out] + flags,
                   check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime, wall, after.ru_maxrss / 1024


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--typenet", default=os.path.join(ROOT, "build/bin/typenet"))
    default_w = os.path.join(ROOT, "build/peers/resnext50_32x4d/resnext50_32x4d.safetensors")
    p.add_argument("--weights", default=default_w if os.path.exists(default_w) else None,
                   help="ResNeXt-50 safetensors (default: bench_peers.py's, else seeded weights)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--compiles", type=int, default=1)
    p.add_argument("--no-compile", action="store_true", help="skip the compile-time columns")
    a = p.parse_args()
    if not os.access(a.typenet, os.X_OK):
        sys.exit(f"static_vs_dynamic.py: {a.typenet} not found: cmake --build build --target typenet_cli")

    load_before = os.getloadavg()[0]
    forward = {(g, t): [] for g in GRAPHS for t in (1, 2)}
    setup = {g: [] for g in GRAPHS}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "t.json")
        for rnd in range(a.rounds):
            for threads in (1, 2):
                for g in (GRAPHS if rnd % 2 == 0 else GRAPHS[::-1]):
                    r = run_cli(a, g, threads, a.repeat, out)
                    forward[(g, threads)] += r["forward_ms"]
                    setup[g].append(r["setup_ms"])
        rss = {}
        for g in GRAPHS:
            cmd = [a.typenet, "run", "resnext50_32x4d", "--graph", g, "--threads", "1", "--repeat", "5"]
            rss[g] = min(peak_rss_mib(cmd + (["--weights", a.weights] if a.weights else [])) for _ in range(2))
        tus = {"static": "bench/compile_time/resnext50_executor.cpp", "dynamic": "bench/compile_time/resnext50_dynamic.cpp"}
        build = {}
        if not a.no_compile:
            for g, tu in tus.items():
                binary = os.path.join(tmp, g)
                runs = [compile_tu(os.path.join(ROOT, tu), binary, []) for _ in range(a.compiles)]
                user = min(r[0] for r in runs)
                subprocess.run(["strip", "-o", binary + ".stripped", binary], check=True)
                printed = subprocess.run([binary], check=True, capture_output=True, text=True).stdout.strip()
                build[g] = (user, os.path.getsize(binary), os.path.getsize(binary + ".stripped"), printed)
    load_after = os.getloadavg()[0]

    med = statistics.median
    w = f"weights {os.path.relpath(a.weights, ROOT)}" if a.weights else "seeded weights"
    print(f"ResNeXt-50 32x4d, 224x224, batch 1, {w}; {a.rounds} rounds x {a.repeat} passes per front end and thread count, "
          f"the front ends in turn; load average {load_before:.2f} before, {load_after:.2f} after.\n")
    print("| | static `executor<M>` | `dynamic::executor` |")
    print("|---|---:|---:|")
    for t in (1, 2):
        print(f"| forward, {t} thread{'s' if t > 1 else ''} (median ms) | " +
              " | ".join(f"{med(forward[(g, t)]):.1f}" for g in GRAPHS) + " |")
    print("| set-up: weights + executor (median ms) | " + " | ".join(f"{med(setup[g]):.0f}" for g in GRAPHS) + " |")
    print("| peak RSS, `typenet run --repeat 5 --threads 1` | " + " | ".join(f"{rss[g]:.0f} MiB" for g in GRAPHS) + " |")
    if build:
        print("| compile time of a TU using it (g++ -O2 -march=native, user CPU) | " +
              " | ".join(f"{build[g][0]:.1f} s" for g in GRAPHS) + " |")
        print("| binary size (stripped) | " + " | ".join(f"{build[g][1] / 2**20:.2f} MiB ({build[g][2] / 2**20:.2f} MiB)" for g in GRAPHS) +
              " |")
        print(f"\nTUs: {tus['static']}, {tus['dynamic']}; they print: static `{build['static'][3]}`, dynamic `{build['dynamic'][3]}`")
    print("\ncommand: /usr/bin/python3 tools/static_vs_dynamic.py " + shlex.join(sys.argv[1:]))


if __name__ == "__main__":
    main()
