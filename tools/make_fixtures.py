#!/usr/bin/python3
"""Creates the PyTorch fixtures typenet's [torch] tests read:

  <model>.safetensors, <model>_input.npy, <model>_logits.npy   for the zoo (MODELS), at its native size
  <model>_input_160x192.npy, <model>_logits_160x192.npy          the same weights at 160x192
  test.png, test.jpg, test_large.png                           synthetic test images
  test_preprocessed.npy, test_large_preprocessed.npy,          torchvision's ImageNet preprocessing
  test_jpg_preprocessed.npy                                    of each image, 3x224x224 float32
  layers/...                                                   tools/make_layer_fixtures.py, if present

A file is remade only if it is missing or was made by a different version of these scripts (the
stamps in DIR/.stamps.json hold a hash of the scripts and the recipe), so a second run just checks
stamps and never imports torch.

Usage: make_fixtures.py --out DIR
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
EXPORT = os.path.join(HERE, "export_torchvision.py")
LAYERS = os.path.join(HERE, "make_layer_fixtures.py")
ZOO = os.path.join(HERE, "zoo_models.py")
sys.path.insert(0, HERE)
from zoo_models import MODELS, native_size  # noqa: E402

WEIGHT_SEED, INPUT_SEED = 1, 2   # different, so the input is not correlated with the weights
ALSO = (160, 192)  # a non-square size for the dynamic front end
IMAGES = {  # name: (width, height); test_large is down-scaled by Resize(256), test up-scaled
    "test": (300, 200),
    "test_large": (613, 411),
}


class FixtureError(Exception):
    pass


def scripts_hash():
    h = hashlib.sha256()
    for path in (EXPORT, ZOO, os.path.abspath(__file__)):
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


class Stamps:
    """Which recipe made each file; a file counts as up to date only if it exists and its stamp
    matches the current recipe."""

    def __init__(self, out):
        self.path = os.path.join(out, ".stamps.json")
        try:
            with open(self.path) as f:
                self.data = json.load(f)
        except (OSError, ValueError):
            self.data = {}

    def up_to_date(self, out, names, recipe):
        return all(os.path.exists(os.path.join(out, n)) and self.data.get(n) == recipe for n in names)

    def mark(self, names, recipe):
        for n in names:
            self.data[n] = recipe
        tmp = f"{self.path}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            json.dump(self.data, f, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


def recipe_of(*parts):
    return hashlib.sha256(json.dumps([scripts_hash(), *parts]).encode()).hexdigest()


def run(cmd):
    r = subprocess.run(cmd)
    if r.returncode != 0:
        raise FixtureError(f"{' '.join(cmd)} failed with exit status {r.returncode}")


def make_model(out, model):
    height, width = native_size(model)
    run([sys.executable, EXPORT, "--model", model, "--seed", str(WEIGHT_SEED), "--input-seed", str(INPUT_SEED),
         "--batch", "2", "--height", str(height), "--width", str(width),
         "--weights", os.path.join(out, f"{model}.safetensors"),
         "--input", os.path.join(out, f"{model}_input.npy"),
         "--logits", os.path.join(out, f"{model}_logits.npy"),
         "--also", str(ALSO[0]), str(ALSO[1]), os.path.join(out, f"{model}_input_{ALSO[0]}x{ALSO[1]}.npy"),
         os.path.join(out, f"{model}_logits_{ALSO[0]}x{ALSO[1]}.npy")])


def synthetic_image(width, height):
    """Gradients, rings, fine checkerboards (1 and 3 px: aliasing shows if a resize doesn't
    antialias) and a little noise, so every part of the resampling is exercised."""
    import numpy as np
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 255 * x / (width - 1)
    g = 255 * y / (height - 1)
    rings = np.hypot(x - 0.4 * width, y - 0.6 * height)
    b = 127.5 + 127.5 * np.sin(rings * 0.35)
    img = np.stack([r, g, b], axis=-1)
    fine = ((x.astype(int) + y.astype(int)) % 2 == 0)
    coarse = ((x.astype(int) // 3 + y.astype(int) // 3) % 2 == 0)
    img[: height // 3, : width // 3] = np.where(fine[: height // 3, : width // 3, None], 240, 15)
    img[-height // 3:, -width // 3:] = np.where(coarse[-height // 3:, -width // 3:, None], [250, 40, 40], [20, 60, 230])
    img += np.random.default_rng(7).normal(0, 6, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def make_images(out):
    import numpy as np
    from PIL import Image
    from torchvision import transforms
    sys.path.insert(0, HERE)
    from export_torchvision import save_npy

    preprocess = transforms.Compose([
        transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])

    def save_image(img, name, **kw):
        path = os.path.join(out, name)
        tmp = f"{path}.tmp{os.getpid()}{os.path.splitext(name)[1]}"
        img.save(tmp, **kw)
        os.replace(tmp, path)

    for name, (w, h) in IMAGES.items():
        img = Image.fromarray(synthetic_image(w, h), "RGB")
        save_image(img, f"{name}.png")
        save_npy(os.path.join(out, f"{name}_preprocessed.npy"), preprocess(img).numpy())
    img = Image.fromarray(synthetic_image(*IMAGES["test"]), "RGB")
    save_image(img, "test.jpg", quality=92)
    with Image.open(os.path.join(out, "test.jpg")) as jpg:  # what PIL's libjpeg decodes
        save_npy(os.path.join(out, "test_jpg_preprocessed.npy"), preprocess(jpg.convert("RGB")).numpy())


def main():
    p = argparse.ArgumentParser(description="Create the PyTorch fixtures of typenet's [torch] tests.")
    p.add_argument("--out", required=True, metavar="DIR")
    args = p.parse_args()
    out = os.path.abspath(args.out)
    start = time.time()
    try:
        os.makedirs(out, exist_ok=True)
        stamps = Stamps(out)
        also = f"{ALSO[0]}x{ALSO[1]}"
        jobs = [([f"{m}.safetensors", f"{m}_input.npy", f"{m}_logits.npy", f"{m}_input_{also}.npy", f"{m}_logits_{also}.npy"],
                 recipe_of("model", m, WEIGHT_SEED, INPUT_SEED, ALSO, *native_size(m)), lambda m=m: make_model(out, m))
                for m in MODELS]
        image_files = [f"{n}.png" for n in IMAGES] + [f"{n}_preprocessed.npy" for n in IMAGES]
        image_files += ["test.jpg", "test_jpg_preprocessed.npy"]
        jobs.append((image_files, recipe_of("images", IMAGES), lambda: make_images(out)))
        for names, recipe, make in jobs:
            if stamps.up_to_date(out, names, recipe):
                print(f"up to date: {', '.join(names)}")
                continue
            t = time.time()
            make()
            missing = [n for n in names if not os.path.exists(os.path.join(out, n))]
            if missing:
                raise FixtureError(f"expected output missing: {', '.join(missing)}")
            stamps.mark(names, recipe)
            print(f"made {', '.join(os.path.join(out, n) for n in names)} ({time.time() - t:.1f} s)")
        if os.path.exists(LAYERS):
            run([sys.executable, LAYERS, "--out", os.path.join(out, "layers")])
    except FixtureError as e:
        sys.exit(f"make_fixtures.py: error: {e}")
    except Exception as e:  # noqa: BLE001 - the traceback, then a one-line reason for the ctest log
        traceback.print_exc()
        sys.exit(f"make_fixtures.py: error: {type(e).__name__}: {e}")
    print(f"fixtures in {out} ready ({time.time() - start:.1f} s)")


if __name__ == "__main__":
    main()
