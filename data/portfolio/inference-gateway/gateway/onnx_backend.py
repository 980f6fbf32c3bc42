"""ONNX Runtime session for the embedding model when it runs outside Triton."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort


def open_session(model_path: str, device_id: int = 0) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(
        model_path,
        sess_options=options,
        providers=["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"],
        provider_options=[{"device_id": device_id, "trt_fp16_enable": True}, {"device_id": device_id}, {}],
    )


def embed(session: ort.InferenceSession, input_ids: np.ndarray) -> np.ndarray:
    (embedding,) = session.run(["sentence_embedding"], {"input_ids": input_ids})
    return embedding
