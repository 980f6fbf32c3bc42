"""Go sources: import paths and the cgo preamble, found by a token scan."""

from __future__ import annotations

from pathlib import Path

from lockin.source.golang import scan_go

FIXTURE = Path(__file__).parents[1] / "fixtures" / "languages" / "go-plugin"


def evidence(result, kind):
    return [(e.name, e.line, e.ecosystem) for e in result.evidence if e.kind == kind]


def test_imports_are_modules_at_their_lines_and_comments_or_strings_are_not():
    result = scan_go((FIXTURE / "cmd" / "plugin" / "main.go").read_text(), "main.go")
    assert evidence(result, "module") == [
        ("fmt", 5, "go"),
        ("os", 6, "go"),
        ("github.com/NVIDIA/go-nvlib/pkg/nvlib/device", 9, "go"),  # aliased import
        ("github.com/NVIDIA/go-nvml/pkg/nvml", 10, "go"),
        ("example.com/gpu-plugin/internal/gpu", 12, "go"),
    ]
    # A commented-out import and an import inside a raw string constant are not imports.
    assert not any("amdsmi" in e.name or "go-dcgm" in e.name for e in result.evidence)
    assert result.problems == []


def test_cgo_preamble_gives_includes_link_flags_and_the_c_calls():
    result = scan_go((FIXTURE / "internal" / "gpu" / "driver.go").read_text(), "driver.go")
    assert evidence(result, "include") == [("cuda.h", 5, "cuda"), ("nvml.h", 6, "cuda")]
    assert evidence(result, "build") == [("link=cuda", 4, "cgo"), ("link=nvidia-ml", 4, "cgo")]
    calls = [name for name, _, _ in evidence(result, "api")]
    assert calls == ["int", "cuInit", "CUDA_SUCCESS", "cuDeviceGetCount"]


def test_single_import_forms_and_a_preamble_apart_from_import_c():
    text = (
        "package p\n"
        "// #include <nvml.h>\n"
        "\n"  # a blank line: this comment is not the cgo preamble
        'import "C"\n'
        "import . \"github.com/NVIDIA/go-nvml/pkg/nvml\"\n"
        "import _ `github.com/NVIDIA/go-gpuallocator/gpuallocator`\n"
        "func f() { C.nvmlInit_v2() }\n"
        'var s = "import \\"github.com/x/y\\""\n'
    )
    result = scan_go(text, "p.go")
    assert evidence(result, "module") == [
        ("github.com/NVIDIA/go-nvml/pkg/nvml", 5, "go"),
        ("github.com/NVIDIA/go-gpuallocator/gpuallocator", 6, "go"),
    ]
    assert evidence(result, "include") == []
    assert evidence(result, "api") == [("nvmlInit_v2", 7, "cuda")]


def test_a_hip_preamble_makes_the_c_calls_hip():
    text = 'package p\n\n// #include <hip/hip_runtime.h>\n// #cgo LDFLAGS: -lamdhip64\nimport "C"\n\nfunc f() { C.hipInit(0) }\n'
    result = scan_go(text, "p.go")
    assert evidence(result, "include") == [("hip/hip_runtime.h", 3, "hip")]
    assert evidence(result, "api") == [("hipInit", 7, "hip")]
    assert evidence(result, "build") == [("link=amdhip64", 4, "cgo")]


def test_an_import_string_never_closed_is_a_problem_with_its_line():
    result = scan_go('package p\n\nimport (\n\t"fmt\n)\n', "p.go")
    assert [(p.line, p.message) for p in result.problems] == [(4, "import path string is never closed")]


def test_programs_started_with_exec_command_are_tools():
    result = scan_go((FIXTURE / "internal" / "gpu" / "smi.go").read_text(), "smi.go")
    # A literal, a constant of the file (raw string, path dropped) or a local := name; comments start nothing.
    assert evidence(result, "api") == [("nvidia-smi", 16, "tool"), ("rocm-smi", 23, "tool"), ("nvidia-cuda-mps-control", 24, "tool")]
