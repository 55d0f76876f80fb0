#!/usr/bin/python3
"""Where ONNX Runtime is faster, op by op: typenet's per-op profile (`typenet run --profile`) beside
ONNX Runtime's own (tools/profile_ort.js), on the same model, weights, input, batch and threads,
summed per stage and kind of op (a torchvision ResNet or ResNeXt: the stem with its max pool,
each stage's conv1 / conv2 / conv3 / projection, the classifier, ORT's layout reorders).

    /usr/bin/python3 tools/ops_vs_ort.py [--model resnext50_32x4d] [--threads 1] [--batch 1] [--passes 30]

Uses the files tools/bench_peers.py caches in build/peers/ (run it once first): the model's
.safetensors and .onnx, and input_bN.npy / .f32. Prints a markdown table in ms per pass.
"""
import argparse
import os
import re
import subprocess
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
STAGE = re.compile(r"layer(\d)[./]layer\d\.\d+[./](\w+)|layer(\d)\.\d+\.(\w+)")


def kind_of(stage, part):
    if part.startswith("downsample"):
        return f"stage {stage} projection"
    if part in ("conv2", "relu_1"):  # ORT names a fused conv by its output (relu_1: after bn2)
        return f"stage {stage} conv2 (3x3)"
    if part in ("conv1", "relu"):
        return f"stage {stage} conv1 (1x1)"
    if part == "conv3":
        return f"stage {stage} conv3 (1x1 + residual)"
    return f"stage {stage} {part}"


def typenet_ops(a, files):
    cmd = [a.typenet, "run", a.model, "--weights", files["safetensors"], "--input", files["input"] + ".npy",
           "--threads", str(a.threads), "--repeat", str(a.passes), "--profile"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    ops = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+)\s+([\d.]+)\s+[\d.]+%", line)
        if not m or m.group(1) == "total":
            continue
        name, ms = m.group(1), float(m.group(2))
        s = STAGE.search(name)
        if s:
            key = kind_of(s.group(3), s.group(4))
        elif name.startswith("fc"):
            key = "classifier"
        elif "pool" in name and not name.startswith("conv1"):
            key = "global pool"
        else:
            key = "stem + max pool"
        ops[key] = ops.get(key, 0.0) + ms
    return ops


def ort_ops(a, files):
    env = dict(os.environ, NODE_PATH=os.path.join(a.cache, "node_modules"))
    shape = f"{a.batch},3,{files['size'][0]},{files['size'][1]}"
    cmd = ["node", os.path.join(TOOLS, "profile_ort.js"), files["onnx"], files["input"] + ".f32", shape, str(a.threads),
           str(a.passes + 1)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    ops = {}
    for line in out.splitlines()[1:]:
        parts = line.split()
        if len(parts) != 3:
            continue
        ms, op, node = float(parts[0]), parts[1], parts[2]
        s = STAGE.search(node)
        if op.startswith("Reorder"):
            key = "layout reorders"
        elif s:
            key = kind_of(s.group(1), s.group(2))
        elif node.startswith("/fc") or op == "Gemm":
            key = "classifier"
        elif "avgpool" in node or op in ("GlobalAveragePool", "Flatten"):
            key = "global pool"
        else:
            key = "stem + max pool"
        ops[key] = ops.get(key, 0.0) + ms
    return ops


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--typenet", default="build/bin/typenet")
    p.add_argument("--model", default="resnext50_32x4d")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--passes", type=int, default=30, help="profiled passes per engine (after a warm-up)")
    p.add_argument("--cache", default="build/peers", help="bench_peers.py's files")
    a = p.parse_args()
    folder = os.path.join(a.cache, a.model)
    files = {k: os.path.join(folder, f"{a.model}.{k}") for k in ("safetensors", "onnx")}
    files["input"] = os.path.join(folder, f"input_b{a.batch}")
    missing = [f for f in (files["safetensors"], files["onnx"], files["input"] + ".npy", files["input"] + ".f32")
               if not os.path.exists(f)]
    if missing:
        sys.exit(f"ops_vs_ort.py: missing {', '.join(missing)}: run tools/bench_peers.py --models {a.model} "
                 f"--configs {a.batch}x{a.threads} first")
    import numpy as np
    files["size"] = np.load(files["input"] + ".npy", mmap_mode="r").shape[2:]
    ours, theirs = typenet_ops(a, files), ort_ops(a, files)
    kinds = ["conv1", "conv2", "conv3", "projection"]

    def stage_order(key):  # the stem, the stages in order (kinds in block order, others after), the rest
        parts = key.split()
        if not key.startswith("stage"):
            return (key != "stem + max pool", "9", 9, key)
        return (True, parts[1], kinds.index(parts[2]) if parts[2] in kinds else len(kinds), key)

    print(f"{a.model}, batch {a.batch}, {a.threads} thread(s): median ms per pass over {a.passes} profiled passes\n")
    print("| ops | typenet | ONNX Runtime | typenet - ORT |")
    print("|---|---:|---:|---:|")
    for k in sorted(set(ours) | set(theirs), key=stage_order):
        t, o = ours.get(k, 0.0), theirs.get(k, 0.0)
        print(f"| {k} | {t:.2f} | {o:.2f} | {t - o:+.2f} |")
    t, o = sum(ours.values()), sum(theirs.values())
    print(f"| **sum of ops** | **{t:.2f}** | **{o:.2f}** | **{t - o:+.2f}** |")


if __name__ == "__main__":
    main()
