"""Tests for the shell-script reader (lockin.inventory.shellscript)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockin.inventory.shellscript import read_shell_script
from lockin.records import InputError

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "shell" / "setup-node.sh"


@pytest.fixture(scope="module")
def script():
    return read_shell_script(FIXTURE.read_text(), "setup-node.sh")


def found(result, kind):
    return [(e.name, e.line, e.ecosystem, e.spec) for e in result.evidence if e.kind == kind]


def test_vendor_tools_run_by_name_once_per_line_even_inside_strings(script):
    # Line 13 runs nvidia-smi inside "$(…)" in a string spanning two lines; the heredoc body (line 19) is data.
    assert [(n, line) for n, line, _, _ in found(script, "api")] == [("nvidia-smi", 6), ("nvidia-smi", 13), ("rocm-smi", 17), ("dcgmi", 21)]
    assert {eco for _, _, eco, _ in found(script, "api")} == {"tool"}


def test_system_and_pip_packages_with_shell_variables_expanded(script):
    assert found(script, "package") == [
        ("cuda-toolkit-12-4", 8, "deb", ""),
        ("nvidia-container-toolkit", 9, "deb", ""),
        ("datacenter-gpu-manager", 10, "rpm", ""),
        ("torch", 11, "pypi", "==2.3.1+cu121"),
        ("local-version:cu121", 11, "pypi", "2.3.1+cu121"),
        ("cupy-cuda12x", 11, "pypi", ""),
        ("nvidia-container-toolkit-base", 22, "deb", ""),  # run inside a container by 'docker exec … bash -c'
    ]
    assert found(script, "index") == [("https://download.pytorch.org/whl/cu121", 11, "pypi", "")]


def test_exports_images_and_compiler(script):
    assert found(script, "env") == [("CUDA_VISIBLE_DEVICES", 12, "shell", "0,1"), ("NCCL_DEBUG", 12, "shell", "INFO")]
    assert found(script, "image") == [("nvcr.io/nvidia/pytorch:24.05-py3", 15, "docker", "24.05-py3")]
    assert [(n, line) for n, line, _, _ in found(script, "build")] == [("arch=compute_90a", 16), ("arch=sm_90a", 16), ("compiler=nvcc", 16)]
    assert script.problems == []


def test_unclosed_quote_is_a_problem_and_later_lines_are_read():
    result = read_shell_script("echo 'oops\nnvidia-smi\n", "x.sh")
    assert [(p.path, p.line, p.message) for p in result.problems] == [("x.sh", 1, "a single quote is never closed")]
    assert found(result, "api") == [("nvidia-smi", 2, "tool", "")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab$(){}'\"`\\\n #|&;<>=") + ["nvidia-smi ", "<<EOF\n", "EOF\n", "pip install ", "$(", "export "]), max_size=40))
def test_arbitrary_text_never_raises_anything_but_input_error(pieces):
    try:
        read_shell_script("".join(pieces), "x.sh")
    except InputError:
        pass


def test_looking_a_tool_up_is_needing_it():
    result = read_shell_script("which nvcc >/dev/null || exit 1\ntype nvidia-smi\nwhich python\n", "x.sh")
    assert [(e.kind, e.name, e.line) for e in result.evidence] == [("build", "compiler=nvcc", 1), ("api", "nvidia-smi", 2)]
