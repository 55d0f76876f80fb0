#!/usr/bin/python3
"""Writes one random input batch per model of `typenet list` at the model's native size, for the
CTest runs of `typenet run MODEL --graph static` (seeded, so every run sees the same files).

    /usr/bin/python3 tools/native_inputs.py build/bin/typenet OUT_DIR
"""
import os
import re
import subprocess
import sys

import numpy as np


def main():
    typenet, out = sys.argv[1], sys.argv[2]
    listing = subprocess.run([typenet, "list"], check=True, capture_output=True, text=True).stdout
    models = re.findall(r"^(\w+)\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+(\d+)x(\d+)x(\d+)\s", listing, re.M)
    if not models:
        sys.exit(f"native_inputs.py: no models in the output of {typenet} list")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    for name, c, h, w in models:
        np.save(os.path.join(out, f"{name}.npy"), rng.standard_normal((1, int(c), int(h), int(w)), dtype=np.float32))
    print(f"native_inputs.py: {len(models)} inputs in {out}")


if __name__ == "__main__":
    main()
