"""Tests for the Makefile reader (lockin.inventory.makefile)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockin.inventory.makefile import read_makefile
from lockin.records import InputError

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "make" / "Makefile"


@pytest.fixture(scope="module")
def makefile():
    return read_makefile(FIXTURE.read_text(), "Makefile")


def found(result, kind=None):
    return [(e.kind, e.name, e.line, e.ecosystem) for e in result.evidence if kind is None or e.kind == kind]


def test_compilers_from_assignments_and_recipes(makefile):
    compilers = [(name, line) for _, name, line, _ in found(makefile, "build") if name.startswith("compiler=")]
    # NVCC ?= …/nvcc, HIPCC = hipcc, and the recipes that run them; the define body is not read.
    assert compilers == [("compiler=nvcc", 3), ("compiler=hipcc", 4), ("compiler=nvcc", 18), ("compiler=hipcc", 21)]


def test_architecture_flags_each_on_its_own_line(makefile):
    arches = [(name, line) for _, name, line, _ in found(makefile, "build") if name.startswith("arch=")]
    assert arches == [("arch=compute_80", 6), ("arch=sm_80", 6), ("arch=compute_90a", 7), ("arch=sm_90a", 7), ("arch=gfx942", 21)]


def test_gpu_libraries_linked_but_not_system_ones(makefile):
    links = [(name, line) for _, name, line, _ in found(makefile, "build") if name.startswith("link=")]
    assert links == [("link=cudart", 8), ("link=cublas", 8), ("link=cublasLt", 8), ("link=nccl", 9), ("link=rocblas", 22)]


def test_toolkit_location_and_vendor_tools(makefile):
    assert found(makefile, "env") == [("env", "CUDA_HOME", 2, "make")]
    assert found(makefile, "api") == [("api", "nvidia-smi", 5, "tool"), ("api", "nvidia-smi", 25, "tool")]
    assert makefile.problems == []


def test_recipe_with_an_unclosed_quote_names_its_line():
    result = read_makefile('all:\n\techo "oops\n\tnvcc -arch=sm_80 x.cu\n', "Makefile")
    assert [(p.line, "never closed" in p.message) for p in result.problems] == [(2, True)]
    assert ("build", "arch=sm_80", 3, "make") in found(result)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab$()={}:?+\\\t\n #'\"") + ["nvcc ", "-lcudart", "define ", "endef", "$(shell "]), max_size=40))
def test_arbitrary_text_never_raises_anything_but_input_error(pieces):
    try:
        read_makefile("".join(pieces), "Makefile")
    except InputError:
        pass


def test_compiler_found_with_which_names_it_in_recipes_too():
    text = "NVCC := $(shell which nvcc 2>/dev/null)\nall: x.cu\n\t$(NVCC) $(NVCC_FLAGS) -o x x.cu\n"
    result = read_makefile(text, "Makefile")
    assert found(result) == [("build", "compiler=nvcc", 1, "make"), ("build", "compiler=nvcc", 3, "make")]


def test_tab_indented_make_code_outside_rules_is_not_a_recipe():
    text = 'ifeq ($(RT), CUDA)\n\tCXX = nvcc\nelse\n\t$(error RT is "$(RT)". Use CUDA or HIP)\nendif\nall:\n\t$(CXX) -o x x.cu\n'
    result = read_makefile(text, "Makefile")
    assert result.problems == []
    assert found(result) == [("build", "compiler=nvcc", 2, "make"), ("build", "compiler=nvcc", 7, "make")]


def test_dash_d_flags_define_the_projects_macros_but_not_reserved_names():
    text = "CXXFLAGS += -DNCCL_PLATFORM_POSIX\nNVCUFLAGS += -DBENCH_ITERS=20 \\\n  -D__HIP_PLATFORM_AMD__ -DNDEBUG\n"
    result = read_makefile(text, "src/platform.mk")
    assert [(d.kind, d.name, d.line) for d in result.definitions] == [
        ("macro", "NCCL_PLATFORM_POSIX", 1),
        ("macro", "BENCH_ITERS", 2),
        ("macro", "NDEBUG", 3),
    ]
