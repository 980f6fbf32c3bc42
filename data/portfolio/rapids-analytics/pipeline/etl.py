"""Load the day's telemetry partitions onto the GPUs and clean them."""

from __future__ import annotations

import cudf
import dask_cudf
from dask.distributed import Client
from dask_cuda import LocalCUDACluster


def start_cluster(n_gpus: int = 4) -> Client:
    cluster = LocalCUDACluster(n_workers=n_gpus, rmm_pool_size="24GB", enable_cudf_spill=True)
    return Client(cluster)


def load_telemetry(path: str) -> dask_cudf.DataFrame:
    ddf = dask_cudf.read_parquet(path, columns=["device_id", "ts", "temp_c", "power_w", "util"])
    ddf = ddf.dropna(subset=["device_id"])
    return ddf[ddf.power_w > 0]


def load_inventory(path: str) -> cudf.DataFrame:
    inventory = cudf.read_csv(path)
    inventory["vendor"] = inventory["vendor"].str.lower()
    return inventory


def join_inventory(ddf: dask_cudf.DataFrame, inventory: cudf.DataFrame) -> dask_cudf.DataFrame:
    return ddf.merge(inventory, on="device_id", how="left")
