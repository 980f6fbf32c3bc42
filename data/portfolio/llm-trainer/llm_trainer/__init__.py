"""LLM pre-training stack: model, fused kernels, distributed loop."""

__version__ = "1.8.0"
