"""The bundled catalog: it loads, every row is well formed and sourced, and the
verdicts users rely on come out right through Catalog.lookup and verdict_towards."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from lockin.catalog import TARGET_VENDORS, Catalog, bundled_catalog_dir, load_catalog, read_catalog_file
from lockin.scan.classify import verdict_towards
from lockin.records import KINDS, PORTABILITY_CLASSES

REPO_CATALOG = Path(__file__).resolve().parents[2] / "data" / "catalog"

#: Files this part of the catalog owns; C/C++ api/include/construct rows live in others.
NON_API_FILES = (
    "python_packages.csv",
    "conda_packages.csv",
    "system_packages.csv",
    "indexes.csv",
    "images.csv",
    "cluster.csv",
    "build.csv",
    "env.csv",
    "python_modules.csv",
)
VENDORS = {"nvidia", "amd", "intel", "google", "neutral"}
LAYERS = {"kernel", "runtime", "library", "framework", "communication", "tooling", "container", "cluster", "build"}


def rows_of(name: str):
    return read_catalog_file(REPO_CATALOG / name)


def own_rows():
    return [row for name in NON_API_FILES for row in rows_of(name)]


@pytest.fixture(scope="module")
def catalog():
    # Built from this part's files only, so the checks hold whatever state the
    # C/C++ api/include/construct files are in.
    return Catalog(rows=own_rows(), version="non-api")


def verdict(catalog, kind: str, name: str, ecosystem: str, target: str = "amd"):
    row = catalog.lookup(kind, name, ecosystem)
    assert row is not None, f"no catalog row for {kind} {name!r} ({ecosystem})"
    portability, alternative, _ = verdict_towards(row, target)
    return row, portability, alternative


# --- loading and metadata -------------------------------------------------------


def test_bundled_dir_is_the_repository_catalog():
    assert bundled_catalog_dir().resolve() == REPO_CATALOG


def test_these_files_load_through_load_catalog_with_the_catalog_version(tmp_path):
    for name in (*NON_API_FILES, "catalog.yml"):
        shutil.copy(REPO_CATALOG / name, tmp_path / name)
    loaded = load_catalog([tmp_path], bundled=False)
    assert loaded.version == "lockin-catalog@2026.11.0"
    assert len(loaded.rows) == len(own_rows()) >= 250


def test_whole_bundled_catalog_loads_without_duplicate_keys():
    # Integration: every file of data/catalog (including the C/C++ api,
    # include and construct files) goes through the real loader.
    loaded = load_catalog()
    assert loaded.version == "lockin-catalog@2026.11.0"
    assert {Path(s).name for s in loaded.sources} >= set(NON_API_FILES)
    rows = [row for path in sorted(REPO_CATALOG.glob("*.csv")) for row in read_catalog_file(path)]
    keys = [row.key for row in rows]
    assert len(keys) == len(set(keys)) == len(loaded.rows)
    assert {row.vendor for row in rows} <= VENDORS
    assert {row.layer for row in rows} <= LAYERS


def test_catalog_metadata_names_version_date_and_description():
    meta = yaml.safe_load((REPO_CATALOG / "catalog.yml").read_text(encoding="utf-8"))
    assert meta["name"] == "lockin-catalog"
    assert meta["version"] == "2026.11.0"
    assert str(meta["date"]).startswith("2026-11")
    assert len(meta["description"]) > 40


@pytest.mark.parametrize("name", NON_API_FILES)
def test_each_file_has_a_header_then_a_comment_saying_what_it_holds(name):
    lines = (REPO_CATALOG / name).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("kind,ecosystem,match_type,match,vendor,layer,family,")
    assert lines[1].startswith("# ")
    assert rows_of(name), f"{name} has no rows"


# --- every row well formed ------------------------------------------------------------


def test_every_row_is_sourced_and_uses_known_vendors_layers_and_classes():
    problems = []
    for row in own_rows():
        if not row.source.strip():
            problems.append(f"{row.origin}: no source")
        if row.kind not in KINDS:
            problems.append(f"{row.origin}: kind {row.kind}")
        if row.vendor not in VENDORS:
            problems.append(f"{row.origin}: vendor {row.vendor}")
        if row.layer not in LAYERS:
            problems.append(f"{row.origin}: layer {row.layer}")
        for target, (portability, _) in row.verdicts.items():
            if portability not in PORTABILITY_CLASSES:
                problems.append(f"{row.origin}: class {portability} towards {target}")
            if target == row.vendor:
                problems.append(f"{row.origin}: verdict towards its own vendor {target}")
    assert not problems, "\n".join(problems)


def test_no_duplicate_keys_across_these_files():
    seen: dict[tuple, str] = {}
    duplicates = []
    for row in own_rows():
        if row.key in seen:
            duplicates.append(f"{row.origin} repeats {seen[row.key]}")
        seen.setdefault(row.key, row.origin)
    assert not duplicates, "\n".join(duplicates)


@pytest.mark.parametrize("name", NON_API_FILES)
def test_sources_cite_a_public_address(name):
    uncited = [row.origin for row in rows_of(name) if "http" not in row.source]
    assert not uncited


@pytest.mark.parametrize("name", NON_API_FILES)
def test_vendor_rows_state_the_class_towards_the_other_gpu_vendor(name):
    # A migration engineer must never see "assumed" for the NVIDIA <-> AMD move.
    missing = []
    for row in rows_of(name):
        other = {"nvidia": "amd", "amd": "nvidia"}.get(row.vendor)
        if other and row.verdict(other) is None:
            missing.append(f"{row.origin} ({row.match}) has no {other} verdict")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("name", NON_API_FILES)
def test_rocm_side_rows_are_never_portable_towards_nvidia(name, catalog):
    for row in rows_of(name):
        if row.vendor == "amd":
            portability, _, _ = verdict_towards(row, "nvidia")
            assert portability != "portable", row.origin


def test_neutral_rows_are_portable_everywhere(catalog):
    neutral = [r for r in catalog.rows if r.vendor == "neutral"]
    assert neutral
    for row in neutral:
        assert {verdict_towards(row, t)[0] for t in TARGET_VENDORS} == {"portable"}, row.origin


def test_rows_towards_a_target_with_a_class_other_than_portable_name_an_alternative_or_say_why():
    for name in NON_API_FILES:
        for row in rows_of(name):
            for target, (portability, alternative) in row.verdicts.items():
                if portability in ("translatable", "replaceable"):
                    assert alternative or row.note, f"{row.origin} towards {target}"


# --- the verdicts users rely on ------------------------------------------------------

SPOT_CHECKS = [
    # kind, name, ecosystem, vendor, class towards amd (None: not checked)
    ("package", "nvidia-cublas-cu12", "pypi", "nvidia", {"translatable", "replaceable"}),
    ("package", "nvidia-cudnn-cu11", "pypi", "nvidia", {"translatable"}),
    ("package", "nvidia-nccl-cu12", "pypi", "nvidia", {"translatable"}),
    ("package", "nvidia-npp-cu12", "pypi", "nvidia", {"rewrite"}),
    ("package", "nvidia-somethingnew-cu13", "pypi", "nvidia", {"replaceable"}),
    ("package", "nvidia-ml-py", "pypi", "nvidia", {"replaceable"}),
    ("package", "cupy-cuda12x", "pypi", "nvidia", {"translatable"}),
    ("package", "cupy-rocm-5-0", "pypi", "amd", {"portable"}),
    ("package", "tensorrt-cu12", "pypi", "nvidia", {"replaceable"}),
    ("package", "onnxruntime-gpu", "pypi", "nvidia", {"replaceable"}),
    ("package", "onnxruntime", "pypi", "neutral", {"portable"}),
    ("package", "cudf-cu12", "pypi", "nvidia", {"rewrite"}),
    ("package", "dask-cudf-cu12", "pypi", "nvidia", {"rewrite"}),
    ("package", "jax-cuda12-plugin", "pypi", "nvidia", {"translatable"}),
    ("package", "jax-rocm7-plugin", "pypi", "amd", {"portable"}),
    ("package", "flash-attn", "pypi", "nvidia", {"translatable"}),
    ("package", "triton", "pypi", "neutral", {"portable"}),
    ("package", "local-version:cu121", "pypi", "nvidia", {"translatable"}),
    ("package", "local-version:rocm6.1", "pypi", "amd", {"portable"}),
    ("package", "local-version:pt20cu118", "pypi", "nvidia", {"translatable"}),  # PyTorch Geometric's wheels
    ("package", "local-version:cuda12.cudnn89", "pypi", "nvidia", {"translatable"}),  # jaxlib's
    ("package", "compiler/rocm/dtk-23.04", "lmod", "amd", {"portable"}),  # a hierarchical module tree
    ("build", "cmake:target=CCCL::CCCL", "cmake", "nvidia", {"replaceable"}),  # llama.cpp's ggml-cuda
    ("build", "cmake:target=NCCL::NCCL", "cmake", "nvidia", {"translatable"}),
    ("package", "cudf", "conda", "nvidia", {"rewrite"}),
    ("package", "pytorch-cuda", "conda", "nvidia", {"translatable"}),
    ("package", "cuda-nvcc", "conda", "nvidia", {"replaceable"}),
    ("package", "libcublas-dev", "conda", "nvidia", {"replaceable"}),
    ("package", "cuda-toolkit-12-4", "deb", "nvidia", {"replaceable"}),
    ("package", "libnccl2", "deb", "nvidia", {"translatable"}),
    ("package", "libcudnn9-cuda-12", "rpm", "nvidia", {"replaceable"}),
    ("package", "rocm-hip-sdk", "deb", "amd", {"portable"}),
    ("package", "cuda/12.4", "lmod", "nvidia", {"replaceable"}),
    ("package", "cuda", "lmod", "nvidia", {"replaceable"}),
    ("package", "rocm/6.2.0", "lmod", "amd", {"portable"}),
    ("index", "https://download.pytorch.org/whl/cu121", "pypi", "nvidia", {"translatable"}),
    ("index", "https://download.pytorch.org/whl/nightly/rocm6.2/", "pypi", "amd", {"portable"}),
    ("index", "https://pypi.nvidia.com", "pypi", "nvidia", {"translatable"}),
    ("index", "nvidia", "conda", "nvidia", {"replaceable"}),
    ("image", "nvcr.io/nvidia/pytorch:24.05-py3", "docker", "nvidia", {"translatable"}),
    ("image", "nvcr.io/nvidia/tritonserver:24.05-py3", "docker", "nvidia", {"replaceable"}),
    ("image", "nvidia/cuda:12.4.1-devel-ubuntu22.04", "docker", "nvidia", {"translatable"}),
    ("image", "pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime", "docker", "nvidia", {"translatable"}),
    ("image", "vllm/vllm-openai:v0.6.3", "docker", "nvidia", {"translatable"}),
    ("image", "lmsysorg/sglang:v0.4.6-rocm630", "docker", "amd", {"portable"}),
    ("image", "rocm/pytorch:latest", "docker", "amd", {"portable"}),
    ("image", "rocm/pytorch:rocm6.2_ubuntu22.04_py3.10_pytorch_release_2.3.0", "docker", "amd", {"portable"}),
    ("cluster", "nvidia.com/gpu", "k8s", "nvidia", {"translatable"}),
    ("cluster", "nvidia.com/mig-1g.10gb", "k8s", "nvidia", {"replaceable"}),
    ("cluster", "nvidia.com/gpu.product=NVIDIA-H100-80GB-HBM3", "k8s", "nvidia", {"replaceable"}),
    ("cluster", "nvidia.com/gpu.present", "k8s", "nvidia", {"translatable"}),
    ("cluster", "cloud.google.com/gke-accelerator=nvidia-tesla-a100", "k8s", "nvidia", {"replaceable"}),
    ("cluster", "runtimeClass=nvidia", "k8s", "nvidia", {"translatable"}),
    ("cluster", "toleration=nvidia.com/gpu", "k8s", "nvidia", {"translatable"}),
    ("cluster", "amd.com/gpu", "k8s", "amd", {"portable"}),
    ("cluster", "amd.com/gpu.product-name=AMD_Instinct_MI300X", "k8s", "amd", {"portable"}),
    ("cluster", "google.com/tpu", "k8s", "google", {"replaceable"}),
    ("cluster", "habana.ai/gaudi", "k8s", "intel", {"translatable"}),
    ("cluster", "node.kubernetes.io/instance-type=p5.48xlarge", "k8s", "nvidia", {"translatable"}),
    ("cluster", "gres=gpu:a100", "slurm", "nvidia", {"translatable"}),
    ("cluster", "gres=gpu:A100", "slurm", "nvidia", {"translatable"}),
    ("cluster", "gres=gpu:h100_80gb", "slurm", "nvidia", {"translatable"}),
    ("cluster", "gres=gpu:a10", "slurm", "nvidia", {"translatable"}),
    ("cluster", "gpus=h100", "slurm", "nvidia", {"translatable"}),
    ("cluster", "gres=gpu:nvidia_a100-sxm4-80gb", "slurm", "nvidia", {"translatable"}),
    ("cluster", "constraint=h100&ib", "slurm", "nvidia", {"translatable"}),
    ("cluster", "beta.kubernetes.io/instance-type=g4dn.xlarge", "k8s", "nvidia", {"translatable"}),
    ("cluster", "node.kubernetes.io/instance-type=Standard_ND96isr_MI300X_v5", "k8s", "amd", {"portable"}),
    ("cluster", "node.kubernetes.io/instance-type=Standard_ND96isr_H100_v5", "k8s", "nvidia", {"translatable"}),
    ("cluster", "gres=gpu:mi250x", "slurm", "amd", {"portable"}),
    ("cluster", "gres=gpu", "slurm", "neutral", {"portable"}),
    ("build", "cmake:language=CUDA", "cmake", "nvidia", {"translatable"}),
    ("build", "cmake:find_package=CUDAToolkit", "cmake", "nvidia", {"translatable"}),
    ("build", "cmake:find_package=cudnn", "cmake", "nvidia", {"replaceable"}),
    ("build", "cmake:target=CUDA::cudart", "cmake", "nvidia", {"translatable"}),
    ("build", "cmake:target=CUDA::cublas", "cmake", "nvidia", {"replaceable"}),
    ("build", "cmake:target=CUDA::cublasLt_static", "cmake", "nvidia", {"replaceable"}),
    ("build", "cmake:var=CMAKE_CUDA_ARCHITECTURES", "cmake", "nvidia", {"translatable"}),
    ("build", "cmake:target=roc::rocblas", "cmake", "amd", {"portable"}),
    ("build", "setuptools:CUDAExtension", "setuptools", "nvidia", {"portable"}),
    ("build", "compiler=nvcc", "shell", "nvidia", {"translatable"}),
    ("build", "arch=sm_80", "shell", "nvidia", {"translatable"}),
    ("build", "arch=sm_90a", "shell", "nvidia", {"replaceable"}),
    ("build", "arch=compute_80", "shell", "nvidia", {"translatable"}),
    ("build", "arch=gfx942", "shell", "amd", {"portable"}),
    ("build", "arch=8.0", "docker", "nvidia", {"translatable"}),
    ("build", "arch=80-real", "cmake", "nvidia", {"translatable"}),
    ("build", "arch=9.0a", "docker", "nvidia", {"replaceable"}),
    ("build", "arch=100a", "cmake", "nvidia", {"replaceable"}),
    ("env", "CUDA_VISIBLE_DEVICES", "docker", "nvidia", {"portable"}),
    ("env", "NCCL_IB_HCA", "k8s", "nvidia", {"portable"}),  # RCCL reads it unchanged (issue 11)
    ("env", "NCCL_DEBUG", "slurm", "nvidia", {"portable"}),
    ("env", "TORCH_CUDA_ARCH_LIST", "docker", "nvidia", {"translatable"}),
    ("env", "PYTORCH_CUDA_ALLOC_CONF", "docker", "nvidia", {"portable"}),
    ("env", "CUDA_HOME", "docker", "nvidia", {"translatable"}),
    ("env", "CUDACXX", "docker", "nvidia", {"translatable"}),
    ("env", "CUDA_LAUNCH_BLOCKING", "k8s", "nvidia", {"translatable"}),
    ("env", "HIP_VISIBLE_DEVICES", "docker", "amd", {"portable"}),
    ("env", "HSA_OVERRIDE_GFX_VERSION", "docker", "amd", {"portable"}),
    ("module", "torch.cuda.synchronize", "python", "nvidia", {"portable"}),
    ("module", "torch.cuda.amp.autocast", "python", "nvidia", {"portable"}),
    ("module", "torch.backends.cudnn.benchmark", "python", "nvidia", {"portable"}),
    ("module", "torch.distributed:nccl", "python", "nvidia", {"portable"}),
    ("module", "torch:device=cuda", "python", "nvidia", {"portable"}),
    ("module", "cupy.asarray", "python", "nvidia", {"translatable"}),
    ("module", "numba.cuda.jit", "python", "nvidia", {"replaceable"}),
    ("module", "pycuda.driver", "python", "nvidia", {"replaceable"}),
    ("module", "cuda.cudart", "python", "nvidia", {"translatable"}),
    ("module", "cuda.bindings.driver", "python", "nvidia", {"replaceable"}),
    ("module", "tensorrt.Builder", "python", "nvidia", {"replaceable"}),
    ("module", "tensorrt_llm.LLM", "python", "nvidia", {"replaceable"}),
    ("module", "pynvml.nvmlInit", "python", "nvidia", {"replaceable"}),
    ("module", "apex.amp", "python", "nvidia", {"replaceable"}),
    ("module", "transformer_engine.pytorch", "python", "nvidia", {"replaceable"}),
    ("module", "flash_attn.flash_attn_func", "python", "nvidia", {"translatable"}),
    ("module", "cudf.DataFrame", "python", "nvidia", {"rewrite"}),
    ("module", "rmm", "python", "nvidia", {"rewrite"}),
    ("module", "cudaq.kernel", "python", "nvidia", {"rewrite"}),
    ("module", "onnxruntime:CUDAExecutionProvider", "python", "nvidia", {"replaceable"}),
    ("module", "onnxruntime:ROCMExecutionProvider", "python", "amd", {"portable"}),
    ("module", "onnxruntime.InferenceSession", "python", "neutral", {"portable"}),
    ("module", "triton.language", "python", "neutral", {"portable"}),
    ("module", "tritonclient.http", "python", "neutral", {"portable"}),
    ("module", "tritonclient.utils.cuda_shared_memory.create_shared_memory_region", "python", "nvidia", {"replaceable"}),
    ("module", "habana_frameworks.torch.core", "python", "intel", {"replaceable"}),
    ("module", "torch_xla.core.xla_model", "python", "neutral", {"portable"}),  # TPU, AWS Neuron, GPU (issue 11)
]


@pytest.mark.parametrize(("kind", "name", "ecosystem", "vendor", "classes"), SPOT_CHECKS, ids=[c[1] for c in SPOT_CHECKS])
def test_spot_checks_towards_amd(catalog, kind, name, ecosystem, vendor, classes):
    row, portability, _ = verdict(catalog, kind, name, ecosystem)
    assert row.vendor == vendor, row.origin
    assert portability in classes, f"{row.origin}: {portability}"


@pytest.mark.parametrize(
    ("kind", "name", "ecosystem"),
    [
        ("image", "python:3.11-slim", "docker"),
        ("image", "ubuntu:22.04", "docker"),
        ("package", "numpy", "pypi"),
        ("package", "requests", "pypi"),
        ("cluster", "node.kubernetes.io/instance-type=g4ad.xlarge", "k8s"),  # AMD Radeon Pro instances
        ("cluster", "kubernetes.io/os=linux", "k8s"),
        ("env", "PATH", "docker"),
        ("module", "cudnnx", "python"),
        ("module", "numpy.linalg", "python"),
        ("build", "cmake:language=CXX", "cmake"),
        ("package", "local-version:custom.17", "pypi"),  # a fork's own label, not CUDA
        ("package", "local-version:cpu", "pypi"),
        ("package", "compiler/gcc/12", "lmod"),
    ],
)
def test_ordinary_dependencies_are_not_in_the_catalog(catalog, kind, name, ecosystem):
    assert catalog.lookup(kind, name, ecosystem) is None


def test_cublas_wheel_points_at_hipblas(catalog):
    _, portability, alternative = verdict(catalog, "package", "nvidia-cublas-cu12", "pypi")
    assert portability in ("translatable", "replaceable")
    assert "hipBLAS" in alternative


def test_nccl_wheel_and_env_point_at_rccl(catalog):
    assert "RCCL" in verdict(catalog, "package", "nvidia-nccl-cu12", "pypi")[2]
    assert verdict(catalog, "build", "cmake:target=CUDA::cublas", "cmake")[2].startswith("roc::hipblas")


def test_rocm_side_rows_towards_nvidia_are_not_portable(catalog):
    for kind, name, ecosystem in [
        ("image", "rocm/pytorch:latest", "docker"),
        ("cluster", "amd.com/gpu", "k8s"),
        ("package", "local-version:rocm6.1", "pypi"),
        ("env", "HIP_VISIBLE_DEVICES", "docker"),
        ("build", "arch=gfx90a", "shell"),
        ("module", "amdsmi.amdsmi_init", "python"),
    ]:
        row, portability, alternative = verdict(catalog, kind, name, ecosystem, target="nvidia")
        assert row.vendor == "amd"
        assert portability in ("translatable", "replaceable", "rewrite")
        assert alternative


def test_a_project_on_its_own_vendor_is_portable(catalog):
    row, portability, _ = verdict(catalog, "image", "nvcr.io/nvidia/pytorch:24.05-py3", "docker", target="nvidia")
    assert row.vendor == "nvidia" and portability == "portable"


def test_intel_and_google_targets_have_verdicts_for_the_core_pytorch_evidence(catalog):
    for name in ("torch.cuda.synchronize", "torch:device=cuda", "torch.distributed:nccl"):
        for target in ("intel", "google"):
            row = catalog.lookup("module", name, "python")
            assert row.verdict(target) is not None, (name, target)


def test_ecosystems_keep_same_names_apart(catalog):
    # 'cuda' is a conda meta-package, a deb meta-package and an lmod module.
    assert catalog.lookup("package", "cuda", "conda").ecosystem == "conda"
    assert catalog.lookup("package", "cuda", "deb").ecosystem == "deb"
    assert catalog.lookup("package", "cuda", "lmod").ecosystem == "lmod"
    assert catalog.lookup("package", "cuda", "pypi") is None


# --- properties over generated names ---------------------------------------------------

NV_WHEEL_LIBS = ["cublas", "cudnn", "cufft", "curand", "cusolver", "cusparse", "nccl", "cuda-runtime", "cuda-nvrtc", "nvtx"]


@given(lib=st.sampled_from(NV_WHEEL_LIBS), major=st.integers(min_value=10, max_value=19))
def test_every_cuda_major_of_a_library_wheel_resolves_to_its_own_row(catalog, lib, major):
    row = catalog.lookup("package", f"nvidia-{lib}-cu{major}", "pypi")
    assert row is not None and row.vendor == "nvidia"
    assert row.match.startswith(f"nvidia-{lib}(")
    assert verdict_towards(row, "amd")[0] != "portable"


@given(version=st.from_regex(r"cu1[0-2][0-9]", fullmatch=True))
def test_cuda_local_versions_and_wheel_indexes_are_nvidia_translatable(catalog, version):
    for kind, name in [("package", f"local-version:{version}"), ("index", f"https://download.pytorch.org/whl/{version}")]:
        row = catalog.lookup(kind, name, "pypi")
        assert row is not None and row.vendor == "nvidia"
        assert verdict_towards(row, "amd")[0] == "translatable"


@given(major=st.integers(min_value=50, max_value=120), arch_specific=st.booleans())
def test_sm_targets_are_nvidia_and_arch_specific_ones_cost_more(catalog, major, arch_specific):
    name = f"arch=sm_{major}{'a' if arch_specific else ''}"
    row = catalog.lookup("build", name, "shell")
    assert row is not None and row.vendor == "nvidia"
    expected = "replaceable" if arch_specific else "translatable"
    assert verdict_towards(row, "amd")[0] == expected


@given(target=st.from_regex(r"gfx[0-9]{3,4}[a-f]?", fullmatch=True))
def test_gfx_targets_are_amd(catalog, target):
    row = catalog.lookup("build", f"arch={target}", "shell")
    assert row is not None and row.vendor == "amd"
    assert verdict_towards(row, "nvidia")[0] == "translatable"


@given(tag=st.from_regex(r"[0-9]{2}\.[0-9]{2}-py3(-igpu)?", fullmatch=True))
def test_any_ngc_pytorch_tag_is_nvidia_and_translatable_to_rocm(catalog, tag):
    row = catalog.lookup("image", f"nvcr.io/nvidia/pytorch:{tag}", "docker")
    assert row is not None and row.vendor == "nvidia"
    portability, alternative, _ = verdict_towards(row, "amd")
    assert portability == "translatable" and alternative.startswith("rocm/pytorch")

