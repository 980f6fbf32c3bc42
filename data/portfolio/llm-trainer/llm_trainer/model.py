"""Decoder-only transformer with FP8 linear layers and FlashAttention.

FP8 comes from Transformer Engine (Hopper only); the norm and the optimizer
are the apex fused versions. On an A100 the FP8 autocast is a no-op.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import transformer_engine.pytorch as te
from apex.normalization import FusedRMSNorm
from flash_attn import flash_attn_func
from transformer_engine.common.recipe import DelayedScaling, Format

FP8_RECIPE = DelayedScaling(fp8_format=Format.HYBRID, amax_history_len=16, amax_compute_algo="max")


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = te.Linear(dim, 3 * dim, bias=False)
        self.proj = te.Linear(dim, dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, s, d = x.shape
        q, k, v = self.qkv(x).view(b, s, 3, self.heads, d // self.heads).unbind(dim=2)
        out = flash_attn_func(q, k, v, dropout_p=0.0, causal=True)
        return self.proj(out.reshape(b, s, d))


class Block(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.norm1 = FusedRMSNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = FusedRMSNorm(dim)
        self.mlp = te.LayerNormMLP(dim, 4 * dim, normalization="RMSNorm")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class Decoder(nn.Module):
    def __init__(self, vocab: int, dim: int, heads: int, layers: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(layers))
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens)
        with te.fp8_autocast(enabled=True, fp8_recipe=FP8_RECIPE):
            for block in self.blocks:
                x = block(x)
        return self.head(x)
