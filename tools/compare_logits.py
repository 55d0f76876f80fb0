#!/usr/bin/env python3
"""Compare typenet's logits with PyTorch's: |got - expected| <= rtol * max(1, max|expected|)
everywhere, and the same argmax per image. Exit code 1 (with the numbers) when they differ."""
import argparse
import sys

import numpy as np


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("expected")
    p.add_argument("got")
    p.add_argument("--rtol", type=float, default=1e-4)
    a = p.parse_args()
    expected, got = np.load(a.expected), np.load(a.got)
    if expected.shape != got.shape:
        print(f"shape mismatch: expected {expected.shape}, got {got.shape}")
        return 1
    tol = a.rtol * max(1.0, float(np.abs(expected).max()))
    err = float(np.abs(got - expected).max())
    same_argmax = bool((got.argmax(axis=1) == expected.argmax(axis=1)).all())
    print(f"max|logit| {np.abs(expected).max():.4f}  max error {err:.3g}  tolerance {tol:.3g}  "
          f"argmax {got.argmax(axis=1).tolist()} vs {expected.argmax(axis=1).tolist()}")
    return 0 if err <= tol and same_argmax else 1


if __name__ == "__main__":
    sys.exit(main())
