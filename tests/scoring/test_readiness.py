"""Target readiness: what already runs on the target costs its validation only;
a third vendor's code is not a cost; adapted lines and roadblocks follow the work.

Real scans of the fixture portfolio tests/fixtures/readiness (written for
these tests); regions and definitions frames by hand where the readers do
not emit them yet.
"""

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from lockin.cli import main
from lockin.scan import ScanOptions, scan
from lockin.scoring.effort import adapted_lines, repeat_factor
from lockin.scoring.parameters import Parameters
from lockin.scoring.readiness import DEFINITION_COLUMNS, REGION_COLUMNS, mark_covered, source_vendors
from lockin.scoring.score import score

from scoring_factory import finding, findings_frame, inputs_frame

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "readiness"
PARAMS = Parameters({"draws": 400})
HEADER_LINES = 2545
CUTE_USES = 12891


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    """The fixture portfolio plus two generated projects: a 2,545-line header with one
    ``#ifdef __CUDACC__``, and a kernel with 12,891 uses of CuTe."""
    root = tmp_path_factory.mktemp("readiness") / "portfolio"
    shutil.copytree(FIXTURES, root)
    (root / "header" / "include").mkdir(parents=True)
    helpers = [f"inline int helper_{i}(int x) {{ return x + {i}; }}" for i in range(HEADER_LINES - 4)]
    (root / "header" / "include" / "common.h").write_text("\n".join(["#pragma once", "#ifdef __CUDACC__", "#include <cuda_fp16.h>", "#endif", *helpers]) + "\n")
    (root / "cute-kernels").mkdir()
    names = ["make_layout", "make_tensor", "local_tile", "partition_S", "copy", "gemm"]
    uses = [f"  auto t{i} = cute::{names[i % len(names)]}({i});" for i in range(CUTE_USES - 1)]
    (root / "cute-kernels" / "tile_kernel.cu").write_text("\n".join(["#include <cute/tensor.hpp>", "void tile_kernel() {", *uses, "}"]) + "\n")
    with (root / "portfolio.yml").open("a") as manifest:
        manifest.write("  - {name: header, path: header, accelerator: H100 SXM}\n  - {name: cute-kernels, path: cute-kernels, accelerator: H100 SXM}\n")
    return root


@pytest.fixture(scope="module")
def scanned(portfolio):
    return scan([portfolio], ScanOptions(target="amd"))


@pytest.fixture(scope="module")
def scores(scanned):
    return score(scanned, PARAMS)


def rows(scores):
    return scores.projects.set_index("project")


def test_cuda_uses_in_a_file_with_hip_findings_are_covered_and_cost_less(scores, scanned):
    table = rows(scores)
    assert table.loc["dual", "readiness"] == 1.0 and table.loc["dual", "covered"] == table.loc["dual", "vendor_bound"] > 0
    assert table.loc["cuda-only", "readiness"] == 0.0
    assert table.loc["dual", "effort_pm_p50"] < table.loc["cuda-only", "effort_pm_p50"]
    assert table.loc["dual", "target_paths"] == "code: 1 file(s)"
    uncredited = rows(score(scanned, PARAMS, credit_target_support=False))
    assert table.loc["dual", "effort_pm_p50"] < uncredited.loc["dual", "effort_pm_p50"]
    # Without the credit its CUDA lines are adapted like its CUDA-only twin's; with it, none.
    assert uncredited.loc["dual", "adapted_sloc"] >= uncredited.loc["cuda-only", "adapted_sloc"] > 0 == table.loc["dual", "adapted_sloc"]
    found = scores.findings.query("project == 'dual' and vendor == 'nvidia'")
    # Each CUDA call sits in the #else of a #ifdef USE_ROCM group: the reader marks it a target path.
    # (a use outside any guard is still covered through its file's other HIP path)
    assert found["covered"].all() and "target-path" in set(found["covered_by"]) <= {"target-path", "target-file"}


def test_crediting_target_support_never_raises_the_effort(scores, scanned):
    uncredited = rows(score(scanned, PARAMS, credit_target_support=False))
    credited = rows(scores)
    assert (credited["effort_pm_p50"] <= uncredited["effort_pm_p50"] + 1e-12).all()
    assert (credited["effort_pm_p90"] <= uncredited["effort_pm_p90"] + 1e-12).all()


def test_a_cu_file_with_a_hip_sibling_is_covered_and_its_neighbour_is_not(scores):
    found = scores.findings.query("project == 'sibling' and vendor == 'nvidia'").set_index(["path", "name"])
    assert found.loc[("kernels/scale.cu", "cudaDeviceSynchronize"), "covered_by"] == "hip-sibling"
    assert not found.loc[("kernels/other.cu", "cudaDeviceSynchronize"), "covered"]
    table = rows(scores)
    assert 0 < table.loc["sibling", "readiness"] < 1


def test_a_rocm_image_beside_a_cuda_image_covers_the_image(scores):
    image = scores.findings.query("project == 'images' and kind == 'image' and vendor == 'nvidia'").iloc[0]
    assert image["covered"] and image["covered_by"] == "target-component"
    table = rows(scores)
    assert table.loc["images", "readiness"] == 1.0
    assert table.loc["images", "target_paths"] == "platform: image"
    assert table.loc["images", "platform_pm"] == 0


def test_an_alias_mapped_name_is_covered(scanned):
    # A mapping header `#define cudaMalloc hipMalloc` elsewhere in the project (by hand until the C++ reader emits it).
    definitions = pd.DataFrame([{"project": "cuda-only", "path": "src/compat.h", "line": 3, "kind": "alias", "name": "cudaMalloc", "target": "hipMalloc"}], columns=DEFINITION_COLUMNS)
    marked = mark_covered(scanned.findings, pd.DataFrame(columns=REGION_COLUMNS), definitions, scanned.inputs, "amd")
    own = marked.query("project == 'cuda-only'").set_index("name")
    assert own.loc["cudaMalloc", "covered_by"] == "alias"
    assert not own.loc["cudaFree", "covered"]


def test_a_line_in_a_target_path_region_is_covered_and_one_outside_is_not(scanned):
    regions = pd.DataFrame([{"project": "cuda-only", "path": "src/ops.cu", "kind": "target-path", "start": 1, "end": 30, "vendor": "amd"}], columns=REGION_COLUMNS)
    marked = mark_covered(scanned.findings, regions, pd.DataFrame(columns=DEFINITION_COLUMNS), scanned.inputs, "amd")
    own = marked.query("project == 'cuda-only' and vendor == 'nvidia'")
    assert set(own.loc[own["line"] <= 30, "covered_by"]) == {"target-path"}
    # The region gives the file a target path: the rest of it is covered as a target file.
    assert set(own.loc[own["line"] > 30, "covered_by"]) == {"target-file"}
    nvidia_region = regions.assign(vendor="nvidia")
    assert not mark_covered(scanned.findings, nvidia_region, pd.DataFrame(columns=DEFINITION_COLUMNS), scanned.inputs, "amd").query("project == 'cuda-only'")["covered"].any()


def test_intel_findings_of_an_nvidia_project_are_not_priced_towards_amd(scores, scanned):
    table = rows(scores)
    assert table.loc["gaudi-server", "source_vendor"] == "nvidia"
    assert table.loc["gaudi-server", "other_vendor_bound"] == 5 and table.loc["gaudi-server", "other_vendors"] == "intel 5"
    assert table.loc["gaudi-server", "vendor_bound"] == 4, "the four pynvml findings"
    intel = scores.findings.query("project == 'gaudi-server' and vendor == 'intel'")
    assert not intel["charged"].any()
    # Priced as if the Gaudi code were not there.
    without_intel = scanned.findings[scanned.findings["vendor"] != "intel"]
    alone = score(dataclasses.replace(scanned, findings=without_intel.reset_index(drop=True)), PARAMS)
    assert rows(alone).loc["gaudi-server", "effort_pm_p50"] == pytest.approx(table.loc["gaudi-server", "effort_pm_p50"])
    assert scores.portfolio["other_vendors"] == "intel 5"


def test_without_a_manifest_accelerator_the_vendor_with_the_most_distinct_evidence_is_the_source():
    frame = findings_frame(
        [finding(name="cudaMalloc"), finding(name="cudaMalloc", line=2), finding(name="cudaFree", line=3)]
        + [finding(name=f"habana.op{i}", vendor="intel", kind="module", line=10 + i, portability="replaceable") for i in range(3)]
    )
    assert source_vendors(frame, "amd") == {"p": "intel"}, "three distinct Intel names against two NVIDIA ones"
    assert source_vendors(frame, "amd", {"p": "nvidia"}) == {"p": "nvidia"}
    assert source_vendors(frame, "amd", {"p": "amd"}) == {"p": "amd"}, "it already runs on the target"
    from lockin.scoring.readiness import charged_mask

    assert not charged_mask(frame, {"p": "amd"}, "amd").any(), "a project already on the target has nothing to move"


def test_hip_findings_are_never_charged_as_a_third_vendor_towards_nvidia():
    frame = findings_frame([finding(name="hipMalloc", vendor="amd", portability="translatable"), finding(name="__builtin_amdgcn_ds_swizzle", vendor="amd", kind="api", portability="rewrite", line=4)])
    from lockin.scoring.readiness import charged_mask

    sources = source_vendors(frame, "nvidia", {"p": "amd"})
    assert sources == {"p": "amd"}
    assert charged_mask(frame, sources, "nvidia").all(), "the source vendor's own code is the cost, not another vendor's"
    assert not charged_mask(frame, sources, "amd").any(), "the target's findings are never a cost"


def test_one_cudacc_guard_does_not_put_a_2545_line_header_into_the_estimate(scores):
    fact = scores.facts.set_index("project").loc["header"]
    assert fact["sloc"] >= HEADER_LINES - 1
    assert 0 < fact["adapted_sloc"] <= 2 * PARAMS.adapted_window_lines + 2


def test_adapted_lines_are_the_functions_that_hold_the_findings():
    found = findings_frame([finding(path="k.cu", line=120), finding(path="k.cu", line=130), finding(path="k.cu", line=900), finding(path="k.cu", line=2000)])
    regions = pd.DataFrame(
        [
            {"project": "p", "path": "k.cu", "kind": "function", "start": 100, "end": 160, "vendor": ""},
            {"project": "p", "path": "k.cu", "kind": "function", "start": 125, "end": 135, "vendor": ""},  # a lambda inside it
            {"project": "p", "path": "k.cu", "kind": "function", "start": 880, "end": 940, "vendor": ""},
            {"project": "p", "path": "k.cu", "kind": "function", "start": 1500, "end": 1600, "vendor": ""},
        ],
        columns=REGION_COLUMNS,
    )
    # 100..160 holds both first findings (the lambda lies inside it), 880..940 the third, line 2000 is in no function.
    assert adapted_lines(found, regions, {("p", "k.cu"): 2545}, 10)["p"] == 61 + 61 + 1
    assert adapted_lines(found, None, {("p", "k.cu"): 2545}, 10)["p"] == 31 + 21 + 21, "windows merge where they overlap (110..140)"


def test_twelve_thousand_uses_of_one_library_are_one_roadblock(scores):
    roadblocks = scores.roadblocks.query("project == 'cute-kernels'")
    assert len(roadblocks) == 1 and rows(scores).loc["cute-kernels", "roadblocks"] == 1
    row = roadblocks.iloc[0]
    assert row["name"] == "CUTLASS CuTe" and row["occurrences"] == CUTE_USES
    per_use = 4.0  # the remediation table's hours for a rewrite API
    assert per_use * 100 < row["hours"] < per_use * CUTE_USES / 5


def test_effort_grows_with_uses_but_less_than_in_proportion():
    uses = np.array([1, 2, 4, 8, 100, 12891])
    cost = repeat_factor(uses, 0.8)
    assert cost[0] == 1 and np.all(np.diff(cost) > 0)
    assert np.all(cost[1:] < uses[1:])
    assert cost[2] / cost[1] < 2 and cost[3] / cost[2] < 2
    assert list(repeat_factor([1, 5, 9], 1.0)) == [1, 5, 9], "rate 1: every use costs the same"
    # Beyond the exact sum the approximation continues the curve.
    big = repeat_factor([1_000_000, 1_000_001, 3_000_000], 0.8)
    assert big[0] < big[1] < big[2]


def test_the_score_command_shows_readiness_in_json(portfolio):
    result = CliRunner().invoke(main, ["score", str(portfolio), "--format", "json", "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    records = {r["project"]: r for r in json.loads(result.stdout)}
    assert records["dual"]["readiness"] == 1.0 and records["dual"]["target_paths"] == "code: 1 file(s)"
    assert records["cuda-only"]["readiness"] == 0.0
    assert records["gaudi-server"]["other_vendors"] == "intel 5"
    total = records[None]
    assert 0 < total["readiness"] < 1 and total["other_vendor_bound"] == 5


def test_covered_findings_are_counted_for_validation_once_per_file_or_component_group():
    rows_ = [finding(path="a.cu", line=i) for i in (1, 2, 3)] + [finding(path="b.cu", line=1), finding(path="Dockerfile", kind="image", name="nvcr.io/nvidia/pytorch", family="ngc", line=1)]
    # The CUDA wheels PyTorch pulls in are checked by one install of the target's dependency set.
    rows_ += [finding(path="requirements.txt", kind="package", name=name, family=family, line=i) for i, (name, family) in enumerate((("nvidia-cublas-cu12", "cublas"), ("nvidia-cudnn-cu12", "cudnn")), 1)]
    rows_ += [finding(path="requirements.txt", kind="index", name="https://download.pytorch.org/whl/cu121", family="pytorch", line=3)]
    frame = findings_frame(rows_).assign(covered=True)
    from lockin.scoring.effort import project_facts

    inputs = inputs_frame([("p", "a.cu", "cxx", 50), ("p", "b.cu", "cxx", 50), ("p", "Dockerfile", "dockerfile", 3), ("p", "requirements.txt", "requirements", 3)])
    fact = project_facts(frame, inputs, PARAMS, ["p"]).iloc[0]
    # a.cu, b.cu, the image, the packages with their index
    assert fact["covered"] == 8 and fact["covered_units"] == 4 and fact["covered_hours"] == 4 * PARAMS.covered_validation_hours
    assert fact["adapted_sloc"] == 0 and fact["platform_hours"] == 0 and fact["libraries_hours"] == 0


def test_the_readiness_worked_example_holds(tmp_path):
    from lockin.scoring.calibration import nominal_effort

    project = tmp_path / "portfolio" / "mixed" / "src"
    project.mkdir(parents=True)
    shutil.copy(FIXTURES / "dual" / "src" / "ops.cu", project / "ops.cu")
    shutil.copy(FIXTURES / "cuda-only" / "src" / "ops.cu", project / "legacy.cu")
    scanned = scan([tmp_path / "portfolio"], ScanOptions(target="amd"))
    text = " ".join((Path(__file__).resolve().parents[2] / "docs" / "methodology.md").read_text().split())
    credited, uncredited = score(scanned, Parameters()), score(scanned, Parameters(), credit_target_support=False)
    row = credited.projects.iloc[0]
    assert f"Towards AMD the scan finds {row['vendor_bound']} NVIDIA findings" in text
    assert f"the {row['covered']} in `src/ops.cu` are covered" in text
    assert f"readiness = {row['covered']} / {row['vendor_bound']} = {row['readiness']:.2f}" in text
    facts, bare = credited.facts.iloc[0], uncredited.facts.iloc[0]
    assert f"with the credit adapted_sloc {facts['adapted_sloc']} (legacy.cu's function bodies) · covered units {facts['covered_units']}" in text
    assert f"without the credit adapted_sloc {bare['adapted_sloc']} (both files)" in text
    with_credit, without = nominal_effort(credited.facts, credited.params)[0], nominal_effort(uncredited.facts, uncredited.params)[0]
    assert f"effort (nominal) = {with_credit:.4f} PM" in text and f"effort (nominal) = {without:.4f} PM" in text
    assert f"The credited effort is {with_credit / without:.0%} of the uncredited one" in text.replace("48 %", "48%")


def test_a_rocm_package_index_covers_cuda_packages_and_an_image_does_not():
    frame = findings_frame(
        [
            finding(path="requirements.txt", kind="package", name="nvidia-cublas-cu12", family="cuda-wheels", line=2),
            finding(path="requirements_rocm.txt", kind="index", name="https://download.pytorch.org/whl/rocm6.1", vendor="amd", portability="portable", line=1),
            finding(path="Dockerfile", kind="image", name="nvcr.io/nvidia/pytorch", family="ngc", line=1),
        ]
    )
    marked = mark_covered(frame, pd.DataFrame(columns=REGION_COLUMNS), pd.DataFrame(columns=DEFINITION_COLUMNS), inputs_frame([]), "amd").set_index("kind")
    assert marked.loc["package", "covered_by"] == "target-component"
    assert not marked.loc["image", "covered"], "a package index is no path for an image"


def test_a_requirements_file_named_for_rocm_covers_the_cuda_packages(scores):
    # requirements_rocm.txt pins only vendor-neutral packages: the file itself is the path.
    packages = scores.findings.query("project == 'wheels' and kind == 'package' and vendor == 'nvidia'")
    assert len(packages) == 2 and set(packages["covered_by"]) == {"target-component"}
    table = rows(scores)
    assert table.loc["wheels", "readiness"] == 1.0 and table.loc["wheels", "target_paths"] == "libraries: package"
    assert scores.facts.set_index("project").loc["wheels", "libraries_hours"] == 0


def test_the_credit_is_a_parameter_a_file_can_switch_off(tmp_path, scanned):
    from lockin.records import InputError
    from lockin.scoring.parameters import load_parameters

    path = tmp_path / "params.yml"
    path.write_text("draws: 400\ncredit_target_support: false\n")
    off = rows(score(scanned, load_parameters(path)))
    assert off.loc["dual", "effort_pm_p50"] == pytest.approx(rows(score(scanned, PARAMS, credit_target_support=False)).loc["dual", "effort_pm_p50"])
    assert off.loc["dual", "readiness"] == 1.0, "readiness is reported either way"
    path.write_text("draws: 400\ncredit_target_support: perhaps\n")
    with pytest.raises(InputError, match="line 2.*credit_target_support: expected true or false|credit_target_support: expected true or false"):
        load_parameters(path)


def test_a_project_mostly_in_the_targets_code_already_runs_there():
    """AMD's HIP examples name NVIDIA only in the branches that keep them building on NVIDIA: nothing to move."""
    from lockin.scoring.readiness import source_vendors

    frame = findings_frame(
        [finding(path=f"ex{i}.hip", name=f"hip{name}", vendor="amd", portability="portable") for i, name in enumerate(("Malloc", "Free", "Memcpy", "LaunchKernelGGL"))]
        + [finding(path="ex0.hip", name="cudaMalloc"), finding(path="ex0.hip", name="cudaFree")]
    )
    assert source_vendors(frame, "amd") == {"p": "amd"}
    # Without the credit, the NVIDIA code is priced as a move from NVIDIA, for comparison.
    assert source_vendors(frame, "amd", credit_target_support=False) == {"p": "nvidia"}
    # Where NVIDIA names dominate, the project moves from NVIDIA.
    more_cuda = pd.concat([frame, findings_frame([finding(path="k.cu", name=f"cuda{n}") for n in ("Memset", "Memcpy", "StreamCreate", "EventRecord")])])
    assert source_vendors(more_cuda, "amd") == {"p": "nvidia"}


def test_sources_of_a_build_that_already_builds_for_the_target_are_covered(tmp_path):
    """causal-conv1d's setup.py builds its CUDA extension for ROCm (PyTorch hipifies it); a nested
    build without that branch (flash-attention's CUDA-only csrc/layer_norm) is not covered."""
    root = tmp_path / "ext"
    (root / "csrc").mkdir(parents=True)
    (root / "layer_norm").mkdir()
    (root / "setup.py").write_text(
        "import torch\nfrom setuptools import setup\nfrom torch.utils.cpp_extension import CUDAExtension\n"
        "if torch.version.hip:\n    flags = ['-O3']\nelse:\n    flags = ['-O3', '--use_fast_math']\n"
        "setup(name='ext', ext_modules=[CUDAExtension('ext_cuda', ['csrc/k.cu'])])\n"
    )
    (root / "csrc" / "k.cu").write_text("#include <cuda_runtime.h>\nvoid f(float* p) { cudaMalloc(&p, 4); }\n")
    (root / "layer_norm" / "setup.py").write_text("from setuptools import setup\nsetup(name='ln')\n")
    (root / "layer_norm" / "ln.cu").write_text("#include <cuda_runtime.h>\nvoid g(float* p) { cudaMalloc(&p, 4); }\n")
    scores = score(scan([root], ScanOptions(project_name="ext", progress=False)), PARAMS)
    cuda = scores.findings.query("vendor == 'nvidia' and kind in ('api', 'include')").set_index("path")
    assert set(cuda.loc["csrc/k.cu", "covered_by"]) == {"target-build"}
    assert not cuda.loc["layer_norm/ln.cu", "covered"].any()


def test_a_mapping_header_makes_its_build_one_for_the_target(tmp_path):
    """llama.cpp compiles ggml-cuda for HIP through vendors/hip.h: its PTX-free CUDA sources are covered."""
    root = tmp_path / "kernels"
    (root / "cuda" / "vendors").mkdir(parents=True)
    (root / "cuda" / "CMakeLists.txt").write_text("add_library(kcuda k.cu)\n")
    names = ["Malloc", "Free", "Memcpy", "Memset", "StreamCreate", "StreamDestroy", "EventCreate", "EventRecord", "DeviceSynchronize", "GetLastError"]
    (root / "cuda" / "vendors" / "hip.h").write_text("#pragma once\n#include <hip/hip_runtime.h>\n" + "".join(f"#define cuda{n} hip{n}\n" for n in names))
    (root / "cuda" / "k.cu").write_text('#include "vendors/hip.h"\n__device__ unsigned lane() { return __activemask(); }\nvoid f(void* p) { cudaMalloc(&p, 4); }\n')
    scores = score(scan([root], ScanOptions(project_name="kernels", progress=False)), PARAMS)
    k = scores.findings.query("path == 'cuda/k.cu' and vendor == 'nvidia'")
    assert len(k) and k["covered"].all()
    assert "target-build" in set(k["covered_by"])


HIP_SETUP = (
    "import torch\nfrom setuptools import setup\nfrom torch.utils.cpp_extension import CUDAExtension\n"
    "if torch.version.hip:\n    flags = ['-O3']\nelse:\n    flags = ['-O3', '--use_fast_math']\n"
    "setup(name='ext', ext_modules=[CUDAExtension('ext_cuda', ['csrc/k.cu'])])\n"
)
CUDA_SETUP = "from setuptools import setup\nfrom torch.utils.cpp_extension import CUDAExtension\nsetup(name='ext', ext_modules=[CUDAExtension('ext_cuda', ['csrc/k.cu'])])\n"
WHEEL_WORKFLOW = """name: wheels
on: [push]
jobs:
  build:
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@v4
      - name: Install CUDA
        uses: Jimver/cuda-toolkit@v0.2.30
        with:
          cuda: 12.4.1
      - run: python setup.py bdist_wheel
"""


@pytest.mark.parametrize("setup_text, covered", [(HIP_SETUP, True), (CUDA_SETUP, False)], ids=["builds-for-rocm", "cuda-only"])
def test_a_ci_workflow_is_covered_with_the_build_it_builds(tmp_path, setup_text, covered):
    """causal-conv1d's wheel workflow installs the CUDA toolkit for a setup.py that also builds for
    ROCm: adding the ROCm leg is the validation of that build, not a component to replace."""
    root = tmp_path / "ext"
    (root / "csrc").mkdir(parents=True)
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "setup.py").write_text(setup_text)
    (root / "csrc" / "k.cu").write_text("#include <cuda_runtime.h>\nvoid f(float* p) { cudaMalloc(&p, 4); }\n")
    (root / ".github" / "workflows" / "wheels.yml").write_text(WHEEL_WORKFLOW)
    scores = score(scan([root], ScanOptions(project_name="ext", progress=False)), PARAMS)
    step = scores.findings.query("path == '.github/workflows/wheels.yml' and vendor == 'nvidia'")
    assert len(step) == 1, scores.findings[["path", "name"]]
    assert bool(step["covered"].iloc[0]) is covered
    if covered:
        assert step[["covered_by", "covered_build"]].iloc[0].tolist() == ["target-build", "."]
        fact = scores.facts.iloc[0]
        assert fact["covered_units"] == 1, "the workflow is validated with the build it builds"
        assert fact["platform_hours"] == 0 and fact["libraries_hours"] == 0


def _server_with_backends(root: Path, builds_for_rocm: bool) -> None:
    """A server whose Python part builds for ROCm, with per-vendor backends (TGI's backends/trtllm,
    backends/gaudi) and a feature folder beside a ROCm one (flash-attention's csrc/)."""
    (root / "server").mkdir(parents=True)
    (root / "server" / "setup.py").write_text(HIP_SETUP.replace("csrc/k.cu", "k.cu") if builds_for_rocm else CUDA_SETUP.replace("csrc/k.cu", "k.cu"))
    (root / "server" / "k.cu").write_text("#include <cuda_runtime.h>\nvoid f(float* p) { cudaMalloc(&p, 4); }\n")
    (root / "backends" / "trtllm" / "csrc").mkdir(parents=True)
    (root / "backends" / "trtllm" / "CMakeLists.txt").write_text("project(trtllm LANGUAGES CXX CUDA)\nadd_library(backend csrc/hardware.cpp)\n")
    (root / "backends" / "trtllm" / "csrc" / "hardware.cpp").write_text(
        "#include <nvml.h>\nint devices() {\n  unsigned n = 0;\n  if (nvmlDeviceGetCount_v2(&n) != NVML_SUCCESS) return 0;\n  return n;\n}\n"
    )
    (root / "backends" / "gaudi").mkdir()
    (root / "backends" / "gaudi" / "hpu.py").write_text("import habana_frameworks.torch.core as htcore\n\n\ndef step():\n    htcore.mark_step()\n")
    (root / "kernels" / "layer_norm").mkdir(parents=True)
    (root / "kernels" / "layer_norm" / "ln.cu").write_text("#include <cuda_runtime.h>\nvoid g(float* p) { cudaFree(p); }\n")
    (root / "kernels" / "attn_ck").mkdir()
    (root / "kernels" / "attn_ck" / "fwd.hip").write_text("#include <hip/hip_runtime.h>\nvoid h(float* p) { hipFree(p); }\n")


def test_a_source_vendor_backend_beside_other_vendors_backends_is_not_moved(tmp_path):
    """TGI keeps a TensorRT-LLM backend beside its Gaudi one and runs on ROCm through its server:
    the NVIDIA backend stays NVIDIA's (validated once); a feature folder that names no vendor is moved."""
    root = tmp_path / "server-project"
    _server_with_backends(root, builds_for_rocm=True)
    scores = score(scan([root], ScanOptions(project_name="srv", progress=False)), PARAMS)
    nvidia = scores.findings.query("vendor == 'nvidia' and kind in ('api', 'include')")
    backend = nvidia[nvidia["path"].str.startswith("backends/trtllm/")]
    assert len(backend) >= 3 and set(backend["covered_by"]) == {"source-variant"}
    assert set(backend["covered_build"]) == {"backends/trtllm"}, "the variant is checked once, as a whole"
    layer_norm = nvidia[nvidia["path"] == "kernels/layer_norm/ln.cu"]
    assert len(layer_norm) and not layer_norm["covered"].any(), "layer_norm names no vendor: it is a feature, not a variant"


def test_a_source_vendor_backend_is_moved_when_nothing_builds_for_the_target(tmp_path):
    root = tmp_path / "server-project"
    _server_with_backends(root, builds_for_rocm=False)
    scores = score(scan([root], ScanOptions(project_name="srv", progress=False)), PARAMS)
    backend = scores.findings.query("vendor == 'nvidia' and path.str.startswith('backends/trtllm/')", engine="python")
    assert len(backend) and not backend["covered"].any()


@pytest.mark.parametrize(
    "name, vendor",
    [("trtllm", "nvidia"), ("ggml-cuda", "nvidia"), ("flash_attn_ck", "amd"), ("Dockerfile_amd", "amd"), ("rocm.py", "amd"), ("gaudi", "intel"), ("layer_norm", ""), ("hip_vs_cuda", ""), ("checks", "")],
)
def test_a_name_names_one_vendor_or_none(name, vendor):
    from lockin.scoring.readiness import _name_vendor

    assert _name_vendor(name) == vendor
