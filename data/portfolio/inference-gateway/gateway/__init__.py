"""Inference gateway: request routing, local TensorRT/ONNX fallbacks, metrics."""
