#!/usr/bin/python3
"""Check `typenet list` against torchvision: every model registered in typenet/models/zoo.hpp is
listed exactly once (and named in tools/zoo_models.py, the tools' list), with torchvision's parameter count (of the eval-mode model: no auxiliary
classifiers), and with the crop, Resize size and Resize filter of torchvision's IMAGENET1K_V1
evaluation transform; no other model is listed. Exit code 1, with every difference, when they disagree.

Usage: check_zoo_list.py TYPENET_COMMAND ZOO_HPP
"""
import os
import re
import subprocess
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoo_models import MODELS, eval_form  # noqa: E402  (the models the tools export and test)


def torchvision_params(name):
    kwargs = eval_form(name, init_weights=False)
    with torch.no_grad():
        model = torchvision.models.get_model(name, weights=None, **kwargs) if hasattr(torchvision.models, "get_model") \
            else getattr(torchvision.models, name)(weights=None, **kwargs)
    return sum(p.numel() for p in model.parameters())


def main():
    command, zoo_hpp = sys.argv[1:3]
    with open(zoo_hpp) as f:
        registered = re.findall(r'zoo_entry<"([a-z0-9_]+)"', f.read())
    if not registered:
        sys.exit(f"check_zoo_list.py: no zoo_entry<\"name\", ...> in {zoo_hpp}")
    out = subprocess.run([command, "list"], check=True, capture_output=True, text=True).stdout
    print(out, end="")
    rows = {}
    for m in re.finditer(r"^(\S+)\s+([\d,]+)\s+([\d,]+)\s+[\d,]+\s+(\d+)x(\d+)x(\d+)\s+resize (\d+) (\w+), crop (\d+)$", out, re.M):
        if m[1] in rows:
            print(f"FAIL {m[1]}: listed twice")
            return 1
        rows[m[1]] = m
    failures = [f"{n}: listed but not registered" for n in rows if n not in registered]
    failures += [f"{n}: registered but not in tools/zoo_models.py (no fixtures, no parity test)" for n in registered
                 if n not in MODELS]
    failures += [f"{n}: in tools/zoo_models.py but not registered" for n in MODELS if n not in registered]
    for name in registered:
        row = rows.get(name)
        if row is None:
            failures.append(f"{name}: registered but not listed")
            continue
        params = int(row[2].replace(",", ""))
        expected = torchvision_params(name)
        transform = list(torchvision.models.get_model_weights(name))[0].transforms()
        crop, resize, filter = transform.crop_size[0], transform.resize_size[0], transform.interpolation.value
        got = (params, int(row[5]), int(row[6]), int(row[7]), row[8], int(row[9]))
        want = (expected, crop, crop, resize, filter, crop)
        status = "ok" if got == want else "FAIL"
        print(f"{status:4} {name:20} params {params:>11,} (torchvision {expected:>11,})  input {row[5]}x{row[6]} "
              f"resize {row[7]} {row[8]} crop {row[9]} (torchvision {crop}x{crop}, resize {resize} {filter} crop {crop})")
        if got != want:
            failures.append(f"{name}: typenet {got} != torchvision {want} (params, height, width, resize, filter, crop)")
    for f in failures:
        print(f"FAIL {f}")
    print(f"{len(registered)} registered, {len(rows)} listed, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
