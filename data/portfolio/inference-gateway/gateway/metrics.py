"""Prometheus gauges for GPU utilisation, memory and power, read with NVML."""

from __future__ import annotations

import pynvml
from prometheus_client import Gauge

GPU_UTIL = Gauge("gateway_gpu_utilization_percent", "GPU utilisation", ["gpu"])
GPU_MEM = Gauge("gateway_gpu_memory_used_bytes", "GPU memory in use", ["gpu"])
GPU_POWER = Gauge("gateway_gpu_power_watts", "GPU board power", ["gpu"])


def collect() -> None:
    pynvml.nvmlInit()
    try:
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            util = pynvml.nvmlDeviceGetUtilizationRates(handle)
            mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
            GPU_UTIL.labels(gpu=str(index)).set(util.gpu)
            GPU_MEM.labels(gpu=str(index)).set(mem.used)
            GPU_POWER.labels(gpu=str(index)).set(pynvml.nvmlDeviceGetPowerUsage(handle) / 1000.0)
    finally:
        pynvml.nvmlShutdown()
