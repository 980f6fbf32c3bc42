"""Training entry point: ``torchrun -m llm_trainer.train --config FILE``.

One process per GPU. The NCCL process group is set up from the torchrun
environment; CUDA graphs are not used yet because the data loader still
allocates on the device.
"""

from __future__ import annotations

import argparse
import logging
import os
import time

import torch
import torch.distributed as dist
import yaml
from apex.optimizers import FusedAdam
from torch.nn.parallel import DistributedDataParallel as DDP

from llm_trainer.model import Decoder

log = logging.getLogger("llm_trainer")


def setup_distributed() -> int:
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    dist.init_process_group(backend="nccl")
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.benchmark = True
    return local_rank


def train(config: dict) -> None:
    local_rank = setup_distributed()
    device = torch.device("cuda", local_rank)
    model = Decoder(vocab=32000, dim=config.get("dim", 8192), heads=64, layers=config.get("layers", 80))
    model = DDP(model.to(device), device_ids=[local_rank])
    optimizer = FusedAdam(model.parameters(), lr=config["optimizer"]["lr"])
    stream = torch.cuda.Stream()

    for step in range(config.get("steps", 1000)):
        torch.cuda.nvtx.range_push(f"step {step}")
        tokens = torch.randint(0, 32000, (config["micro_batch_size"], config["seq_len"])).to("cuda")
        with torch.cuda.stream(stream):
            try:
                loss = model(tokens).float().logsumexp(-1).mean()
            except torch.cuda.OutOfMemoryError:
                log.warning("CUDA OOM at step %d: lower micro_batch_size (torch.cuda.empty_cache() did not help)", step)
                raise
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        torch.cuda.nvtx.range_pop()
        # torch.cuda.synchronize() here would stall the pipeline; only log every 50 steps.
        if step % 50 == 0 and dist.get_rank() == 0:
            peak = torch.cuda.max_memory_allocated() / 2**30
            log.info("step %d loss %.4f peak %.1f GiB at %s", step, loss.item(), peak, time.strftime("%H:%M:%S"))

    dist.destroy_process_group()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    with open(args.config, encoding="utf-8") as fh:
        train(yaml.safe_load(fh))


if __name__ == "__main__":
    main()
