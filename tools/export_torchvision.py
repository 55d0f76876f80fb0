#!/usr/bin/python3
"""Export a torchvision classifier (the zoo in MODELS) for typenet's tests: weights (.safetensors), an input batch
and PyTorch's logits for it (.npy).

Random weights (--seed) are torchvision's default init, then made harder to get right by accident:
every BatchNorm gets non-trivial running statistics and affine parameters (the defaults 0/1 would
hide a BN that is skipped or applied wrongly), and each conv is rescaled so the activations stay
O(1) through all 50 layers (otherwise the logits explode or collapse and a comparison with a
relative tolerance proves little).

Only torch, torchvision, numpy and the standard library: the safetensors format is written by hand.
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoo_models import MODELS, EVAL_FORM, eval_form  # noqa: E402

_DTYPES = {
    torch.float64: ("F64", "<f8"), torch.float32: ("F32", "<f4"), torch.float16: ("F16", "<f2"),
    torch.int64: ("I64", "<i8"), torch.int32: ("I32", "<i4"), torch.int16: ("I16", "<i2"),
    torch.int8: ("I8", "i1"), torch.uint8: ("U8", "u1"), torch.bool: ("BOOL", "?"),
}


def _atomic_open(path):
    """Write to a temporary name and rename at the end, so a killed run never leaves a truncated
    file that a later run (or a test) would take for a good one."""
    class _Atomic:
        def __enter__(self):
            self.tmp = f"{path}.tmp{os.getpid()}"
            self.f = open(self.tmp, "wb")
            return self.f

        def __exit__(self, exc_type, exc, tb):
            self.f.close()
            if exc_type is None:
                os.replace(self.tmp, path)
            else:
                os.unlink(self.tmp)
            return False
    return _Atomic()


def write_safetensors(path, state_dict, metadata=None):
    """Writes tensors in state_dict order: the header in file order lists them as PyTorch does."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in state_dict.items():
        t = t.detach().cpu().contiguous()
        if t.dtype not in _DTYPES:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        code, np_dtype = _DTYPES[t.dtype]
        data = t.numpy().astype(np_dtype, copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data section starts 8-byte aligned, like the reference writer
    with _atomic_open(path) as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def save_npy(path, array):
    with _atomic_open(path) as f:  # a file object: np.save(path) would append ".npy" to other names
        np.save(f, np.ascontiguousarray(array, dtype="<f4"))


def make_input(seed, batch, height, width):
    """Seeded random NCHW input: white Gaussian noise plus Gaussian random fields at 4 coarser
    scales, standardised per sample and channel. A random network's pooled features hardly depend
    on white noise, and mostly on the input's overall energy; structure at several scales with equal
    energy makes different samples give clearly different logits."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, 3, height, width, generator=g)
    for r in (2, 4, 8, 16):
        coarse = torch.randn(batch, 3, r, r, generator=g)
        x += torch.nn.functional.interpolate(coarse, size=(height, width), mode="bilinear", align_corners=False)
    x -= x.mean((2, 3), keepdim=True)
    x /= x.std((2, 3), keepdim=True)
    return x.float().contiguous()


def _randomise_batchnorms(model, gen):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(0.1 * torch.randn(n, generator=gen))
            m.running_var.copy_(0.5 + torch.rand(n, generator=gen))
            m.weight.data.copy_(0.5 + torch.rand(n, generator=gen))
            m.bias.data.copy_(0.1 * torch.randn(n, generator=gen))


def _grid(s):
    """Rounds a positive scale factor to a 1/16-octave grid: float noise in the calibration (BLAS,
    core count) then can't change the exported weights."""
    return 2.0 ** (round(math.log2(s) * 16) / 16)


# Calibration samples. Pooled features of a random network vary heavily from input to input
# (MobileNetV3, EfficientNet: feature norms differing 6x), so the classifier's centre needs more
# than two samples or every input lands on the same side of it.
CALIBRATION_BATCH = 8


def _calibrate(model, gen, height, width, logit_std=3.0):
    """Makes a randomly initialised network numerically well behaved, using one forward pass over a
    random calibration batch (in float32: the scales are rounded to a grid anyway, and float64
    convolutions cost 3x as much in PyTorch, most of the fixtures' time on a single-thread CI):
    - each conv is rescaled so its output (the next BatchNorm's input) has unit standard deviation;
      the BN statistics drawn above assume that, while torchvision's init alone lets activations
      grow or shrink by a large factor per block. The forward hook rescales the output it just
      produced too, so every later layer already sees the calibrated network;
    - the classifier is centred on the batch's mean pooled feature and scaled to a logit std of
      about `logit_std`. Pooled features of a random network share a large input-independent
      component, which otherwise dominates the logits: every input gets the same argmax."""
    # At the size of the real inputs: the share of zero-padded borders shifts the mean features.
    x = make_input(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)), CALIBRATION_BATCH, height, width)
    # The classifier's last layer: a Linear, or SqueezeNet's final 1x1 conv (its logits are that
    # conv's ReLU'd maps, averaged; centring its pre-ReLU output keeps about half of each map).
    fc = [m for m in model.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))][-1]
    if isinstance(fc, torch.nn.Conv2d) and (fc.kernel_size != (1, 1) or fc.groups != 1 or fc.bias is None):
        raise ValueError(f"the classifier's last layer is {fc}: expected a Linear or a 1x1 conv with bias")
    feats = {}

    def conv_hook(conv, inp, out):
        s = _grid(1.0 / out.std().item())
        conv.weight.mul_(s)
        if conv.bias is not None:  # VGG, AlexNet: scale the whole output
            conv.bias.mul_(s)
        return out * s

    def fc_hook(mod, inp):
        feats["x"] = inp[0]

    hooks = [m.register_forward_hook(conv_hook) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    hooks.append(fc.register_forward_pre_hook(fc_hook))
    try:
        with torch.no_grad():
            model(x)
            f = feats["x"]
            if f.dim() == 4:  # the 1x1 conv: every pixel of every map is a sample
                f = f.permute(0, 2, 3, 1).reshape(-1, f.shape[1])
            weight = fc.weight.view(fc.weight.shape[0], -1)  # a view: scaling it scales the conv
            mu = f.mean(0)
            k = _grid(logit_std / ((f - mu) @ weight.t()).std().item())
            weight.mul_(k)
            fc.bias.sub_(weight @ mu)
    finally:
        for h in hooks:
            h.remove()


def build_model(name, seed=None, pretrained=None, height=224, width=224):
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    if pretrained is not None:
        model = getattr(torchvision.models, name)(weights=None, **eval_form(name))
        state = torch.load(pretrained, map_location="cpu")
        if isinstance(state, dict) and "state_dict" in state and not any(k.endswith(".weight") for k in state):
            state = state["state_dict"]
        if name in EVAL_FORM:  # torchvision's checkpoints carry the auxiliary classifiers
            state = {k: v for k, v in state.items() if not k.startswith(("aux1.", "aux2.", "AuxLogits."))}
        model.load_state_dict(state)
    else:
        torch.manual_seed(seed)
        model = getattr(torchvision.models, name)(weights=None, **eval_form(name))  # torchvision's default init
        gen = torch.Generator().manual_seed(seed + 1_000_003)
        with torch.no_grad():
            _randomise_batchnorms(model, gen)
        model.eval()
        _calibrate(model, gen, height, width)
    return model.eval()


def check_logits(logits):
    """Random weights must still give logits that tell inputs apart, or the fixture proves little."""
    std = float(logits.std())
    problems = []
    if not math.isfinite(std) or not 0.1 <= std <= 100:
        problems.append(f"logit std {std:.4g} is outside [0.1, 100]")
    if logits.shape[0] >= 2 and len(set(logits.argmax(1).tolist())) == 1:
        problems.append("every input has the same argmax")
    return std, problems


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=MODELS, default="resnext50_32x4d")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--seed", type=int, help="random weights from this seed (default 0)")
    src.add_argument("--pretrained", metavar="FILE.pth", help="load this state_dict instead")
    p.add_argument("--weights", metavar="OUT.safetensors")
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--height", type=int, default=224)
    p.add_argument("--width", type=int, default=224)
    p.add_argument("--input-seed", type=int, default=None, help="seed of the input (default: --seed + 1)")
    p.add_argument("--input", metavar="OUT.npy", help="random input batch, NCHW float32")
    p.add_argument("--logits", metavar="OUT.npy", help="the model's eval-mode output on that input")
    p.add_argument("--also", nargs=4, metavar=("HEIGHT", "WIDTH", "INPUT.npy", "LOGITS.npy"),
                   help="a second input of another size and the same weights' logits for it")
    args = p.parse_args(argv)
    if args.batch < 1 or args.height < 1 or args.width < 1:
        p.error("--batch, --height and --width must be positive")
    seed = 0 if args.seed is None else args.seed
    input_seed = seed + 1 if args.input_seed is None else args.input_seed

    model = build_model(args.model, seed=seed, pretrained=args.pretrained, height=args.height, width=args.width)
    # Random weights are always checked, and before anything is written: a useless fixture must
    # not be left behind.
    x = logits = None
    if args.input or args.logits or args.pretrained is None:
        x = make_input(input_seed, args.batch, args.height, args.width)
        with torch.no_grad():
            logits = model(x).float()
        std, problems = check_logits(logits)
        print(f"{args.model}: logits shape {tuple(logits.shape)}, std {std:.3f}, "
              f"min {float(logits.min()):.3f}, max {float(logits.max()):.3f}, argmax {logits.argmax(1).tolist()}")
        if problems and args.pretrained is None:
            sys.exit(f"export_torchvision.py: random weights with seed {seed} give useless logits: "
                     + "; ".join(problems))
    if args.weights:
        write_safetensors(args.weights, model.state_dict(), {"format": "pt", "model": args.model})
        print(f"wrote {args.weights}")
    if args.input:
        save_npy(args.input, x.numpy())
        print(f"wrote {args.input}")
    if args.logits:
        save_npy(args.logits, logits.numpy())
        print(f"wrote {args.logits}")
    if args.also:
        h, w = int(args.also[0]), int(args.also[1])
        x2 = make_input(input_seed + 1, args.batch, h, w)
        with torch.no_grad():
            logits2 = model(x2).float()
        std, problems = check_logits(logits2)
        # Calibrated at the main size, the network may give both inputs the same argmax here; the
        # logits still differ, and the comparison is of all of them.
        problems = [q for q in problems if "argmax" not in q]
        if problems and args.pretrained is None:
            sys.exit(f"export_torchvision.py: at {h}x{w} the logits are useless: " + "; ".join(problems))
        save_npy(args.also[2], x2.numpy())
        save_npy(args.also[3], logits2.numpy())
        print(f"wrote {args.also[2]} and {args.also[3]} ({h}x{w}, logit std {std:.3f})")

if __name__ == "__main__":
    main()
