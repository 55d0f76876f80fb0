#!/usr/bin/env bash
# Compile time and peak compiler memory of the ResNeXt-50 + summary translation unit (g++ -O2),
# as reported in the README. Usage: bash tools/compile_time.sh [runs]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for ((i = 1; i <= runs; ++i)); do
  /usr/bin/time -v g++ -std=c++20 -O2 -Iinclude bench/compile_time/resnext50_summary.cpp -o "$out/a.out" 2>"$out/time.txt"
  wall=$(grep 'Elapsed (wall clock)' "$out/time.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$out/time.txt" | awk '{print $NF}')
  echo "run $i: wall ${wall}  peak RSS $((rss / 1024)) MiB"
done
