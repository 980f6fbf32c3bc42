#!/usr/bin/env bash
# Assemble a benchmark tree of real sources from what this machine has:
#   torch-2.13/   the PyTorch CPU wheel (Python sources, ATen/c10 headers, CUDA kernels' headers)
#   cuda-13.0/    the CUDA toolkit's include folder (runtime, driver, CCCL: thrust, cub, libcu++)
#   usr-include/  /usr/include (glibc, libstdc++, LLVM: C/C++ that is not GPU code)
#   python-site/  the project's virtualenv site-packages (pandas, numpy, jupyter …), renamed
#                 because lockin does not walk folders named site-packages
# Sources that are missing are left out. Usage: benchmarks/make_real_tree.sh DEST
# then: python benchmarks/scan_bench.py --tree DEST
set -euo pipefail
dest=${1:?usage: make_real_tree.sh DEST}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dest"
wheel=$(ls /opt/wheels/torch-*.whl 2>/dev/null | head -n 1 || true)
if [ -n "$wheel" ] && [ ! -d "$dest/torch-2.13" ]; then
    mkdir -p "$dest/torch-2.13" && (cd "$dest/torch-2.13" && python3 -m zipfile -e "$wheel" .)
fi
cuda=$(ls -d /usr/local/cuda-*/include 2>/dev/null | head -n 1 || true)
if [ -n "$cuda" ] && [ ! -d "$dest/cuda-13.0" ]; then cp -r "$cuda" "$dest/cuda-13.0"; fi
if [ ! -d "$dest/usr-include" ]; then cp -r /usr/include "$dest/usr-include"; fi
site=$(ls -d "$here"/.venv/lib/python3*/site-packages 2>/dev/null | head -n 1 || true)
if [ -n "$site" ] && [ ! -d "$dest/python-site" ]; then cp -r "$site" "$dest/python-site"; fi
du -sh "$dest"/*
