"""The project's own names are not vendor evidence: the rule on hand-made
frames, and end to end through the scan with definitions from a test-only
reader (no built-in reader emits definitions yet)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import lockin.scan.pipeline as pipeline
from lockin.cli import main
from lockin.records import DEFINITION_COLUMNS, FINDING_COLUMNS, REGION_COLUMNS, Definition, ReadResult, Region
from lockin.scan import ScanOptions, ScanStream, collect, formats, scan
from lockin.scan.formats import Format
from lockin.scan.ownership import DROPPED_COLUMNS, drop_own_names, own_name_mask

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ownership" / "attnlib"


def findings_frame(*rows):
    """Findings with the columns the rule reads; the rest left empty."""
    records = [dict.fromkeys(FINDING_COLUMNS, "") | dict(zip(("project", "path", "line", "kind", "name"), row)) for row in rows]
    return pd.DataFrame.from_records(records, columns=list(FINDING_COLUMNS)).astype({"line": "Int64"})


def definitions_frame(*rows):
    return pd.DataFrame.from_records(rows, columns=list(DEFINITION_COLUMNS)).astype({"line": "Int64"})


def kept(findings, definitions):
    return list(zip(*(drop_own_names(findings, definitions)[c] for c in ("project", "path", "kind", "name"))))


def test_an_api_finding_named_like_a_definition_of_its_own_project_is_dropped():
    findings = findings_frame(
        ("a", "k.cu", 5, "api", "CUDA_CHECK"),
        ("a", "k.cu", 5, "api", "cudaMalloc"),
        ("b", "k.cu", 5, "api", "CUDA_CHECK"),  # another project defines nothing of the kind
    )
    definitions = definitions_frame(("a", "check.h", 3, "macro", "CUDA_CHECK", ""))
    assert kept(findings, definitions) == [("a", "k.cu", "api", "cudaMalloc"), ("b", "k.cu", "api", "CUDA_CHECK")]


@pytest.mark.parametrize("kind", ["macro", "function", "type", "namespace", "member", "variable"])
def test_every_name_kind_makes_api_findings_the_projects_own(kind):
    findings = findings_frame(("a", "x.cu", 1, "api", "cudaThing"))
    assert kept(findings, definitions_frame(("a", "y.h", 1, kind, "cudaThing", ""))) == []


def test_includes_and_constructs_are_never_dropped_as_own_names():
    findings = findings_frame(("a", "x.cu", 1, "include", "cuda_runtime.h"), ("a", "x.cu", 2, "construct", "warp-size-32"))
    definitions = definitions_frame(("a", "y.h", 1, "macro", "cuda_runtime.h", ""), ("a", "y.h", 2, "function", "warp-size-32", ""))
    assert len(drop_own_names(findings, definitions)) == 2


def test_a_module_finding_under_a_first_party_package_is_dropped():
    findings = findings_frame(
        ("a", "bench.py", 1, "module", "flash_attn"),
        ("a", "bench.py", 2, "module", "flash_attn.ops.triton.rotary"),
        ("a", "bench.py", 3, "module", "flash_attn_interface"),  # another root
        ("a", "bench.py", 4, "api", "flash_attn"),  # a package is no api name
    )
    definitions = definitions_frame(("a", "flash_attn/__init__.py", None, "package", "flash_attn", ""))
    assert kept(findings, definitions) == [("a", "bench.py", "module", "flash_attn_interface"), ("a", "bench.py", "api", "flash_attn")]


def test_only_the_alias_line_itself_is_dropped_and_uses_elsewhere_are_kept():
    findings = findings_frame(
        ("a", "compat.h", 6, "api", "cudaMalloc"),  # the shim line
        ("a", "compat.h", 6, "api", "hipMalloc"),  # what it stands for stays
        ("a", "compat.h", 7, "api", "cudaMalloc"),
        ("a", "kernel.cu", 6, "api", "cudaMalloc"),  # a use: the scoring marks it covered
    )
    definitions = definitions_frame(("a", "compat.h", 6, "alias", "cudaMalloc", "hipMalloc"))
    assert own_name_mask(findings, definitions) == [True, False, False, False]


def test_no_definitions_change_nothing():
    findings = findings_frame(("a", "x.cu", None, "api", "cudaMalloc"))
    assert drop_own_names(findings, definitions_frame()).equals(findings)
    assert drop_own_names(findings.iloc[0:0], definitions_frame(("a", "y", 1, "macro", "cudaMalloc", ""))).empty


# End to end: a test-only reader registered beside the real ones.

_DEFINE = re.compile(r"^\s*#\s*define\s+(\w+)(\()?\s*(\w+)?\s*$|^\s*#\s*define\s+(\w+)")


def read_macros(text: str, path: str) -> ReadResult:
    """Macros (and aliases: a macro whose whole value is one name) and a
    target path for each ``#ifdef USE_ROCM`` group, like the C++ reader will."""
    result = ReadResult()
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        match = _DEFINE.match(line)
        if match and match.group(1) and not match.group(2) and match.group(3):
            result.define("alias", match.group(1), number, target=match.group(3))
        elif match:
            result.define("macro", match.group(1) or match.group(4), number)
        if line.strip() == "#ifdef USE_ROCM":
            end = next(i for i in range(number, len(lines) + 1) if lines[i - 1].strip() in ("#else", "#endif"))
            result.region("target-path", number, end - 1, vendor="amd")
    return result


def read_package(text: str, path: str) -> ReadResult:
    """A top-level folder with an ``__init__.py`` is a first-party package."""
    result = ReadResult()
    if path.count("/") == 1:
        result.define("package", path.split("/")[0], None)
    return result


@pytest.fixture
def definition_readers():
    formats.register(Format("test-macros", read_macros, "test macros", suffixes=(".cuh",), also=("cxx",)), before="cxx")
    formats.register(Format("test-packages", read_package, "test packages", names=("__init__.py",), also=("python",)), before="python")
    yield
    formats.unregister("test-macros")
    formats.unregister("test-packages")


def test_the_scan_sets_aside_the_projects_own_names(definition_readers):
    result = scan([FIXTURE], ScanOptions(project_name="attnlib", jobs=1, progress=False))
    found = set(zip(result.findings.path, result.findings.line, result.findings.name))
    # The project's own macro, wherever it is used, and its own package, wherever imported.
    assert not {name for _, _, name in found} & {"CUDA_CHECK", "flash_attn", "flash_attn.attention", "flash_attn.interface.attention"}
    # The vendor APIs passed to the macro stay, and so do the aliased names used elsewhere.
    assert {("csrc/attention.cu", 5, "cudaMalloc"), ("csrc/attention.cu", 6, "cudaMemset"), ("csrc/attention.cu", 7, "cudaFree")} <= found
    dropped = {(kind, name): count for _, kind, name, count in result.own_names_dropped.itertuples(index=False)}
    assert dropped == {("api", "CUDA_CHECK"): 2, ("module", "flash_attn"): 1, ("module", "flash_attn.attention"): 1, ("module", "flash_attn.interface.attention"): 1}
    assert list(result.own_names_dropped.columns) == list(DROPPED_COLUMNS)
    # The summary counts what is kept.
    assert result.summary.iloc[0]["findings"] == len(result.findings)
    definitions = set(zip(result.definitions.path, result.definitions.kind, result.definitions.name, result.definitions.target))
    assert {("include/cuda_compat.cuh", "alias", "cudaMalloc", "hipMalloc"), ("include/cuda_compat.cuh", "macro", "CUDA_CHECK", ""), ("flash_attn/__init__.py", "package", "flash_attn", "")} <= definitions
    assert {"project": "attnlib", "path": "include/cuda_compat.cuh", "kind": "target-path", "start": 4, "end": 7, "vendor": "amd"} in result.regions.to_dict("records")
    assert "formats" in result.inputs and "test-macros,cxx" in set(result.inputs.formats)


def test_the_stream_and_drop_own_names_apply_the_same_rule(definition_readers, monkeypatch):
    filtered = scan([FIXTURE], ScanOptions(project_name="attnlib", jobs=1, progress=False))

    class Nothing(pipeline.OwnNames):
        def __bool__(self):
            return False  # the stream then sets nothing aside

    monkeypatch.setattr(pipeline, "OwnNames", Nothing)
    raw = scan([FIXTURE], ScanOptions(project_name="attnlib", jobs=1, progress=False))
    assert len(raw.findings) == len(filtered.findings) + int(filtered.own_names_dropped["count"].sum())
    assert drop_own_names(raw.findings, raw.definitions, raw.inputs).equals(filtered.findings)


def test_the_real_cxx_reader_defines_the_macro_and_the_aliases_the_scan_then_sets_aside():
    """End to end with the readers lockin ships (no test reader): CUDA_CHECK,
    defined in the project's own header, is not an NVIDIA API in attention.cu;
    the names the shim maps to HIP stay evidence there (the scoring covers them)."""
    result = scan([FIXTURE], ScanOptions(project_name="attnlib", jobs=1, progress=False))
    definitions = set(zip(result.definitions.path, result.definitions.kind, result.definitions.name, result.definitions.target))
    assert {("include/cuda_compat.cuh", "macro", "CUDA_CHECK", ""), ("include/cuda_compat.cuh", "alias", "cudaMalloc", "hipMalloc")} <= definitions
    names_in_source = set(result.findings.loc[result.findings.path == "csrc/attention.cu", "name"])
    assert "CUDA_CHECK" not in names_in_source
    assert {"cudaMalloc", "cudaFree", "cudaMemset"} <= names_in_source
    dropped = result.own_names_dropped.set_index("name")["count"]
    assert dropped["CUDA_CHECK"] == 2
    assert list(result.own_names_dropped.columns) == list(DROPPED_COLUMNS)
    assert list(result.definitions.columns) == list(DEFINITION_COLUMNS) and list(result.regions.columns) == list(REGION_COLUMNS)


def test_streamed_output_is_the_collected_findings(definition_readers, tmp_path):
    collected = scan([FIXTURE], ScanOptions(project_name="attnlib", jobs=1, progress=False)).findings
    out = tmp_path / "findings.json"
    run = CliRunner().invoke(main, ["scan", str(FIXTURE), "--project", "attnlib", "--format", "json", "--no-progress", "-j", "1", "--out", str(out)])
    assert run.exit_code == 0, run.output
    streamed = pd.DataFrame(json.loads(out.read_text()), columns=list(FINDING_COLUMNS)).astype({"line": "Int64"})
    assert streamed.equals(collected)


def test_workers_set_aside_the_same_names(definition_readers, monkeypatch, tmp_path):
    serial = scan([FIXTURE], ScanOptions(project_name="attnlib", jobs=1, progress=False))
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(pipeline, "WORKER_BATCH", 2)
    parallel = collect(ScanStream([FIXTURE], ScanOptions(project_name="attnlib", jobs=2, progress=False), pipeline.load_catalog()))
    assert parallel.findings.equals(serial.findings)
    assert parallel.definitions.equals(serial.definitions)
    assert parallel.own_names_dropped.equals(serial.own_names_dropped)


def test_definition_names_are_redacted_as_finding_names_are(tmp_path):
    token = "ghp_" + "a1B2" * 9

    def read_secret(text, path):
        result = ReadResult()
        result.define("variable", token, 1)
        result.define("alias", "cudaMalloc", 2, target=token)
        return result

    formats.register(Format("test-secret", read_secret, "test secret", names=("secret.def",)))
    try:
        (tmp_path / "secret.def").write_text("x\n")
        result = scan([tmp_path], ScanOptions(project_name="p", jobs=1, progress=False))
    finally:
        formats.unregister("test-secret")
    shown = result.definitions.to_csv()
    assert token not in shown and set(result.definitions.name) == {"***", "cudaMalloc"}
    assert set(result.definitions.target) == {"", "***"}


def test_the_read_result_helpers_build_the_records():
    result = ReadResult()
    result.define("alias", "cudaMalloc", 6, target="hipMalloc")
    result.region("function", 3, 9)
    assert result.definitions == [Definition("alias", "cudaMalloc", 6, "hipMalloc")]
    assert result.regions == [Region("function", 3, 9, "")]


def test_an_include_of_the_projects_own_header_under_a_vendor_named_folder_is_not_evidence(tmp_path):
    """text-generation-inference's exllamav2 includes its own cuda/q_matrix.cuh: it was an NVIDIA header, rewrite."""
    project = tmp_path / "kernels"
    (project / "ext" / "cuda").mkdir(parents=True)
    (project / "ext" / "cuda" / "q_matrix.cuh").write_text("#pragma once\nstruct QMatrix { int rows; };\n")
    (project / "ext" / "bindings.cpp").write_text('#include "cuda/q_matrix.cuh"\n#include <cuda/std/functional>\n#include <cuda_runtime.h>\n')
    result = scan([project], ScanOptions(project_name="kernels", jobs=1, progress=False))
    includes = set(result.findings.loc[result.findings["kind"] == "include", "name"])
    assert "cuda/q_matrix.cuh" not in includes
    assert {"cuda/std/functional", "cuda_runtime.h"} <= includes
    dropped = result.own_names_dropped
    assert dropped.loc[dropped["kind"] == "include", "name"].tolist() == ["cuda/q_matrix.cuh"]


def test_a_name_qualified_by_the_projects_own_namespace_is_its_own():
    """rocm-examples' tutorials define namespace hip with a check function: hip::check was an AMD API 19 times."""
    findings = findings_frame(("a", "reduce.cpp", 9, "api", "hip::check"), ("a", "reduce.cpp", 10, "api", "hipcub::DeviceReduce"))
    definitions = definitions_frame(("a", "tools.hpp", 3, "namespace", "hip", ""))
    assert own_name_mask(findings, definitions) == [True, False]


def test_a_macro_a_makefile_defines_with_dash_d_is_the_projects_own(tmp_path):
    """nccl-tests defines NCCL_OS_LINUX in src/common.mk: its #ifdefs are no NCCL API."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "make" / "commlib"
    result = scan([fixture], ScanOptions(project_name="commlib", jobs=1, progress=False))
    apis = set(result.findings.loc[result.findings["kind"] == "api", "name"])
    assert "NCCL_PLATFORM_POSIX" not in apis
    assert {"ncclAllReduce", "ncclComm_t", "cudaStream_t"} <= apis
    dropped = result.own_names_dropped
    assert dropped.loc[dropped["name"] == "NCCL_PLATFORM_POSIX", "count"].tolist() == [2]


def test_a_package_finding_that_installs_the_projects_own_package_is_dropped():
    findings = findings_frame(
        ("a", "training/Dockerfile", 9, "package", "flash-attn"),
        ("a", "training/Dockerfile", 10, "package", "flash-attn-cuda"),  # another distribution
        ("a", "requirements.txt", 1, "package", "triton"),
        ("b", "Dockerfile", 3, "package", "flash-attn"),  # another project installs it: a dependency
    )
    definitions = definitions_frame(("a", "flash_attn/__init__.py", None, "package", "flash_attn", ""))
    assert kept(findings, definitions) == [
        ("a", "training/Dockerfile", "package", "flash-attn-cuda"),
        ("a", "requirements.txt", "package", "triton"),
        ("b", "Dockerfile", "package", "flash-attn"),
    ]


def test_the_scan_drops_the_project_installing_itself_in_its_image(tmp_path):
    project = tmp_path / "attn"
    (project / "flash_attn").mkdir(parents=True)
    (project / "flash_attn" / "__init__.py").write_text("import torch\n")
    (project / "docker").mkdir()
    (project / "docker" / "Dockerfile").write_text(
        "FROM nvcr.io/nvidia/pytorch:24.05-py3\nRUN pip install flash-attn==2.6.3 cupy-cuda12x\n"
    )
    result = scan([project], ScanOptions(project_name="attn", jobs=1, progress=False))
    packages = set(result.findings.loc[result.findings["kind"] == "package", "name"])
    assert "flash-attn" not in packages
    assert "cupy-cuda12x" in packages
