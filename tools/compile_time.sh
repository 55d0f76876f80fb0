#!/usr/bin/env bash
# Compile time (wall and user CPU: on a loaded machine only the latter means much) and peak compiler memory of the translation units the README reports (g++ -O2):
#   bench/compile_time/resnext50_summary.cpp   the statically checked ResNeXt-50 and its summary
#   bench/compile_time/resnext50_executor.cpp  executor<resnext50_32x4d> and a forward (-march=native)
# Usage: bash tools/compile_time.sh [runs]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
measure() {  # name, extra flags...
  local name=$1
  shift
  for ((i = 1; i <= runs; ++i)); do
    /usr/bin/time -v g++ -std=c++20 -O2 "$@" -Iinclude "bench/compile_time/$name.cpp" -o "$out/a.out" 2>"$out/time.txt"
    wall=$(grep 'Elapsed (wall clock)' "$out/time.txt" | awk '{print $NF}')
    user=$(grep 'User time (seconds)' "$out/time.txt" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$out/time.txt" | awk '{print $NF}')
    echo "$name run $i: wall ${wall}  user ${user} s  peak RSS $((rss / 1024)) MiB"
  done
}
measure resnext50_summary
measure resnext50_executor -march=native
