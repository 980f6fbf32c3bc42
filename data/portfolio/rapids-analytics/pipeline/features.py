"""Rolling features computed with CuPy and a small Numba CUDA kernel."""

from __future__ import annotations

import math

import cupy as cp
from numba import cuda


@cuda.jit
def ewma_kernel(values, alpha, out):
    i = cuda.grid(1)
    if i >= values.shape[0]:
        return
    # Each thread walks its own device series (rows are grouped per device).
    acc = values[i, 0]
    for t in range(values.shape[1]):
        acc = alpha * values[i, t] + (1.0 - alpha) * acc
        out[i, t] = acc


def ewma(series: cp.ndarray, alpha: float = 0.1) -> cp.ndarray:
    out = cp.empty_like(series)
    threads = 128
    blocks = math.ceil(series.shape[0] / threads)
    ewma_kernel[blocks, threads](series, alpha, out)
    cuda.synchronize()
    return out


def zscore(x: cp.ndarray) -> cp.ndarray:
    return (x - cp.mean(x, axis=1, keepdims=True)) / (cp.std(x, axis=1, keepdims=True) + 1e-6)
