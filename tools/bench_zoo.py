#!/usr/bin/python3
"""The zoo's latency table: every model of `build/bin/typenet list` at batch 1 on the same thread
count, typenet (static graph, fused kernels, seeded weights) next to PyTorch 1.13 eager and
converted with torch.utils.mkldnn (oneDNN), at each model's native size. Prints a markdown table
of medians and the ratios; run it on a quiet machine, all rows in one run.

    /usr/bin/python3 tools/bench_zoo.py [--typenet build/bin/typenet] [--threads 2] [--repeat 10]
                                        [--models NAME ...]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

import torch
import torchvision
from torch.utils import mkldnn as mkldnn_utils

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_pytorch import measure  # noqa: E402  (the same timing loop as the ResNeXt-50 table)
from zoo_models import eval_form  # noqa: E402

def zoo(typenet):
    out = subprocess.run([typenet, "list"], check=True, capture_output=True, text=True).stdout
    return [(m.group(1), int(m.group(2))) for m in re.finditer(r"^(\w+)\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+3x(\d+)x\d+", out, re.M)]


def typenet_ms(typenet, name, x, threads, repeat):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.npy")
        np.save(path, x.numpy())
        out = subprocess.run([typenet, "run", name, "--input", path, "--threads", str(threads), "--repeat", str(repeat)],
                             check=True, capture_output=True, text=True).stdout
    m = re.search(r"latency_ms median=([\d.]+)", out)
    if not m:
        raise RuntimeError(f"typenet run {name}: no latency line in\n{out}")
    return float(m.group(1))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--typenet", default="build/bin/typenet")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--models", nargs="+")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    models = [(n, s) for n, s in zoo(a.typenet) if not a.models or n in a.models]
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}; batch 1, {a.threads} threads, "
          f"median of {a.repeat} runs, ms\n")
    print("| model | input | typenet | PyTorch eager | eager / typenet | PyTorch `to_mkldnn` | mkldnn / typenet |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, size in models:
        x = torch.randn(1, 3, size, size)  # the same input for both
        ours = typenet_ms(a.typenet, name, x, a.threads, a.repeat)
        model = getattr(torchvision.models, name)(weights=None, **eval_form(name, init_weights=False)).eval()
        eager, _ = measure(model, x, a.repeat)
        try:  # some models do not run converted (DenseNet's torch.cat, for one)
            mk = mkldnn_utils.to_mkldnn(model)
            onednn, _ = measure(lambda t: mk(t.to_mkldnn()).to_dense(), x, a.repeat)
            mk_cells = f"{onednn:.1f} | {onednn / ours:.2f}x"
        except RuntimeError as e:
            mk_cells = f"fails ({str(e).splitlines()[0][:40]}...) | "
        print(f"| {name} | {size} | {ours:.1f} | {eager:.1f} | {eager / ours:.2f}x | {mk_cells} |", flush=True)


if __name__ == "__main__":
    main()
