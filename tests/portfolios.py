"""Portfolios a new user might bring, made on the fly for the end-to-end tests.

None is designed around the report: an empty folder, one CPU-only project,
projects without ``portfolio.yml``, an all-AMD portfolio, one whose
projects have no GPU-hours, and a large generated one whose projects mix
CUDA kernels, PyTorch training, RAPIDS, ROCm and plain CPU code in random
sizes, accelerators and GPU-hours.
"""

from __future__ import annotations

import random
import shutil
import textwrap
from pathlib import Path

import yaml

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "portfolio"


def empty(root: Path) -> Path:
    root.mkdir(parents=True)
    return root


def cpu_only(root: Path) -> Path:
    project = root / "forecaster"
    project.mkdir(parents=True)
    (project / "requirements.txt").write_text("numpy==1.26.4\npandas>=2.1\nscikit-learn==1.5.0\n")
    (project / "train.py").write_text("import numpy as np\nimport pandas as pd\n\nframe = pd.DataFrame({'x': np.arange(10)})\nprint(frame.sum())\n")
    return root


def without_manifest(root: Path) -> Path:
    """Two CUDA projects as subfolders, no portfolio.yml: no accelerator, no GPU-hours."""
    root.mkdir(parents=True)
    shutil.copytree(SAMPLE / "llm-trainer", root / "trainer")
    shutil.copytree(SAMPLE / "inference-gateway", root / "gateway")
    return root


def all_amd(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copytree(SAMPLE / "rocm-serving", root / "serving")
    _manifest(root, [{"name": "serving", "path": "serving", "accelerator": "MI300X", "gpu_hours_per_month": 5000, "workloads": ["llama2-70b"]}])
    return root


def no_gpu_hours(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copytree(SAMPLE / "llm-trainer", root / "trainer")
    shutil.copytree(SAMPLE / "rapids-analytics", root / "etl")
    _manifest(root, [{"name": "trainer", "path": "trainer", "accelerator": "H100 SXM", "gpu_hours_per_month": 0}, {"name": "etl", "path": "etl"}])
    return root


def many(root: Path, count: int = 300, seed: int = 7) -> Path:
    """``count`` projects of mixed kinds and sizes with a manifest that names some of their hardware."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    entries = []
    makers = [_cuda_kernels, _torch_training, _rapids, _rocm_service, _cpu_service]
    weights = [2, 4, 1, 1, 3]
    for index in range(count):
        name = f"{rng.choice(['svc', 'train', 'etl', 'infer', 'lab', 'kern'])}-{index:04d}"
        maker = rng.choices(makers, weights)[0]
        accelerator = maker(root / name, rng)
        entry = {"name": name, "path": name, "owner": f"team-{index % 17}"}
        if accelerator and rng.random() < 0.8:
            entry["accelerator"] = accelerator
            entry["gpu_hours_per_month"] = rng.choice([0, 500, 2000, 8000, 30000])
            entry["workloads"] = rng.sample(["llama2-70b", "mixtral-8x7b", "stable-diffusion-xl", "dlrm-v2", "llama2_70b_lora"], rng.randint(0, 2))
        entries.append(entry)
    _manifest(root, entries)
    return root


def _manifest(root: Path, entries: list[dict]) -> None:
    (root / "portfolio.yml").write_text(yaml.safe_dump({"projects": entries}, sort_keys=False))


def _cuda_kernels(folder: Path, rng: random.Random) -> str:
    folder.mkdir(parents=True)
    for number in range(rng.randint(1, 4)):
        body = "\n".join(
            f"__global__ void k{number}_{i}(float* x, int n) {{ int t = blockIdx.x * blockDim.x + threadIdx.x; if (t < n) x[t] = __shfl_down_sync(0xffffffff, x[t], 1); }}"
            for i in range(rng.randint(2, 30))
        )
        extra = '\n__device__ void fence() { asm volatile("membar.gl;"); }\n' if rng.random() < 0.3 else ""
        (folder / f"kernels_{number}.cu").write_text(f"#include <cuda_runtime.h>\n#include <cublas_v2.h>\n{body}{extra}\nvoid run() {{ float* d; cudaMalloc(&d, 4); cudaFree(d); }}\n")
    (folder / "CMakeLists.txt").write_text("cmake_minimum_required(VERSION 3.24)\nproject(k LANGUAGES CXX CUDA)\nfind_package(CUDAToolkit REQUIRED)\n")
    return rng.choice(["H100 SXM", "A100 SXM", "H200 SXM"])


def _torch_training(folder: Path, rng: random.Random) -> str:
    folder.mkdir(parents=True)
    cuda = rng.choice(["cu121", "cu118", "cu124"])
    (folder / "requirements.txt").write_text(f"--extra-index-url https://download.pytorch.org/whl/{cuda}\ntorch==2.4.0+{cuda}\ntransformers>=4.40\n" + ("flash-attn==2.5.8\n" if rng.random() < 0.3 else ""))
    lines = ["import torch", "", "device = torch.device('cuda')"]
    lines += [f"x{i} = torch.randn(64, 64, device=device)\ntorch.cuda.synchronize()" for i in range(rng.randint(1, 40))]
    (folder / "train.py").write_text("\n".join(lines) + "\n")
    (folder / "Dockerfile").write_text(textwrap.dedent(f"""\
        FROM nvcr.io/nvidia/pytorch:24.05-py3
        ENV NCCL_DEBUG=INFO
        RUN pip install -r requirements.txt
        """))
    return rng.choice(["H100 SXM", "A100 SXM"])


def _rapids(folder: Path, rng: random.Random) -> str:
    folder.mkdir(parents=True)
    (folder / "environment.yml").write_text("name: etl\nchannels: [rapidsai, conda-forge, nvidia]\ndependencies:\n  - cudf=24.06\n  - cuml=24.06\n  - python=3.11\n")
    (folder / "etl.py").write_text("import cudf\n\nframe = cudf.read_parquet('x.parquet')\nprint(frame.groupby('a').sum())\n" * rng.randint(1, 5))
    return "A100 SXM"


def _rocm_service(folder: Path, rng: random.Random) -> str:
    folder.mkdir(parents=True)
    (folder / "requirements.txt").write_text("--extra-index-url https://download.pytorch.org/whl/rocm6.1\ntorch==2.4.0+rocm6.1\nvllm\n")
    (folder / "Dockerfile").write_text("FROM rocm/pytorch:rocm6.1_ubuntu22.04_py3.10_pytorch_2.4\nRUN pip install -r requirements.txt\n")
    return "MI300X"


def _cpu_service(folder: Path, rng: random.Random) -> str:
    folder.mkdir(parents=True)
    (folder / "requirements.txt").write_text("fastapi==0.111\nuvicorn\nnumpy\n")
    (folder / "app.py").write_text("import numpy as np\n\n" + "\n".join(f"def f{i}(x):\n    return np.sum(x) + {i}\n" for i in range(rng.randint(1, 60))))
    return ""
