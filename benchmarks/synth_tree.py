"""Deterministic synthetic portfolio for the scan benchmark.

Builds a tree shaped like a real monorepo portfolio: N projects, each with
mostly plain C++, some CUDA and HIP, Python (some on ``torch.cuda``, most
plain), requirements files, Dockerfiles, Kubernetes manifests, CMake files,
documentation and data files that are not inputs, and a few binary files.
Content is assembled from code templates filled with random identifiers,
so files differ from each other and the vendor evidence is spread at a
realistic density (most lines of most files are vendor-neutral).

Everything comes from one seeded :class:`random.Random`, so the same
parameters give byte-identical trees. A manifest in the tree's folder
records the parameters; :func:`ensure_tree` rebuilds only when they change.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

#: Bump when templates change, so cached trees are rebuilt.
GENERATOR_VERSION = 3

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class TreeSpec:
    """What to generate. ``size_mb`` is MiB of file content in total."""

    files: int = 20_000
    size_mb: int = 200
    projects: int = 20
    seed: int = 20240917

    def key(self) -> str:
        blob = json.dumps({**asdict(self), "generator": GENERATOR_VERSION}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


# --------------------------------------------------------------------------
# Identifiers

_SYLLABLES = (
    "ka ro mi tu sel van dor pex lin qua zer mor tab fin gal hex nor pri sta vel "
    "wen yot bra cli dru fle gro kle pla sko tri ubi ark bel cor dex eng fol "
    "gim hal ips jol kav lum mex nid opa pir rud sul tem ulo vor wyn"
).split()
_VERBS = "load store fuse pack scan reduce gather scatter build apply update merge split fold route rank score emit check".split()
_NOUNS = "tile block row col batch shard token head slot page chunk frame span bucket plan table layer index cache queue".split()
_TYPES = ("float", "double", "int", "int64_t", "uint32_t", "size_t")
_PY_PACKAGES = (
    "numpy", "pandas", "requests", "pyyaml", "click", "rich", "pydantic", "fastapi", "uvicorn", "httpx",
    "scipy", "scikit-learn", "sqlalchemy", "boto3", "protobuf", "grpcio", "tenacity", "orjson", "attrs",
)


class Names:
    """A pool of identifiers for one project (varied but reproducible)."""

    def __init__(self, rng: random.Random, size: int = 1500):
        self.rng = rng
        words = set()
        while len(words) < size:
            words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))))
        self.words = sorted(words)

    def word(self) -> str:
        return self.rng.choice(self.words)

    def func(self) -> str:
        r = self.rng
        return f"{r.choice(_VERBS)}_{r.choice(_NOUNS)}_{r.choice(self.words)}"

    def cls(self) -> str:
        return self.word().capitalize() + self.rng.choice(_NOUNS).capitalize()


# --------------------------------------------------------------------------
# Code blocks. Each takes (names) and returns a chunk of text.

def _cxx_function(n: Names) -> str:
    r = n.rng
    t = r.choice(_TYPES)
    f, v, k = n.func(), n.word(), r.randint(2, 97)
    return (
        f"// {n.word()} {n.word()}: {r.choice(_VERBS)}s the {r.choice(_NOUNS)} before the {r.choice(_NOUNS)} pass.\n"
        f"static {t} {f}(const std::vector<{t}>& {v}, std::size_t limit) {{\n"
        f"  {t} acc = 0;\n"
        f"  for (std::size_t i = 0; i < std::min(limit, {v}.size()); ++i) {{\n"
        f"    acc += {v}[i] * static_cast<{t}>({k});\n"
        f"    if (acc > static_cast<{t}>({r.randint(1000, 99999)})) break;\n"
        f"  }}\n"
        f"  return acc;\n"
        f"}}\n\n"
    )


def _cxx_class(n: Names) -> str:
    r = n.rng
    c, m1, m2 = n.cls(), n.word(), n.word()
    return (
        f"class {c} {{\n public:\n"
        f"  explicit {c}(int {m1}) : {m1}_({m1}) {{}}\n"
        f"  int {n.func()}() const {{ return {m1}_ * {r.randint(2, 9)} + {m2}_; }}\n"
        f"  void {n.func()}(int delta) {{ {m2}_ += delta; }}\n\n"
        f" private:\n  int {m1}_ = 0;\n  int {m2}_ = {r.randint(0, 64)};\n}};\n\n"
    )


def _cxx_map_block(n: Names) -> str:
    key, val = n.word(), n.word()
    return (
        f"std::unordered_map<std::string, int> {n.func()}(const std::vector<std::string>& {key}s) {{\n"
        f"  std::unordered_map<std::string, int> {val};\n"
        f"  for (const auto& {key} : {key}s) {{\n"
        f"    ++{val}[{key}];\n"
        f"  }}\n"
        f"  return {val};\n}}\n\n"
    )


_CXX_HEADERS = ("vector", "string", "algorithm", "unordered_map", "memory", "cstdint", "cstddef", "mutex", "thread", "functional")


def _cxx_file_head(n: Names, extra: tuple[str, ...] = ()) -> str:
    r = n.rng
    heads = list(extra) + [f"#include <{h}>" for h in r.sample(_CXX_HEADERS, k=r.randint(3, 6))]
    heads.append(f'#include "{n.word()}/{n.word()}.h"')
    return f"// Copyright {r.randint(2017, 2024)} the {n.word()} team.\n" + "\n".join(heads) + f"\n\nnamespace {n.word()} {{\n\n"


def _cuda_kernel(n: Names) -> str:
    r = n.rng
    k, a = n.func(), n.word()
    return (
        f"__global__ void {k}_kernel(const float* __restrict__ {a}, float* __restrict__ out, int n) {{\n"
        f"  const int lane = threadIdx.x % 32;\n"
        f"  const int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
        f"  float v = i < n ? {a}[i] * {r.uniform(0.1, 4):.3f}f : 0.f;\n"
        f"  for (int offset = 16; offset > 0; offset >>= 1) {{\n"
        f"    v += __shfl_xor_sync(0xffffffff, v, offset);\n"
        f"  }}\n"
        f"  if (lane == 0) atomicAdd(out + blockIdx.x, v);\n"
        f"}}\n\n"
    )


def _cuda_device_math(n: Names) -> str:
    r = n.rng
    f = n.func()
    return (
        f"__device__ __forceinline__ float {f}(float x, float y) {{\n"
        f"  const float t = fmaf(x, {r.uniform(0.1, 3):.4f}f, y);\n"
        f"  return t > 0.f ? t : {r.uniform(0.001, 0.2):.4f}f * t;\n"
        f"}}\n\n"
    )


def _cuda_host(n: Names) -> str:
    r = n.rng
    buf, k = n.word(), n.func()
    return (
        f"void {n.func()}(const float* host, float* result, int n, cudaStream_t stream) {{\n"
        f"  // TODO: keep {buf} in a pool instead of cudaMalloc per call\n"
        f"  float* {buf} = nullptr;\n"
        f"  cudaMalloc(&{buf}, sizeof(float) * n);\n"
        f"  cudaMemcpyAsync({buf}, host, sizeof(float) * n, cudaMemcpyHostToDevice, stream);\n"
        f"  {k}_kernel<<<(n + {r.choice((128, 256, 512))} - 1) / {r.choice((128, 256, 512))}, 256, 0, stream>>>({buf}, result, n);\n"
        f"  if (cudaGetLastError() != cudaSuccess) std::fprintf(stderr, \"cudaMalloc failed\\n\");\n"
        f"  cudaFree({buf});\n"
        f"}}\n\n"
    )


def _cuda_blas(n: Names) -> str:
    return (
        f"void {n.func()}(cublasHandle_t handle, const float* a, const float* b, float* c, int m, int k) {{\n"
        f"  const float alpha = 1.f, beta = 0.f;\n"
        f"  cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, m, k, &alpha, a, m, b, k, &beta, c, m);\n"
        f"}}\n\n"
    )


def _cuda_nccl(n: Names) -> str:
    return (
        f"void {n.func()}(ncclComm_t comm, float* buf, size_t count, cudaStream_t stream) {{\n"
        f"  nvtxRangePushA(\"{n.word()}\");\n"
        f"  ncclAllReduce(buf, buf, count, ncclFloat, ncclSum, comm, stream);\n"
        f"  nvtxRangePop();\n"
        f"}}\n\n"
    )


def _hip_kernel(n: Names) -> str:
    r = n.rng
    k = n.func()
    return (
        f"__global__ void {k}_wave(const float* in, float* out, int n) {{\n"
        f"  const int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
        f"  float v = i < n ? in[i] : 0.f;\n"
        f"  for (int offset = 32; offset > 0; offset >>= 1) v += __shfl_xor(v, offset, 64);\n"
        f"  if (threadIdx.x % 64 == 0) out[i / 64] = v * {r.uniform(0.5, 2):.3f}f;\n"
        f"}}\n\n"
        f"void {n.func()}(const float* d_in, float* d_out, int n, hipStream_t s) {{\n"
        f"  hipLaunchKernelGGL({k}_wave, dim3((n + 255) / 256), dim3(256), 0, s, d_in, d_out, n);\n"
        f"  (void)hipGetLastError();\n"
        f"}}\n\n"
    )


def _py_plain(n: Names) -> str:
    r = n.rng
    f, a, b = n.func(), n.word(), n.word()
    return (
        f"def {f}({a}: list[float], {b}: float = {r.uniform(0, 5):.2f}) -> float:\n"
        f'    """{r.choice(_VERBS).capitalize()} the {r.choice(_NOUNS)} values and return the total."""\n'
        f"    total = 0.0\n"
        f"    for value in {a}:\n"
        f"        total += value * {b}\n"
        f"    return total / max(len({a}), 1)\n\n\n"
    )


def _py_class(n: Names) -> str:
    c, m = n.cls(), n.word()
    return (
        f"class {c}:\n"
        f"    def __init__(self, {m}: int) -> None:\n"
        f"        self.{m} = {m}\n\n"
        f"    def {n.func()}(self) -> dict:\n"
        f"        return {{\"{m}\": self.{m}, \"kind\": \"{n.word()}\"}}\n\n\n"
    )


def _py_torch_cuda(n: Names) -> str:
    f = n.func()
    return (
        f"def {f}(model: torch.nn.Module, batch: torch.Tensor) -> torch.Tensor:\n"
        f"    # torch.cuda.synchronize() would stall here\n"
        f"    batch = batch.to(\"cuda\", non_blocking=True)\n"
        f"    with torch.cuda.amp.autocast(dtype=torch.bfloat16):\n"
        f"        out = model(batch)\n"
        f"    if torch.cuda.max_memory_allocated() > {n.rng.randint(10, 80)} * 2**30:\n"
        f"        torch.cuda.empty_cache()\n"
        f"    return out\n\n\n"
    )


def _md_paragraph(n: Names) -> str:
    r = n.rng
    words = " ".join(n.word() for _ in range(r.randint(30, 70)))
    extra = " We call cudaMalloc and ncclAllReduce in the hot path." if r.random() < 0.2 else ""
    return f"{words.capitalize()}.{extra}\n\n"


def _csv_rows(n: Names) -> str:
    r = n.rng
    return "".join(f"{n.word()},{r.randint(0, 10**6)},{r.random():.6f},{n.word()}\n" for _ in range(40))


# --------------------------------------------------------------------------
# File kinds: (share of files, suffix chooser, body builder, size scale)

def _fill(n: Names, target: int, head: str, blocks: list[tuple[float, Callable[[Names], str]]], tail: str = "") -> str:
    parts, size = [head], len(head)
    weights = [w for w, _ in blocks]
    funcs = [f for _, f in blocks]
    while size < target:
        chunk = n.rng.choices(funcs, weights)[0](n)
        parts.append(chunk)
        size += len(chunk)
    parts.append(tail)
    return "".join(parts)


def cxx_file(n: Names, target: int) -> str:
    head = _cxx_file_head(n)
    blocks = [(5, _cxx_function), (2, _cxx_class), (2, _cxx_map_block)]
    return _fill(n, target, head, blocks, "}  // namespace\n")


def cuda_file(n: Names, target: int) -> str:
    head = _cxx_file_head(n, ("#include <cuda_runtime.h>", "#include <cublas_v2.h>", "#include <nccl.h>", "#include <nvtx3/nvToolsExt.h>"))
    blocks = [(4, _cxx_function), (3, _cuda_device_math), (2, _cuda_kernel), (1, _cuda_host), (0.5, _cuda_blas), (0.4, _cuda_nccl)]
    return _fill(n, target, head, blocks, "}  // namespace\n")


def hip_file(n: Names, target: int) -> str:
    head = _cxx_file_head(n, ("#include <hip/hip_runtime.h>", "#include <rocblas/rocblas.h>"))
    blocks = [(4, _cxx_function), (2, _hip_kernel)]
    return _fill(n, target, head, blocks, "}  // namespace\n")


def py_file(n: Names, target: int) -> str:
    r = n.rng
    on_gpu = r.random() < 0.35
    imports = ["from __future__ import annotations", "", "import math", "import os"]
    if on_gpu:
        imports += ["", "import torch", "import torch.distributed as dist"]
    head = f'"""{n.word().capitalize()} {r.choice(_NOUNS)} utilities."""\n\n' + "\n".join(imports) + "\n\n\n"
    blocks = [(5, _py_plain), (2, _py_class)] + ([(1.5, _py_torch_cuda)] if on_gpu else [])
    return _fill(n, target, head, blocks)


def requirements_file(n: Names, target: int) -> str:
    r = n.rng
    lines = ["# generated for the scan benchmark"]
    if r.random() < 0.5:
        lines += ["--extra-index-url https://download.pytorch.org/whl/cu121", "torch==2.3.1+cu121", "nvidia-cublas-cu12==12.1.3.1", "nvidia-nccl-cu12==2.20.5"]
    elif r.random() < 0.3:
        lines += ["--index-url https://download.pytorch.org/whl/rocm6.1", "torch==2.4.0+rocm6.1"]
    for pkg in r.sample(_PY_PACKAGES, k=r.randint(5, 12)):
        lines.append(f"{pkg}=={r.randint(0, 5)}.{r.randint(0, 30)}.{r.randint(0, 9)}")
    return "\n".join(lines) + "\n"


def dockerfile(n: Names, target: int) -> str:
    r = n.rng
    base = r.choice(("nvcr.io/nvidia/pytorch:24.05-py3", "python:3.11-slim", "nvidia/cuda:12.4.1-devel-ubuntu22.04", "rocm/pytorch:rocm6.2_ubuntu22.04_py3.10_pytorch_release_2.3.0"))
    return (
        f"FROM {base}\n"
        f"ENV NCCL_DEBUG=WARN\nENV {n.word().upper()}_HOME=/opt/{n.word()}\n"
        f"WORKDIR /opt/{n.word()}\nCOPY requirements.txt .\n"
        f"RUN pip install --no-cache-dir -r requirements.txt\n"
        f"COPY . .\nCMD [\"python\", \"-m\", \"{n.word()}\"]\n"
    )


def k8s_manifest(n: Names, target: int) -> str:
    r = n.rng
    name = n.word()
    gpu = r.choice(("nvidia.com/gpu", "amd.com/gpu", None))
    limits = f"              {gpu}: {r.choice((1, 2, 4, 8))}\n" if gpu else ""
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {r.randint(1, 6)}\n"
        f"  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n"
        f"    spec:\n      containers:\n        - name: {name}\n          image: registry.example.com/{n.word()}/{name}:{r.randint(1, 9)}.{r.randint(0, 20)}\n"
        f"          resources:\n            limits:\n{limits}              memory: {r.choice((4, 8, 16, 64))}Gi\n"
    )


def cmake_file(n: Names, target: int) -> str:
    r = n.rng
    lang = r.choice(("CXX", "CXX CUDA", "CXX HIP", "CXX"))
    lines = [f"cmake_minimum_required(VERSION 3.{r.randint(18, 28)})", f"project({n.word()} LANGUAGES {lang})"]
    if "CUDA" in lang:
        lines += ["set(CMAKE_CUDA_ARCHITECTURES 80 90)", "find_package(CUDAToolkit REQUIRED)"]
    if "HIP" in lang:
        lines += ["set(CMAKE_HIP_ARCHITECTURES gfx942)", "find_package(hip REQUIRED)"]
    lines.append(f"add_library({n.word()} STATIC {' '.join(n.word() + '.cpp' for _ in range(r.randint(2, 8)))})")
    return "\n".join(lines) + "\n"


def markdown_file(n: Names, target: int) -> str:
    return _fill(n, target, f"# {n.word().capitalize()}\n\n", [(1, _md_paragraph)])


def csv_file(n: Names, target: int) -> str:
    return _fill(n, target, "name,count,ratio,owner\n", [(1, _csv_rows)])


def json_data_file(n: Names, target: int) -> str:
    r = n.rng
    rows = []
    size = 0
    while size < target:
        row = json.dumps({"id": n.word(), "value": r.randint(0, 10**6), "tags": [n.word(), n.word()]})
        rows.append(row)
        size += len(row) + 2
    return "[\n" + ",\n".join(rows) + "\n]\n"


# share of files, suffixes, builder, relative size, folder, text?
KINDS: dict[str, tuple[float, tuple[str, ...], Callable[[Names, int], str], float, str]] = {
    "cxx": (0.52, (".cpp", ".cc", ".h", ".hpp"), cxx_file, 1.0, "src"),
    "cuda": (0.10, (".cu", ".cuh"), cuda_file, 1.2, "kernels"),
    "hip": (0.03, (".hip",), hip_file, 1.0, "kernels/rocm"),
    "python": (0.16, (".py",), py_file, 0.8, "python"),
    "requirements": (0.01, ("requirements.txt",), requirements_file, 0.0, ""),
    "docker": (0.01, ("Dockerfile",), dockerfile, 0.0, "docker"),
    "k8s": (0.02, (".yaml",), k8s_manifest, 0.0, "deploy"),
    "cmake": (0.02, ("CMakeLists.txt",), cmake_file, 0.0, "src"),
    "markdown": (0.07, (".md",), markdown_file, 0.8, "docs"),
    "csv": (0.03, (".csv",), csv_file, 3.0, "data"),
    "json": (0.02, (".json",), json_data_file, 1.0, "data"),
}

#: Binary files per project (names end in suffixes that are not inputs).
BINARIES = (("assets/logo.png", 40_000), ("models/encoder.onnx", 600_000), ("lib/libvendor.so", 250_000))

MAX_FILE_BYTES = 2 * 1024 * 1024


def _plan_sizes(rng: random.Random, count: int, budget: int) -> list[int]:
    """Lognormal file sizes (median a few KiB, long tail) summing to about ``budget``."""
    raw = [rng.lognormvariate(0.0, 1.0) for _ in range(count)]
    scale = budget / sum(raw)
    return [max(200, min(MAX_FILE_BYTES, int(x * scale))) for x in raw]


def _folder(rng: random.Random, names: Names, base: str) -> str:
    depth = rng.randint(1, 3)
    parts = [base] if base else []
    parts += [names.word() for _ in range(depth)]
    return "/".join(parts)


def generate(spec: TreeSpec, dest: Path) -> dict:
    """Write the tree for ``spec`` into ``dest`` (created). Returns its stats."""
    rng = random.Random(spec.seed)
    dest.mkdir(parents=True)
    files_per_project = math.ceil(spec.files / spec.projects)
    budget = spec.size_mb * 1024 * 1024 // spec.projects
    binary_bytes = sum(size for _, size in BINARIES)
    stats = {"files": 0, "bytes": 0}
    for p in range(spec.projects):
        names = Names(random.Random(rng.random()))
        project = dest / f"{names.word()}-{p:02d}"
        _write_project(rng, names, project, files_per_project - len(BINARIES), budget - binary_bytes, stats)
        for rel, size in BINARIES:
            _write(project / rel, rng.randbytes(size), stats)
    return stats


def _write_project(rng: random.Random, names: Names, root: Path, count: int, budget: int, stats: dict) -> None:
    plan: list[str] = []
    for kind, (share, *_rest) in KINDS.items():
        plan += [kind] * max(1, round(share * count))
    plan = (plan + ["cxx"] * count)[:count]
    rng.shuffle(plan)
    weights = [KINDS[k][3] for k in plan]
    sized = [w for w in weights if w > 0]
    sizes = _plan_sizes(rng, len(sized), budget - 2_000 * (len(plan) - len(sized)))
    size_iter = iter(sizes)
    folders = {kind: [_folder(rng, names, KINDS[kind][4]) for _ in range(12)] for kind in KINDS}
    used: set[str] = set()
    for kind, weight in zip(plan, weights):
        _share, suffixes, build, _scale, _base = KINDS[kind]
        target = int(next(size_iter) * weight) if weight > 0 else 0
        suffix = rng.choice(suffixes)
        folder = rng.choice(folders[kind])
        rel = f"{folder}/{suffix}" if not suffix.startswith(".") else f"{folder}/{names.func()}{suffix}"
        if rel in used:
            rel = f"{folder}/{names.word()}-{len(used)}/{suffix}" if not suffix.startswith(".") else f"{folder}/{names.func()}_{len(used)}{suffix}"
        used.add(rel)
        text = build(names, min(target, MAX_FILE_BYTES))
        # A few legacy sources are Latin-1, as in real trees.
        encoding = "latin-1" if kind == "cxx" and rng.random() < 0.003 else "utf-8"
        if encoding == "latin-1":
            text = "// (c) Société Générale de Calcul\n" + text
        _write(root / rel, text.encode(encoding), stats)


def _write(path: Path, data: bytes, stats: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stats["files"] += 1
    stats["bytes"] += len(data)


def ensure_tree(spec: TreeSpec, work: Path, log: Callable[[str], None] = print) -> Path:
    """The cached tree for ``spec`` under ``work``, generated when missing or stale."""
    work.mkdir(parents=True, exist_ok=True)
    tree = work / f"tree-{spec.key()}"
    manifest = tree / MANIFEST
    if manifest.is_file():
        recorded = json.loads(manifest.read_text())
        if recorded.get("spec") == asdict(spec) and recorded.get("generator") == GENERATOR_VERSION:
            log(f"using cached tree {tree} ({recorded['stats']['files']} files, {recorded['stats']['bytes'] / 2**20:.0f} MiB)")
            return tree / "portfolio"
    # Only one tree is kept: drop stale ones (they can be hundreds of MiB).
    for stale in work.glob("tree-*"):
        shutil.rmtree(stale)
    partial = work / f"partial-{spec.key()}"
    if partial.exists():
        shutil.rmtree(partial)
    log(f"generating {spec.files} files, {spec.size_mb} MiB in {tree} (seed {spec.seed}) …")
    stats = generate(spec, partial / "portfolio")
    (partial / MANIFEST).write_text(json.dumps({"spec": asdict(spec), "generator": GENERATOR_VERSION, "stats": stats}, indent=2))
    partial.rename(tree)
    log(f"generated {stats['files']} files, {stats['bytes'] / 2**20:.0f} MiB")
    return tree / "portfolio"
