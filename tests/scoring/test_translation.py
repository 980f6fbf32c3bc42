"""Build-time translation and library adoption (issue 16, part 1): real scans of the fixture
project tests/fixtures/translation/ext (written for these tests), a PyTorch CUDA extension whose
attention kernels use inline PTX."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lockin.catalog import load_catalog
from lockin.catalog.implementations import function_of, read_implementations
from lockin.records import InputError
from lockin.scan import ScanOptions, scan
from lockin.scoring.calibration import nominal_effort
from lockin.scoring.effort import project_facts
from lockin.scoring.parameters import Parameters
from lockin.scoring.readiness import scan_regions
from lockin.scoring.score import score

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "translation" / "ext"
ATTENTION = "fused multi-head attention"
#: Parameters without the bundled calibration: the model's own figures.
PARAMS = Parameters({"calibration_file": ""})
RULE_COLUMNS = ["translated_by", "adopted_as", "adopted_build", "integration_hours"]


def scan_project(root: Path):
    return scan([root], ScanOptions(target="amd", project_name="ext", progress=False))


@pytest.fixture(scope="module")
def scanned():
    return scan_project(FIXTURE)


@pytest.fixture(scope="module")
def scores(scanned):
    return score(scanned, PARAMS)


def facts_without_the_rules(scores, scanned):
    """The facts the effort model had before build-time translation and adoption."""
    plain = scores.findings.drop(columns=RULE_COLUMNS)
    return project_facts(plain, scanned.inputs, scores.params, ["ext"], scan_regions(scanned))


def test_sources_of_a_cuda_extension_build_are_translated_by_the_build(scores):
    ops = scores.findings.query("path == 'csrc/ops.cu' and portability != 'portable'")
    assert len(ops) and set(ops["translated_by"]) == {"."}
    fact = scores.facts.iloc[0]
    assert fact["translated_builds"] == 1 and 0 < fact["build_translated_sloc"] <= fact["adapted_sloc"]
    # What hipify cannot handle (a lane index modulo 32) is still adapted by hand.
    assert fact["manual_sloc"] > 0


def test_a_cmake_build_without_a_cuda_extension_is_not_translated_at_build_time(tmp_path):
    root = tmp_path / "ext"
    shutil.copytree(FIXTURE, root)
    (root / "setup.py").unlink()
    (root / "CMakeLists.txt").write_text("project(ext LANGUAGES CXX CUDA)\nadd_library(ext csrc/ops.cu)\n")
    scores = score(scan_project(root), PARAMS)
    assert set(scores.findings["translated_by"]) == {""}
    assert scores.facts.iloc[0]["translated_builds"] == 0


def test_attention_kernels_with_inline_ptx_adopt_the_targets_attention(scores):
    kernels = scores.findings[scores.findings["path"].isin(["csrc/flash_fwd.cu", "csrc/flash_bwd.cu"]) & (scores.findings["portability"] != "portable")]
    assert len(kernels) and set(kernels["adopted_as"]) == {ATTENTION}
    fact = scores.facts.iloc[0]
    assert fact["adoptions"] == ATTENTION and fact["adopted"] == len(scores.findings.query("adopted_as != '' and charged"))
    # An adopted kernel is no roadblock: the vendor's implementation computes the same function.
    assert scores.roadblocks.empty
    attention = next(i for i in load_catalog().implementations if i.function == ATTENTION)
    assert fact["code_hours"] >= attention.integration_hours


def test_adoption_is_kept_only_where_it_costs_less_than_porting(tmp_path):
    """One small kernel with one line of PTX is rewritten, not replaced by a library."""
    root = tmp_path / "small"
    (root / "csrc").mkdir(parents=True)
    (root / "CMakeLists.txt").write_text("project(small LANGUAGES CXX CUDA)\nadd_library(small csrc/attention.cu)\n")
    (root / "csrc" / "attention.cu").write_text(
        '#include <cuda_runtime.h>\n__global__ void attention(int* x) {\n  asm volatile("bar.sync 0;");\n  x[threadIdx.x] = 0;\n}\n'
    )
    scores = score(scan([root], ScanOptions(target="amd", project_name="small", progress=False)), PARAMS)
    assert set(scores.findings["adopted_as"]) == {""}


def test_the_rules_lower_the_estimate_and_never_raise_it(scores, scanned):
    with_rules = nominal_effort(scores.facts, scores.params)[0]
    without = nominal_effort(facts_without_the_rules(scores, scanned), scores.params)[0]
    assert 0 < with_rules < without


def test_the_worked_example_in_the_methodology_holds(scores, scanned):
    text = " ".join((Path(__file__).resolve().parents[2] / "docs" / "methodology.md").read_text().split())
    fact, bare = scores.facts.iloc[0], facts_without_the_rules(scores, scanned).iloc[0]
    assert f"adapted_sloc {fact['adapted_sloc']} · build_translated_sloc {fact['build_translated_sloc']} · manual_sloc {fact['manual_sloc']}" in text
    assert f"adapted_sloc {bare['adapted_sloc']} · manual_sloc {bare['manual_sloc']} · code_hours {bare['code_hours']:.1f}" in text
    with_rules = nominal_effort(scores.facts, scores.params)[0]
    without = nominal_effort(facts_without_the_rules(scores, scanned).assign(build_translated_sloc=0), scores.params)[0]
    assert f"effort (nominal) = {with_rules:.4f} PM" in text and f"effort (nominal) = {without:.4f} PM" in text


@pytest.mark.parametrize(
    "path, function",
    [
        ("csrc/flash_attn/src/flash_fwd_kernel.h", ATTENTION),
        ("csrc/fmha_bwd.cu", ATTENTION),
        ("csrc/layer_norm/ln_fwd_kernels.cuh", "layer normalisation and RMS normalisation"),
        ("kernels/gemm_sm90.cu", "matrix multiplication (GEMM, batched and grouped, with epilogues)"),
        ("csrc/custom_all_reduce.cu", "collective communication (all-reduce, all-gather, reduce-scatter)"),
        ("csrc/causal_conv1d_fwd.cu", None),
        ("csrc/selective_scan/selective_scan_fwd.cu", None),
        ("src/summary.cu", None),
    ],
)
def test_a_kernel_file_names_the_function_it_computes(path, function):
    found = function_of(path, load_catalog().implementations)
    assert (found.function if found else None) == function


def test_tensorrt_uses_are_replaced_by_migraphx_wherever_they_are(tmp_path):
    """mmcv's TensorRT plugins: an inference-engine integration, replaced as one, not adapted line by line."""
    root = tmp_path / "plugins"
    (root / "trt").mkdir(parents=True)
    (root / "CMakeLists.txt").write_text("project(plugins LANGUAGES CXX)\nadd_library(plugins trt/plugin.cpp)\n")
    # Twenty plugins of 60 lines each: 1,200 lines a port would otherwise adapt by hand.
    plugins = []
    for p in range(20):
        body = "\n".join(f"  nvinfer1::Dims d{i} = inputs[{i}].dims;" for i in range(60))
        plugins.append(f"nvinfer1::DimsExprs output_dims_{p}(const nvinfer1::DimsExprs* inputs, nvinfer1::IExprBuilder& builder) {{\n{body}\n  return inputs[0];\n}}\n")
    (root / "trt" / "plugin.cpp").write_text("#include <NvInfer.h>\n\n" + "\n".join(plugins))
    scores = score(scan([root], ScanOptions(target="amd", project_name="plugins", progress=False)), PARAMS)
    tensorrt = scores.findings.query("vendor == 'nvidia' and kind == 'api'")
    assert len(tensorrt) and set(tensorrt["adopted_as"]) == {"inference engine (TensorRT networks, plugins and runtimes)"}


def test_a_bad_implementations_file_names_its_line(tmp_path):
    path = tmp_path / "implementations.yml"
    path.write_text(
        "implementations:\n"
        "  - function: attention\n    vendor: amd\n    library: CK\n    pattern: attention\n    integration_hours: 8\n    source: docs\n"
        "  - function: gemm\n    vendor: amd\n    library: hipBLASLt\n    pattern: '(gemm'\n    integration_hours: 8\n    source: docs\n"
    )
    with pytest.raises(InputError) as caught:
        read_implementations(path)
    assert caught.value.problem.line == 8 and "regular expression" in caught.value.problem.message
    path.write_text("implementations:\n  - function: gemm\n    vendor: amd\n    library: hipBLASLt\n    integration_hours: -1\n    pattern: gemm\n    source: docs\n")
    with pytest.raises(InputError, match="integration_hours"):
        read_implementations(path)


def test_a_users_catalog_folder_replaces_an_implementation(tmp_path):
    (tmp_path / "implementations.yml").write_text(
        f"implementations:\n  - function: {ATTENTION}\n    vendor: amd\n    library: AITER\n    pattern: attention\n    integration_hours: 12\n    source: our notes\n"
    )
    catalog = load_catalog([tmp_path])
    attention = [i for i in catalog.implementations if i.function == ATTENTION]
    assert len(attention) == 1 and attention[0].library == "AITER" and attention[0].integration_hours == 12
    assert str(tmp_path / "implementations.yml") in catalog.sources
