#!/usr/bin/python3
"""Creates small single-layer PyTorch fixtures for typenet's reference kernels (tests tagged
[torch] in tests/unit/kernels_reference.cpp read them from TYPENET_FIXTURE_DIR/layers/).

For every case NAME it writes float32 .npy files NAME_input.npy, NAME_output.npy and the layer's
parameters (NAME_weight.npy, NAME_bias.npy, NAME_mean.npy, ...). Layouts are PyTorch's: NCHW
activations, [out][in/groups][kh][kw] conv weights, [out][in] linear weights. Inputs and parameters
are seeded, so the files are the same on every run; files that already exist are skipped.

Usage: make_layer_fixtures.py --out DIR      (torch + numpy only)
"""
import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F

SEED = 7


def cases():
    g = torch.Generator().manual_seed(SEED)

    def rnd(*shape, lo=-1.0, hi=1.0):
        return torch.rand(*shape, generator=g, dtype=torch.float32) * (hi - lo) + lo

    out = {}

    def conv(name, n, cin, h, w, cout, k, stride, pad, groups, bias):
        # k, stride, pad: an int (square) or an (h, w) pair, as F.conv2d takes them
        kh, kw = (k, k) if isinstance(k, int) else k
        x = rnd(n, cin, h, w)
        wt = rnd(cout, cin // groups, kh, kw)
        b = rnd(cout) if bias else None
        y = F.conv2d(x, wt, b, stride=stride, padding=pad, groups=groups)
        files = {"input": x, "weight": wt, "output": y}
        if bias:
            files["bias"] = b
        out[name] = files

    # grouped 3x3, stride 2, pad 1 on an odd-size (9x11) input: 16 -> 32 channels, 4 groups
    conv("conv_grouped_s2", 2, 16, 9, 11, 32, 3, 2, 1, 4, False)
    # dense 3x3 stride 1 pad 1 with bias on 7x5
    conv("conv_bias", 1, 5, 7, 5, 6, 3, 1, 1, 1, True)
    # the stem's shape: 7x7 stride 2 pad 3, 3 input channels, odd 23x21 input
    conv("conv_stem", 1, 3, 23, 21, 8, 7, 2, 3, 1, False)
    # 1x1 stride 2 (projection shortcut) on 9x9
    conv("conv_1x1_s2", 2, 12, 9, 9, 10, 1, 2, 0, 1, False)

    # inference batch norm with random running statistics
    x = rnd(2, 6, 5, 7)
    mean, var = rnd(6), rnd(6, lo=0.2, hi=2.0)
    gamma, beta = rnd(6, lo=0.5, hi=1.5), rnd(6)
    y = F.batch_norm(x, mean, var, gamma, beta, training=False, eps=1e-5)
    out["batch_norm"] = {"input": x, "mean": mean, "var": var, "gamma": gamma, "beta": beta,
                         "output": y}

    # max pool 3x3 / 2 / pad 1 on an odd 11x13 input (padding is -inf)
    x = rnd(2, 3, 11, 13)
    out["max_pool"] = {"input": x, "output": F.max_pool2d(x, 3, stride=2, padding=1)}

    # global average pool over 7x9
    x = rnd(2, 5, 7, 9)
    out["global_avg_pool"] = {"input": x, "output": F.adaptive_avg_pool2d(x, 1).flatten(1)}

    # linear 37 -> 11 with bias, batch 3
    x, wt, b = rnd(3, 37), rnd(11, 37), rnd(11)
    out["linear"] = {"input": x, "weight": wt, "bias": b, "output": F.linear(x, wt, b)}

    # Rectangular kernels (new cases go last, so that the cases above keep their random streams).
    # Inception-v3's factorised 7x7: 1x7 pad (0, 3) and 7x1 pad (3, 0) keep the size, odd inputs
    conv("conv_1x7", 2, 6, 9, 11, 10, (1, 7), 1, (0, 3), 1, True)
    conv("conv_7x1", 1, 5, 13, 7, 12, (7, 1), 1, (3, 0), 1, False)
    # its 1x3 / 3x1 pair, the 1x3 grouped
    conv("conv_1x3", 2, 8, 5, 6, 12, (1, 3), 1, (0, 1), 4, False)
    conv("conv_3x1", 1, 7, 8, 5, 9, (3, 1), 1, (1, 0), 1, True)
    # a rectangular stride (2, 1) with a 3x5 kernel, grouped, on 11x9
    conv("conv_rect_s21", 2, 6, 11, 9, 4, (3, 5), (2, 1), (1, 2), 2, False)
    # everything uneven: 2x5 kernel, stride (1, 3), padding (0, 1), 7x13 input
    conv("conv_rect_odd", 1, 3, 7, 13, 5, (2, 5), (1, 3), (0, 1), 1, True)

    # Pools with PyTorch's every option. NAME_params.npy holds the window for the C++ test:
    # [kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, ceil_mode, count_include_pad].
    def pool(name, kind, n, c, h, w, kernel, stride, pad, ceil_mode, count_include_pad=True):
        x = rnd(n, c, h, w)
        if kind == "avg":
            y = F.avg_pool2d(x, kernel, stride, pad, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
        else:
            y = F.max_pool2d(x, kernel, stride, pad, ceil_mode=ceil_mode)
        pair = lambda v: list(v) if isinstance(v, tuple) else [v, v]
        params = pair(kernel) + pair(stride) + pair(pad) + [int(ceil_mode), int(count_include_pad)]
        out[name] = {"input": x, "output": y, "params": torch.tensor(params, dtype=torch.float32)}

    pool("avg_3s2_7x7", "avg", 2, 3, 7, 7, 3, 2, 0, False)
    pool("avg_3s2_7x7_ceil", "avg", 2, 3, 7, 7, 3, 2, 0, True)
    pool("avg_3s2_55x55_ceil", "avg", 1, 2, 55, 55, 3, 2, 0, True)
    pool("avg_3s1p1", "avg", 2, 3, 13, 17, 3, 1, 1, False)  # Inception-v3's branch pool
    pool("avg_3s1p1_exclude_pad", "avg", 2, 3, 13, 17, 3, 1, 1, False, False)
    pool("avg_3s2p1_ceil", "avg", 2, 3, 10, 13, 3, 2, 1, True)  # last window on padding: divisor 2
    pool("avg_3s2p1_ceil_exclude_pad", "avg", 2, 3, 10, 13, 3, 2, 1, True, False)
    pool("avg_2s2p1_ceil_drop", "avg", 1, 2, 5, 6, 2, 2, 1, True)  # a last window on padding only is dropped
    pool("avg_2s2_13x17", "avg", 2, 4, 13, 17, 2, 2, 0, False)  # DenseNet's transition
    pool("avg_5s3_17x17", "avg", 1, 3, 17, 17, 5, 3, 0, False)  # Inception-v3's aux head
    pool("avg_rect_13x17_ceil", "avg", 2, 3, 13, 17, (2, 3), (1, 2), (1, 1), True)
    pool("avg_rect_13x17_ceil_exclude_pad", "avg", 2, 3, 13, 17, (3, 2), (2, 1), (1, 0), True, False)
    pool("avg_rect_1x7_p3", "avg", 1, 2, 9, 11, (1, 7), 1, (0, 3), False, False)
    pool("max_3s2_55x55_ceil", "max", 1, 2, 55, 55, 3, 2, 0, True)  # SqueezeNet's
    pool("max_3s2_13x17_ceil", "max", 2, 3, 13, 17, 3, 2, 0, True)
    pool("max_3s2p1_ceil", "max", 2, 3, 10, 13, 3, 2, 1, True)
    pool("max_2s2p1_ceil_drop", "max", 1, 2, 5, 6, 2, 2, 1, True)
    pool("max_rect_13x17_ceil", "max", 2, 3, 13, 17, (2, 3), (1, 2), (1, 1), True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="directory for the .npy files")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    written = skipped = 0
    with torch.no_grad():
        for name, files in cases().items():
            for key, t in files.items():
                path = os.path.join(args.out, f"{name}_{key}.npy")
                if os.path.exists(path):
                    skipped += 1
                    continue
                tmp = path + ".tmp.npy"
                np.save(tmp, np.ascontiguousarray(t.numpy().astype(np.float32)))
                os.replace(tmp, path)
                written += 1
    print(f"make_layer_fixtures: {written} written, {skipped} already present in {args.out}")


if __name__ == "__main__":
    main()
