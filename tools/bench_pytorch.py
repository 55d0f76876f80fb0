#!/usr/bin/env python3
"""The PyTorch peer for bench/resnext50.cpp: torchvision resnext50_32x4d (and resnet50) forward
passes at 224x224 on this machine, eager and converted with torch.utils.mkldnn (oneDNN), with the
same batch sizes and thread counts. Prints median and min milliseconds per batch.

    /usr/bin/python3 tools/bench_pytorch.py [--repeat 10] [--threads 2] [--batch 1 8]
"""
import argparse
import statistics
import time

import torch
import torchvision
from torch.utils import mkldnn as mkldnn_utils


def measure(fn, x, repeat):
    with torch.no_grad():
        fn(x)  # warm-up
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn(x)
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--threads", type=int, nargs="+", default=[2])
    p.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    p.add_argument("--models", nargs="+", default=["resnext50_32x4d", "resnet50"])
    a = p.parse_args()
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}")
    for name in a.models:
        model = getattr(torchvision.models, name)().eval()
        mk = mkldnn_utils.to_mkldnn(getattr(torchvision.models, name)().eval())
        for threads in a.threads:
            torch.set_num_threads(threads)
            for batch in a.batch:
                x = torch.randn(batch, 3, 224, 224)
                eager = measure(model, x, a.repeat)
                onednn = measure(lambda t: mk(t.to_mkldnn()).to_dense(), x, a.repeat)
                for kind, (med, low) in (("eager", eager), ("mkldnn", onednn)):
                    print(f"{name:16s} {kind:7s} batch {batch} threads {threads}: "
                          f"median {med:8.2f} ms  min {low:8.2f} ms  ({batch / med * 1e3:6.1f} images/s)")


if __name__ == "__main__":
    main()
