#!/usr/bin/python3
"""typenet beside its peers, on the same model, weights, input, batch and thread count: typenet's
static and dynamic graphs (build/bin/typenet run), PyTorch 1.13 eager and converted with
torch.utils.mkldnn (oneDNN), and ONNX Runtime (onnxruntime-node, on a torch.onnx.export of the
same torchvision model, opset 13, dynamic batch).

Every engine runs in a process of its own; the engines take turns (round-robin, the order rotating
every round), so that whatever else the machine does slows them all alike. Each process does one
warm-up and --repeat timed passes; the table has the median of all passes of all rounds, and the
ratios typenet / ONNX Runtime (below 1: typenet faster). Every engine's logits are compared with
PyTorch eager's on the same input (max abs difference), so the engines compute the same thing.

    /usr/bin/python3 tools/bench_peers.py [--models resnext50_32x4d | all | NAME ...]
        [--configs 1x1 1x2 8x2] [--rounds 3] [--repeat 5] [--png build/peers/peers.png]

--configs are BATCHxTHREADS. Needs build/bin/typenet (`cmake --build build --target typenet_cli`),
node and npm (Debian: nodejs, npm), python3-matplotlib for the chart. The first run installs
onnxruntime-node (npm install --ignore-scripts, its CPU library ships in the package) and writes
each model's random weights (tools/export_torchvision.py's, calibrated), state_dict and ONNX file
into build/peers/; later runs reuse them.
"""
import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

import numpy as np

TOOLS = os.path.dirname(os.path.abspath(__file__))
ENGINES = ("typenet static", "typenet dynamic", "ONNX Runtime", "PyTorch to_mkldnn", "PyTorch eager")
REFERENCE = "PyTorch eager"


# ---- the PyTorch workers (this script run with --worker) ---------------------------------------

def torch_worker(kind, name, state_path, input_path, threads, repeat, out_path):
    import torch
    import torchvision
    from torch.utils import mkldnn as mkldnn_utils
    sys.path.insert(0, TOOLS)
    from export_torchvision import EVAL_FORM
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    model = getattr(torchvision.models, name)(weights=None, **EVAL_FORM.get(name, {}))
    model.load_state_dict(torch.load(state_path))
    model.eval()
    if kind == "mkldnn":
        converted = mkldnn_utils.to_mkldnn(model)
        fn = lambda t: converted(t.to_mkldnn()).to_dense()  # noqa: E731 (the conversions are part of the pass)
    else:
        fn = model
    x = torch.from_numpy(np.load(input_path))
    setup_ms = (time.perf_counter() - t0) * 1e3
    times = []
    with torch.no_grad():
        y = fn(x)  # the warm-up
        for _ in range(repeat):
            start = time.perf_counter()
            y = fn(x)
            times.append((time.perf_counter() - start) * 1e3)
    with open(out_path, "w") as f:
        json.dump({"engine": f"torch {torch.__version__} {kind}", "threads": torch.get_num_threads(), "setup_ms": setup_ms,
                   "forward_ms": times, "shape": list(y.shape), "logits": y.float().flatten().tolist()}, f)


# ---- preparing the shared files (cached in build/peers/) ---------------------------------------

def zoo(typenet):
    out = subprocess.run([typenet, "list"], check=True, capture_output=True, text=True).stdout
    return {m.group(1): (int(m.group(2)), int(m.group(3))) for m in
            re.finditer(r"^(\w+)\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+3x(\d+)x(\d+)", out, re.M)}


def ensure_ort(cache):
    module = os.path.join(cache, "node_modules", "onnxruntime-node")
    if not os.path.isdir(module):
        print(f"installing onnxruntime-node into {cache} (npm install --ignore-scripts onnxruntime-node) ...", flush=True)
        subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", cache, "onnxruntime-node"],
                       check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(module, "package.json")) as f:
        return json.load(f)["version"]


def ensure_model(cache, name, size, seed):
    """The model's random weights as .safetensors (typenet), its state_dict (PyTorch) and ONNX file."""
    folder = os.path.join(cache, name)
    files = {k: os.path.join(folder, f"{name}.{k}") for k in ("safetensors", "pt", "onnx")}
    if all(os.path.exists(p) for p in files.values()):
        return files
    import torch
    sys.path.insert(0, TOOLS)
    import export_torchvision as ex
    os.makedirs(folder, exist_ok=True)
    print(f"{name}: writing random weights (seed {seed}), state_dict and ONNX export into {folder} ...", flush=True)
    model = ex.build_model(name, seed=seed, height=size[0], width=size[1])
    ex.write_safetensors(files["safetensors"], model.state_dict(), {"format": "pt", "model": name})
    torch.save(model.state_dict(), files["pt"])
    x = ex.make_input(seed + 1, 1, size[0], size[1])
    tmp = files["onnx"] + ".tmp"
    torch.onnx.export(model, x, tmp, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    os.replace(tmp, files["onnx"])
    return files


def ensure_input(cache, name, batch, size, seed):
    base = os.path.join(cache, name, f"input_b{batch}")
    if not os.path.exists(base + ".npy"):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((batch, 3, size[0], size[1]), dtype=np.float32)
        np.save(base + ".npy", x)
        x.tofile(base + ".f32")
    return base


# ---- one measurement: an engine in its own process ---------------------------------------------

def run_engine(engine, a, name, files, inp, batch, size, threads, out):
    env = dict(os.environ)
    if engine.startswith("typenet"):
        graph = engine.split()[1]
        cmd = [a.typenet, "run", name, "--graph", graph, "--weights", files["safetensors"], "--input", inp + ".npy",
               "--threads", str(threads), "--repeat", str(a.repeat), "--output", out + ".npy", "--timings-json", out]
    elif engine == "ONNX Runtime":
        env["NODE_PATH"] = os.path.join(a.cache, "node_modules")
        cmd = ["node", os.path.join(TOOLS, "bench_ort.js"), files["onnx"], inp + ".f32", f"{batch},3,{size[0]},{size[1]}",
               str(threads), str(a.repeat), out]
    else:
        kind = "mkldnn" if "mkldnn" in engine else "eager"
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", kind, name, files["pt"], inp + ".npy", str(threads),
               str(a.repeat), out]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        lines = [line for line in (p.stderr or p.stdout).strip().splitlines() if line.strip()]
        raise RuntimeError(lines[-1][:70] if lines else f"exit code {p.returncode}")
    with open(out) as f:
        r = json.load(f)
    if "logits" not in r:  # typenet writes its logits as .npy
        r["logits"] = np.load(out + ".npy").flatten().tolist()
    return r


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def cpu_model():
    with open("/proc/cpuinfo") as f:
        m = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.M)
    return m.group(1).strip() if m else "unknown CPU"


def chart(rows, engines, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    labels = [f"{r['model']}\nb{r['batch']}, {r['threads']}t" for r in rows]
    # Relative to ONNX Runtime, so that configurations of very different cost share one axis.
    ratio = {e: [r["ms"].get(e, float("nan")) / r["ms"].get("ONNX Runtime", float("nan")) for r in rows] for e in engines}
    top = min(3.0, max([1.2] + [v * 1.1 for vs in ratio.values() for v in vs if v == v]))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(rows) + 2), 5))
    width = 0.8 / len(engines)
    for i, e in enumerate(engines):
        xs = [j + (i - (len(engines) - 1) / 2) * width for j in range(len(rows))]
        ax.bar(xs, ratio[e], width, label=e)
        for x, v, r in zip(xs, ratio[e], rows):
            ms = r["ms"].get(e)
            if ms is None or v != v:
                continue
            clipped = v > top  # a bar cut at the top keeps its figure, inside the axes
            ax.text(x, top * 0.97 if clipped else v, f"{ms:.0f}" if ms >= 10 else f"{ms:.1f}", ha="center",
                    va="top" if clipped else "bottom", fontsize=6, rotation=90 if clipped else 0)
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylim(0, top)
    ax.set_ylabel("time / ONNX Runtime's (lower is faster)")
    ax.set_title("median ms per batch on the bars; FP32, one run")
    fig.subplots_adjust(bottom=0.25)
    fig.legend(*ax.get_legend_handles_labels(), fontsize=8, ncol=3, loc="lower center", frameon=False)
    fig.savefig(path, dpi=130)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--typenet", default="build/bin/typenet")
    p.add_argument("--models", nargs="+", default=["resnext50_32x4d"], help="zoo models, or 'all' (every model of typenet list)")
    p.add_argument("--configs", nargs="+", default=["1x1", "1x2", "8x2"], help="BATCHxTHREADS")
    p.add_argument("--rounds", type=int, default=3, help="round-robin rounds: one process per engine each")
    p.add_argument("--repeat", type=int, default=5, help="timed passes per process (after one warm-up)")
    p.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES, metavar="ENGINE")
    p.add_argument("--cache", default="build/peers", help="installed onnxruntime-node, weights, ONNX files")
    p.add_argument("--png", default="build/peers/peers.png")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--worker", nargs=7, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        kind, name, state, inp, threads, repeat, out = a.worker
        return torch_worker(kind, name, state, inp, int(threads), int(repeat), out)

    if not os.access(a.typenet, os.X_OK):
        sys.exit(f"bench_peers.py: {a.typenet} not found: cmake --build build --target typenet_cli")
    try:
        configs = [tuple(int(v) for v in c.split("x")) for c in a.configs]
    except ValueError:
        sys.exit("bench_peers.py: --configs are BATCHxTHREADS, e.g. 1x2")
    a.cache = os.path.abspath(a.cache)
    os.makedirs(a.cache, exist_ok=True)
    known = zoo(a.typenet)
    names = list(known) if a.models == ["all"] else a.models
    for n in names:
        if n not in known:
            sys.exit(f"bench_peers.py: unknown model {n!r} (typenet list: {', '.join(known)})")
    ort_version = ensure_ort(a.cache) if "ONNX Runtime" in a.engines else None
    files = {n: ensure_model(a.cache, n, known[n], a.seed) for n in names}

    reference = REFERENCE if REFERENCE in a.engines else a.engines[0]  # whose logits the others are compared with
    load_before = loadavg()
    started = time.time()
    rows = []
    for name in names:
        for batch, threads in configs:
            inp = ensure_input(a.cache, name, batch, known[name], a.seed + batch)
            times = {e: [] for e in a.engines}
            setups = {e: [] for e in a.engines}
            logits, failed = {}, {}
            for rnd in range(a.rounds):
                order = a.engines[rnd % len(a.engines):] + a.engines[:rnd % len(a.engines)]
                for e in order:
                    if e in failed:
                        continue
                    out = os.path.join(a.cache, name, f"out_{e.replace(' ', '_')}_b{batch}_t{threads}.json")
                    try:
                        r = run_engine(e, a, name, files[name], inp, batch, known[name], threads, out)
                    except RuntimeError as err:
                        failed[e] = str(err)
                        continue
                    times[e] += r["forward_ms"]
                    setups[e].append(r["setup_ms"])
                    logits.setdefault(e, np.asarray(r["logits"], dtype=np.float32))
            ref = logits.get(reference)
            row = {"model": name, "batch": batch, "threads": threads, "ms": {}, "diff": {}, "spread": {}, "failed": failed,
                   "setup": {e: median(v) for e, v in setups.items() if v}}
            for e in a.engines:
                if times[e]:
                    row["ms"][e] = median(times[e])
                    q = np.percentile(times[e], [25, 75])
                    row["spread"][e] = (q[1] - q[0]) / row["ms"][e]
                if e in logits and ref is not None:
                    row["diff"][e] = float(np.max(np.abs(logits[e] - ref))) if logits[e].shape == ref.shape else float("inf")
            rows.append(row)
            cells = " ".join(f"{e}={row['ms'][e]:.2f}" for e in a.engines if e in row["ms"])
            print(f"# {name} b{batch} {threads}t: {cells}" + (f" failed: {failed}" if failed else ""), file=sys.stderr, flush=True)

    load_after = loadavg()
    elapsed = time.time() - started
    print(f"{cpu_model()}, {os.cpu_count()} CPUs; ONNX Runtime {ort_version} (onnxruntime-node, CPU); "
          f"{a.rounds} rounds x {a.repeat} passes per engine, engines in turn; load average {load_before:.2f} before, "
          f"{load_after:.2f} after ({elapsed:.0f} s). Medians, ms per batch, FP32.\n")
    head = "| model | batch | threads | " + " | ".join(a.engines) + " |"
    ours = [e for e in ("typenet static", "typenet dynamic") if e in a.engines]
    has_ort = "ONNX Runtime" in a.engines
    if has_ort:
        head += "".join(f" {e.split()[1]} / ORT |" for e in ours)
    print(head)
    print("|---|---:|---:|" + "---:|" * (len(a.engines) + (len(ours) if has_ort else 0)))
    for r in rows:
        cells = []
        for e in a.engines:
            cells.append(f"{r['ms'][e]:.1f}" if e in r["ms"] else f"fails ({r['failed'].get(e, '?')[:40]})")
        if has_ort:
            for e in ours:
                ok = e in r["ms"] and "ONNX Runtime" in r["ms"]
                cells.append(f"**{r['ms'][e] / r['ms']['ONNX Runtime']:.3f}x**" if ok else "")
        print(f"| {r['model']} | {r['batch']} | {r['threads']} | " + " | ".join(cells) + " |")

    print(f"\nSame logits: max |logit - {reference}'s| on the same input; and the noise: interquartile range of each "
          "engine's passes / its median.\n")
    print("| model | batch | threads | " + " | ".join(a.engines) + " |")
    print("|---|---:|---:|" + "---:|" * len(a.engines))
    for r in rows:
        cells = [(f"{r['diff'][e]:.1e}" if e in r["diff"] else "-") + (f" ({100 * r['spread'][e]:.0f}%)" if e in r["spread"] else "")
                 for e in a.engines]
        print(f"| {r['model']} | {r['batch']} | {r['threads']} | " + " | ".join(cells) + " |")
    print("\nSet-up, median ms per process: typenet reads (maps) and checks the weights, then plans, folds and packs them; "
          "ONNX Runtime creates its session; PyTorch builds the model, loads the state_dict (and converts it).\n")
    print("| model | batch | threads | " + " | ".join(a.engines) + " |")
    print("|---|---:|---:|" + "---:|" * len(a.engines))
    for r in rows:
        print(f"| {r['model']} | {r['batch']} | {r['threads']} | " +
              " | ".join(f"{r['setup'][e]:.0f}" if e in r["setup"] else "-" for e in a.engines) + " |")
    if has_ort:
        try:
            chart(rows, a.engines, a.png)
            print(f"\nchart: {a.png}")
        except ImportError:
            print("\nno chart: matplotlib is missing (Debian: apt-get install python3-matplotlib)", file=sys.stderr)
    print("\ncommand: /usr/bin/python3 tools/bench_peers.py " + shlex.join(sys.argv[1:]))


if __name__ == "__main__":
    main()
