#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora, tests/fuzz/corpus/<name>/ (committed; run again only to change
them): a few tiny valid files of each format and a few edge cases.
    python3 tools/make_fuzz_corpus.py [--out tests/fuzz/corpus]"""
import argparse
import io
import json
import pathlib
import struct

import numpy as np
from PIL import Image


def npy_seeds():
    def save(a):
        b = io.BytesIO()
        np.save(b, a)
        return b.getvalue()

    seeds = {
        "f4_2x3.npy": save(np.arange(6, dtype="<f4").reshape(2, 3)),
        "f4_scalar.npy": save(np.array(1.5, dtype="<f4")),
        "f4_empty.npy": save(np.zeros((0, 3), dtype="<f4")),
        "f4_nchw.npy": save(np.linspace(-1, 1, 2 * 3 * 2 * 2, dtype="<f4").reshape(2, 3, 2, 2)),
        "f4_nan_inf.npy": save(np.array([np.nan, np.inf, -np.inf, 0.0], dtype="<f4")),
        "f8_wrong_dtype.npy": save(np.arange(3, dtype="<f8")),
        "f4_fortran.npy": save(np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3))),
    }
    # Version 2.0 (4-byte header length) and a truncated file.
    v1 = seeds["f4_2x3.npy"]
    header = v1[10:10 + struct.unpack("<H", v1[8:10])[0]]
    seeds["f4_v2.npy"] = b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header)) + header + v1[10 + len(header):]
    seeds["f4_truncated.npy"] = v1[:-5]
    return seeds


def safetensors(tensors, metadata=None, offsets=None):
    """tensors: name -> (dtype, shape, raw bytes). offsets overrides data_offsets per name."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        begin = len(data)
        data += raw
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": (offsets or {}).get(name, [begin, len(data)])}
    text = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds():
    f32 = lambda a: np.asarray(a, dtype="<f4").tobytes()
    return {
        "two_f32.safetensors": safetensors({"conv.weight": ("F32", [2, 1, 1, 1], f32([1, -2])),
                                            "conv.bias": ("F32", [2], f32([0.5, 0.25]))},
                                           metadata={"format": "pt"}),
        "empty.safetensors": safetensors({}),
        "zero_size.safetensors": safetensors({"e": ("F32", [0, 4], b"")}),
        "f16_and_i64.safetensors": safetensors({"h": ("F16", [2], np.array([1, 2], "<f2").tobytes()),
                                                "n": ("I64", [1], np.array([7], "<i8").tobytes())}),
        "unaligned_f32.safetensors": safetensors({"b": ("U8", [1], b"\x01"), "w": ("F32", [2], f32([3, 4]))}),
        "overlap.safetensors": safetensors({"a": ("F32", [1], f32([1])), "b": ("F32", [1], f32([2]))},
                                           offsets={"b": [0, 4]}),
        "bad_json.safetensors": struct.pack("<Q", 9) + b'{"a":{"dt',
        "huge_length.safetensors": struct.pack("<Q", 1 << 62) + b"{}",
    }


def image_seeds():
    rgb = Image.new("RGB", (5, 3))
    rgb.putdata([(r * 50, g * 80, (r + g) * 20) for g in range(3) for r in range(5)])

    def encode(img, fmt, **options):
        b = io.BytesIO()
        img.save(b, fmt, **options)
        return b.getvalue()

    seeds = {
        "rgb.jpg": encode(rgb, "JPEG", quality=90),
        "rgb_progressive.jpg": encode(rgb, "JPEG", progressive=True, subsampling=0),
        "grey.jpg": encode(rgb.convert("L"), "JPEG"),
        "cmyk.jpg": encode(rgb.convert("CMYK"), "JPEG"),
        "rgb.png": encode(rgb, "PNG"),
        "rgba.png": encode(rgb.convert("RGBA"), "PNG"),
        "palette.png": encode(rgb.convert("P"), "PNG"),
        "grey_1bit.png": encode(rgb.convert("1"), "PNG"),
        "grey_alpha.png": encode(rgb.convert("LA"), "PNG"),
        "grey_16bit.png": encode(Image.fromarray(np.arange(15, dtype=np.uint16).reshape(3, 5) * 4000), "PNG"),
    }
    # Adam7 interlacing: PIL does not write it; flip the IHDR interlace byte of a 1x1 image (whose
    # single pass is byte-identical) and fix the CRC.
    import zlib
    png = bytearray(encode(Image.new("RGB", (1, 1), (9, 8, 7)), "PNG"))
    png[28] = 1
    png[29:33] = struct.pack(">I", zlib.crc32(bytes(png[12:29])))
    seeds["rgb_interlaced.png"] = bytes(png)
    seeds["truncated.jpg"] = seeds["rgb.jpg"][: len(seeds["rgb.jpg"]) // 2]
    seeds["wide_100x1.png"] = encode(Image.new("RGB", (100, 1), (1, 2, 3)), "PNG")
    return seeds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=pathlib.Path(__file__).resolve().parent.parent / "tests/fuzz/corpus",
                        type=pathlib.Path)
    out = parser.parse_args().out
    for name, seeds in (("npy", npy_seeds()), ("safetensors", safetensors_seeds()), ("image", image_seeds())):
        (out / name).mkdir(parents=True, exist_ok=True)
        for file, data in seeds.items():
            (out / name / file).write_bytes(data)
        print(f"{out / name}: {len(seeds)} files, {sum(map(len, seeds.values()))} bytes")


if __name__ == "__main__":
    main()
