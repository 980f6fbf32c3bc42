"""Build the fused kernels as a PyTorch extension.

Run ``pip install -e .`` inside the NGC PyTorch image; the extension needs
nvcc from the CUDA 12.x toolkit that ships there.
"""

import os

from setuptools import find_packages, setup
from torch.utils.cpp_extension import BuildExtension, CUDAExtension

# sm_90a is required for wgmma/TMA in hopper_gemm_sm90.cu; sm_80 keeps the
# A100 pool working on the WMMA path.
NVCC_FLAGS = [
    "-O3",
    "--use_fast_math",
    "-lineinfo",
    "--expt-relaxed-constexpr",
    "-gencode",
    "arch=compute_80,code=sm_80",
    "-gencode=arch=compute_90a,code=sm_90a",
]

if os.environ.get("LLM_TRAINER_DEBUG_KERNELS"):
    NVCC_FLAGS += ["-G", "-DLLM_TRAINER_DEBUG=1"]

setup(
    name="llm-trainer",
    version="1.8.0",
    packages=find_packages(include=["llm_trainer", "llm_trainer.*"]),
    python_requires=">=3.10",
    ext_modules=[
        CUDAExtension(
            name="llm_trainer._C",
            sources=[
                "csrc/bindings.cpp",
                "csrc/fused_rmsnorm_softmax.cu",
                "csrc/wmma_gemm.cu",
                "csrc/hopper_gemm_sm90.cu",
                "csrc/blas_ops.cu",
                "csrc/nccl_comm.cpp",
            ],
            include_dirs=["csrc"],
            extra_compile_args={"cxx": ["-O3", "-std=c++17"], "nvcc": NVCC_FLAGS},
            libraries=["cublas", "cublasLt", "nccl", "cuda"],
        )
    ],
    cmdclass={"build_ext": BuildExtension},
)
