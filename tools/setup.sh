#!/usr/bin/env bash
# All set-up on Debian 12, from any directory:  bash tools/setup.sh [cmake targets...]
# Installs the missing Debian packages (apt runs only if one is missing), configures build/
# (Release, only once) and builds the given targets, or everything when none is given.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(g++ clang-14 libclang-rt-14-dev cmake make pkg-config libboost-dev catch2 libbenchmark-dev libturbojpeg0-dev libspng-dev libcli11-dev
          python3-torch python3-torchvision python3-numpy)
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]})); then
  if ((EUID == 0)); then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "tools/setup.sh: missing Debian packages: ${missing[*]}" >&2
    echo "tools/setup.sh: run this script as root (or install sudo) so it can install them" >&2
    exit 1
  fi
  echo "tools/setup.sh: installing ${missing[*]}"
  "${as_root[@]}" apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Configure once; later builds re-run CMake by themselves when a CMakeLists.txt or glob changes.
# (A cache without a build system means an earlier configure failed: configure again.)
if [[ ! -f build/CMakeCache.txt || ! ( -f build/Makefile || -f build/build.ninja ) ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
fi

if (($#)); then
  cmake --build build -j"$(nproc)" --target "$@"
else
  cmake --build build -j"$(nproc)"
fi
