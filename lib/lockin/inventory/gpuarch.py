"""GPU architectures named in build flags and variables.

The compiler flags that name an architecture (``-arch=sm_90a``,
``-gencode arch=compute_90a,code=sm_90a``, ``--offload-arch=gfx942`` …:
:func:`arch_flag_values`), the variables whose value is a list of them
(``TORCH_CUDA_ARCH_LIST``, ``PYTORCH_ROCM_ARCH``, ``CMAKE_CUDA_ARCHITECTURES``
…: :data:`ARCH_LIST_VARIABLES`, read by :func:`arch_list_values`), and
which CMake variables are GPU-specific (:func:`is_gpu_variable`).

It is apart from the Dockerfile reader because the CMake and setup.py
readers find architectures in the same flags and variables, and all of
them must report ``sm_80`` or ``gfx942`` the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["ARCH_LIST_VARIABLES", "arch_flag_values", "arch_list_values", "is_gpu_variable"]

_ARCH_NAME = re.compile(r"(?<![\w])(sm_\d+[a-z]?|compute_\d+[a-z]?|gfx\d+(?:-\d+)*-generic|gfx[0-9a-f]{3,4})(?![\w])")

# Compiler options whose value names a GPU architecture (nvcc, clang, hipcc).
_ARCH_FLAG = re.compile(
    r"(?<![\w-])(?P<flag>-arch|--gpu-architecture|-gencode|--generate-code|-code|--gpu-code"
    r"|--offload-arch|--cuda-gpu-arch|--amdgpu-target|-march|-mcpu)(?:=(?P<value>[^\s;>]*)|(?![\w=-]))"
)

#: Variables whose value is a list of GPU architectures, and how to read it.
ARCH_LIST_VARIABLES = {
    "TORCH_CUDA_ARCH_LIST": "torch",
    "PYTORCH_ROCM_ARCH": "gfx",
    "HCC_AMDGPU_TARGET": "gfx",
    "AMDGPU_TARGETS": "gfx",
    "GPU_TARGETS": "gfx",
    "GPU_ARCHS": "gfx",
    "CMAKE_CUDA_ARCHITECTURES": "cmake-cuda",
    "CUDAARCHS": "cmake-cuda",
    "CUDA_ARCHITECTURES": "cmake-cuda",
    "CMAKE_HIP_ARCHITECTURES": "gfx",
    "HIP_ARCHITECTURES": "gfx",
}

# PyTorch's named architectures for TORCH_CUDA_ARCH_LIST
# (torch/utils/cpp_extension.py, _get_cuda_arch_flags).
_TORCH_NAMED_ARCHES = {
    "kepler": ("3.5",),
    "maxwell": ("5.0", "5.2"),
    "pascal": ("6.0", "6.1"),
    "volta": ("7.0",),
    "turing": ("7.5",),
    "ampere": ("8.0", "8.6"),
    "ada": ("8.9",),
    "hopper": ("9.0",),
}

_TORCH_ARCH = re.compile(r"^(\d+)\.(\d+)([a-z]?)(\+ptx)?$", re.IGNORECASE)
_CMAKE_CUDA_ARCH = re.compile(r"^(\d+)([a-z]?)(-real|-virtual)?$", re.IGNORECASE)


def arch_flag_values(words: Sequence[str]) -> list[tuple[int, str]]:
    """GPU architectures named by compiler flags in a list of words.

    ``-arch=sm_90a``, ``-arch sm_80``, ``-gencode arch=compute_90a,code=sm_90a``
    (both names), ``--offload-arch=gfx942``, ``--cuda-gpu-arch=sm_80`` …;
    CMake generator expressions around a flag (``$<…:-arch=sm_80>``) are
    seen through.

    Returns
    -------
    list of (int, str)
        The index of the word that holds the name, and the name.
    """
    found: list[tuple[int, str]] = []
    for index, word in enumerate(words):
        for match in _ARCH_FLAG.finditer(word):
            value, at = match.group("value"), index
            if value is None:
                if match.end() != len(word) or index + 1 >= len(words):
                    continue
                value, at = words[index + 1], index + 1
            for name in dict.fromkeys(_ARCH_NAME.findall(value)):
                found.append((at, name))
    return found


def arch_list_values(kind: str, value: str) -> list[str]:
    """Architecture names in the value of an architecture-list variable.

    Parameters
    ----------
    kind : {"torch", "gfx", "cmake-cuda"}
        From :data:`ARCH_LIST_VARIABLES`.
    value : str
        ``"8.0 9.0+PTX"`` (torch) gives ``sm_80``, ``sm_90``;
        ``gfx942;gfx90a`` gives both names; ``80-real;90a`` gives
        ``sm_80``, ``sm_90a`` and ``80-virtual`` gives ``compute_80``.
    """
    items = [item for item in re.split(r"[\s;,]+", value.strip().strip("\"'")) if item]
    names: list[str] = []
    for item in items:
        if kind == "torch":
            names.extend(_torch_arch(item))
        elif kind == "cmake-cuda":
            match = _CMAKE_CUDA_ARCH.match(item)
            if match:
                prefix = "compute" if (match.group(3) or "").lower() == "-virtual" else "sm"
                names.append(f"{prefix}_{match.group(1)}{match.group(2).lower()}")
            else:
                names.extend(_ARCH_NAME.findall(item))
        else:
            names.extend(n for n in _ARCH_NAME.findall(item) if n.startswith("gfx"))
    return list(dict.fromkeys(names))


def _torch_arch(item: str) -> list[str]:
    named = _TORCH_NAMED_ARCHES.get(item.lower().removesuffix("+ptx"))
    if named:
        return [name for version in named for name in _torch_arch(version)]
    match = _TORCH_ARCH.match(item)
    if not match:
        return []
    return [f"sm_{match.group(1)}{match.group(2)}{match.group(3).lower()}"]


def is_gpu_variable(name: str) -> bool:
    """Whether a CMake variable is GPU-specific (its name contains CUDA, HIP or ROCM)."""
    upper = name.upper()
    return any(part in upper for part in ("CUDA", "HIP", "ROCM"))
