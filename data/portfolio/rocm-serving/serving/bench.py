"""Offline throughput benchmark with vLLM's Python API."""

from __future__ import annotations

import time

import torch
from vllm import LLM, SamplingParams


def run(model: str, prompts: int = 512, tp: int = 8) -> float:
    llm = LLM(model=model, tensor_parallel_size=tp, dtype="bfloat16")
    params = SamplingParams(max_tokens=256, temperature=0.0)
    start = time.perf_counter()
    outputs = llm.generate(["Summarise the quarterly GPU spend."] * prompts, params)
    torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    tokens = sum(len(o.outputs[0].token_ids) for o in outputs)
    return tokens / elapsed


if __name__ == "__main__":
    print(f"{run('meta-llama/Meta-Llama-3.1-70B-Instruct'):.1f} tokens/s")
