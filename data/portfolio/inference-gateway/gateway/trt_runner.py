"""Run a serialized TensorRT engine in-process (the fallback when Triton is
down). Device buffers are managed with PyCUDA."""

from __future__ import annotations

import numpy as np
import pycuda.autoinit  # noqa: F401  (creates the CUDA context)
import pycuda.driver as cuda
import tensorrt as trt

TRT_LOGGER = trt.Logger(trt.Logger.WARNING)


class EngineRunner:
    def __init__(self, engine_path: str):
        with open(engine_path, "rb") as fh, trt.Runtime(TRT_LOGGER) as runtime:
            self.engine = runtime.deserialize_cuda_engine(fh.read())
        self.context = self.engine.create_execution_context()
        self.stream = cuda.Stream()
        self.buffers: dict[str, tuple[np.ndarray, cuda.DeviceAllocation]] = {}
        for i in range(self.engine.num_io_tensors):
            name = self.engine.get_tensor_name(i)
            shape = tuple(max(d, 1) for d in self.engine.get_tensor_shape(name))
            dtype = trt.nptype(self.engine.get_tensor_dtype(name))
            host = cuda.pagelocked_empty(shape, dtype)
            device = cuda.mem_alloc(host.nbytes)
            self.context.set_tensor_address(name, int(device))
            self.buffers[name] = (host, device)

    def infer(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        for name, array in inputs.items():
            host, device = self.buffers[name]
            np.copyto(host, array)
            cuda.memcpy_htod_async(device, host, self.stream)
        self.context.execute_async_v3(stream_handle=self.stream.handle)
        outputs = {}
        for name, (host, device) in self.buffers.items():
            if self.engine.get_tensor_mode(name) == trt.TensorIOMode.OUTPUT:
                cuda.memcpy_dtoh_async(host, device, self.stream)
                outputs[name] = host
        self.stream.synchronize()
        return outputs
