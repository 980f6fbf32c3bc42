"""Tests for the CMake reader (lockin.inventory.cmake)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockin.inventory.cmake import read_cmake, tokenize
from lockin.records import InputError, ReadResult

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "platform"


def evidence(result):
    return [(e.name, e.line, e.spec) for e in result.evidence]


@pytest.fixture(scope="module")
def lists():
    return read_cmake((FIXTURES / "CMakeLists.txt").read_text(), "CMakeLists.txt")


def test_all_evidence_is_build_in_cmake_ecosystem(lists):
    assert {(e.kind, e.ecosystem) for e in lists.evidence} == {("build", "cmake")}
    assert lists.problems == []


def test_languages_from_project_enable_language_and_source_properties(lists):
    found = evidence(lists)
    assert ("cmake:language=CXX", 6, "") in found
    assert ("cmake:language=CUDA", 6, "") in found
    assert ("cmake:language=HIP", 19, "") in found
    assert ("cmake:language=HIP", 23, "") in found


def test_bracket_comment_is_skipped(lists):
    assert all(e.line not in (2, 3) for e in lists.evidence)


def test_find_package_every_package_with_version(lists):
    packages = [f for f in evidence(lists) if f[0].startswith("cmake:find_package=")]
    assert packages == [
        ("cmake:find_package=CUDAToolkit", 13, "12.1"),
        ("cmake:find_package=NCCL", 14, ""),
        ("cmake:find_package=Torch", 15, ""),
        ("cmake:find_package=Python3", 16, ""),
        ("cmake:find_package=hip", 20, ""),
        ("cmake:find_package=rocblas", 21, ""),
    ]


def test_gpu_variables_and_architectures(lists):
    found = evidence(lists)
    assert ("cmake:var=CMAKE_CUDA_ARCHITECTURES", 9, "80;90a") in found
    assert ("arch=sm_80", 9, "sm_80") in found
    assert ("arch=sm_90a", 9, "sm_90a") in found
    assert not any(name == "cmake:var=WITH_CUDA_GRAPHS" for name, _, _ in found)  # the project's own switch
    assert ("cmake:var=CUDA_NVCC_FLAGS", 11, "-gencode arch=compute_80,code=sm_80;--use_fast_math") in found
    assert ("arch=compute_80", 11, "compute_80") in found
    assert ("arch=sm_80", 11, "sm_80") in found
    assert ("cmake:var=CMAKE_HIP_ARCHITECTURES", 22, "gfx942;gfx90a") in found
    assert ("arch=gfx942", 22, "gfx942") in found
    assert ("arch=gfx90a", 22, "gfx90a") in found


def test_compile_options_target_properties_and_legacy_commands(lists):
    found = evidence(lists)
    assert ("arch=sm_90a", 30, "sm_90a") in found  # inside a generator expression
    assert ("arch=sm_80", 39, "sm_80") in found  # CUDA_ARCHITECTURES 80-real
    assert ("arch=compute_90", 39, "compute_90") in found  # 90-virtual
    assert ("cmake:command=cuda_add_library", 40, "") in found
    assert ("arch=sm_70", 40, "sm_70") in found
    # message() text is not a build flag.
    assert not any(name == "arch=sm_50" for name, *_ in found)


def test_imported_targets(lists):
    targets = [f for f in evidence(lists) if f[0].startswith("cmake:target=")]
    assert targets == [
        ("cmake:target=CUDA::cudart", 33, ""),
        ("cmake:target=CUDA::cublas", 34, ""),
        ("cmake:target=roc::rocblas", 36, ""),
    ]


def test_commands_are_case_insensitive_and_keyword_arguments():
    text = "PROJECT(x LANGUAGES C HIP DESCRIPTION \"y\")\nEnable_Language(CUDA OPTIONAL)\nFIND_PACKAGE(hipblaslt CONFIG)\n"
    assert evidence(read_cmake(text, "x.cmake")) == [
        ("cmake:language=C", 1, ""),
        ("cmake:language=HIP", 1, ""),
        ("cmake:language=CUDA", 2, ""),
        ("cmake:find_package=hipblaslt", 3, ""),
    ]


def test_set_with_cache_and_string_append():
    text = 'set(CMAKE_CUDA_ARCHITECTURES "native" CACHE STRING "GPU archs")\nstring(APPEND CMAKE_CUDA_FLAGS " -gencode arch=compute_90a,code=sm_90a")\nset(AMDGPU_TARGETS gfx942)\n'
    assert evidence(read_cmake(text, "x.cmake")) == [
        ("cmake:var=CMAKE_CUDA_ARCHITECTURES", 1, "native"),
        ("cmake:var=CMAKE_CUDA_FLAGS", 2, " -gencode arch=compute_90a,code=sm_90a"),
        ("arch=compute_90a", 2, "compute_90a"),
        ("arch=sm_90a", 2, "sm_90a"),
        ("arch=gfx942", 3, "gfx942"),
    ]


def test_arguments_spanning_lines_keep_their_own_lines():
    text = "target_link_libraries(k\n  PUBLIC\n    hip::device\n    \"roc::hipblas\"\n    [[CUDA::nvrtc]])\n"
    assert evidence(read_cmake(text, "x.cmake")) == [
        ("cmake:target=hip::device", 3, ""),
        ("cmake:target=roc::hipblas", 4, ""),
        ("cmake:target=CUDA::nvrtc", 5, ""),
    ]


def test_tokenizer_nested_parentheses_quotes_and_brackets():
    text = 'if((A AND B) OR C)\nset(X "a (b) \\"c\\"" [=[d ]] e]=])\nendif()\n'
    commands = tokenize(text, "x", ReadResult())
    assert [(c.name, c.line, c.values()) for c in commands] == [
        ("if", 1, ["A", "AND", "B", "OR", "C"]),
        ("set", 2, ["X", 'a (b) "c"', "d ]] e"]),
        ("endif", 3, []),
    ]


def test_unclosed_command_is_input_error_at_its_line():
    text = "project(x)\n\nfind_package(CUDAToolkit REQUIRED\nenable_language(CUDA)\n"
    with pytest.raises(InputError) as info:
        read_cmake(text, "CMakeLists.txt")
    assert info.value.problem.line == 3
    assert "find_package" in info.value.problem.message


def test_unclosed_quote_and_bracket_comment_are_input_errors():
    with pytest.raises(InputError) as info:
        read_cmake('set(A 1)\nmessage("oops)\n', "x.cmake")
    assert info.value.problem.line == 2
    with pytest.raises(InputError) as info:
        read_cmake("set(A 1)\n\n#[==[ never closed ]]\n", "x.cmake")
    assert info.value.problem.line == 3


def test_stray_text_is_a_problem_and_reading_goes_on():
    text = "project(x CUDA)\n)\nthis is not cmake\nfind_package(NCCL)\n"
    result = read_cmake(text, "x.cmake")
    assert [p.line for p in result.problems] == [2, 3]
    assert evidence(result) == [("cmake:language=CUDA", 1, ""), ("cmake:find_package=NCCL", 4, "")]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises_anything_but_input_error(text):
    try:
        read_cmake(text, "x.cmake")
    except InputError:
        pass


_cmake_alphabet = st.sampled_from(list('abc()"[]=#;\\$<>{}: \n\t') + ["#[[", "]]", "set(", "find_package(", "CUDA", "-arch=sm_80"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_cmake_alphabet, max_size=60).map("".join))
def test_cmake_like_text_never_raises_anything_but_input_error(text):
    try:
        result = read_cmake(text, "x.cmake")
    except InputError as exc:
        assert exc.problem.line is None or 1 <= exc.problem.line <= text.count("\n") + 1
        return
    assert all(1 <= e.line <= text.count("\n") + 1 for e in result.evidence)


_package = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,10}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_package, st.integers(0, 3), st.booleans()), min_size=1, max_size=8))
def test_generated_find_packages_come_back_on_their_lines(entries):
    lines: list[str] = []
    expected = []
    for package, blank_lines, split in entries:
        lines.extend(["# filler"] * blank_lines)
        if split:
            lines.extend(["find_package(", f"  {package}", "  REQUIRED)"])
            expected.append((f"cmake:find_package={package}", len(lines) - 1, ""))
        else:
            lines.append(f"find_package({package} REQUIRED)")
            expected.append((f"cmake:find_package={package}", len(lines), ""))
    assert evidence(read_cmake("\n".join(lines) + "\n", "x.cmake")) == expected


def test_fixture_reports_each_piece_of_evidence_once(lists):
    keys = [(e.name, e.line) for e in lists.evidence]
    assert len(keys) == len(set(keys)) == 28


def test_the_projects_own_gpu_named_variables_are_not_toolkit_settings():
    text = """\
option(MYLIB_USE_CUDA "Build the CUDA backend" OFF)
if(COMPUTE_BACKEND STREQUAL "hip")
    set(BUILD_CUDA OFF)
    set(ROCM_ROOT "/opt/rocm" CACHE PATH "ROCm install")
endif()
file(GLOB MYLIB_SOURCES_CUDA "*.cu")
list(APPEND MYLIB_SOURCES_CUDA ${EXTRA})
set(CUDA_FLAGS -use_fast_math -Xcompiler=-Wall)
set(TORCH_CUDA_ARCH_LIST "8.0")
string(APPEND CMAKE_HIP_FLAGS " -O3")
"""
    names = [(name, line) for name, line, _ in evidence(read_cmake(text, "CMakeLists.txt")) if name.startswith("cmake:var=")]
    assert names == [
        ("cmake:var=ROCM_ROOT", 4),
        ("cmake:var=CUDA_FLAGS", 8),
        ("cmake:var=TORCH_CUDA_ARCH_LIST", 9),
        ("cmake:var=CMAKE_HIP_FLAGS", 10),
    ]
