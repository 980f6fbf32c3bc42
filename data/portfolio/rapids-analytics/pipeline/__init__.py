"""Nightly fleet-telemetry analytics on RAPIDS (cuDF, cuML, Dask-CUDA)."""
