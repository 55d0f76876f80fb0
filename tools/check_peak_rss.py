#!/usr/bin/python3
"""Runs a command and checks its peak resident set size against a weights file's size plus a
margin: the memory bound of issue 8 (peak RSS <= weights + 48 MiB).

    /usr/bin/python3 tools/check_peak_rss.py WEIGHTS.safetensors MARGIN_MIB COMMAND [ARG ...]

Prints the figures; exit code 1 over the bound (or when the command fails).
"""
import os
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    weights, margin, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    size = os.path.getsize(weights) / 2**20
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execv(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)  # this child's own peak, not the script's
    code = os.waitstatus_to_exitcode(status)
    if code:
        sys.exit(f"check_peak_rss.py: {' '.join(cmd)} exited with {code}")
    peak = usage.ru_maxrss / 1024
    verdict = "within" if peak <= size + margin else "OVER"
    print(f"peak RSS {peak:.1f} MiB; weights {size:.1f} MiB + {margin:g} MiB = {size + margin:.1f} MiB: {verdict} the bound")
    return 0 if verdict == "within" else 1


if __name__ == "__main__":
    sys.exit(main())
