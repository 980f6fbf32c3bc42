"""Pre-flight and metrics for MI300X nodes.

PyTorch's ROCm build keeps the torch.cuda namespace (HIP underneath), so
the same calls work on both vendors; torch.version.hip tells them apart.
"""

from __future__ import annotations

import amdsmi
import torch


def preflight(expected_gpus: int = 8) -> None:
    if not torch.cuda.is_available() or torch.version.hip is None:
        raise SystemExit("expected a ROCm build of PyTorch with visible GPUs")
    count = torch.cuda.device_count()
    if count != expected_gpus:
        raise SystemExit(f"expected {expected_gpus} GPUs, found {count}")
    for i in range(count):
        props = torch.cuda.get_device_properties(i)
        if "gfx942" not in props.gcnArchName:
            raise SystemExit(f"GPU {i} is {props.gcnArchName}, not MI300 (gfx942)")


def gpu_metrics() -> list[dict]:
    amdsmi.amdsmi_init()
    try:
        rows = []
        for handle in amdsmi.amdsmi_get_processor_handles():
            activity = amdsmi.amdsmi_get_gpu_activity(handle)
            power = amdsmi.amdsmi_get_power_info(handle)
            rows.append({"gfx_activity": activity["gfx_activity"], "power_w": power["average_socket_power"]})
        return rows
    finally:
        amdsmi.amdsmi_shut_down()
