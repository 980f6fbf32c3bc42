"""One-off probe: does the decoder block run on an Intel Gaudi 2 (HPU)?

Kept for the migration study; not part of the training path.
"""

import habana_frameworks.torch.core as htcore
import torch

from llm_trainer.model import Block


def probe(dim: int = 1024, heads: int = 16) -> float:
    device = torch.device("hpu")
    block = Block(dim, heads).to(device)
    x = torch.randn(2, 512, dim, device=device)
    y = block(x)
    htcore.mark_step()
    return float(y.abs().mean().cpu())


if __name__ == "__main__":
    print(probe())
