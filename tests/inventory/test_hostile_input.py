"""Regression tests of issue 18: inputs that hung, exhausted memory or crashed an inventory reader.

Each input is minimised from a fuzzing find and made big enough that the
old code ran for minutes (quadratic regexes, a search per SBOM member) or
took gigabytes (a long dotted TOML key); the tests assert on the result
only, so a quadratic path shows up as a test run that does not end.
"""

from __future__ import annotations

import json

import pytest

from lockin.inventory.dockerfile import read_dockerfile
from lockin.inventory.makefile import read_makefile
from lockin.inventory.locks import read_poetry_lock
from lockin.inventory.pip import read_requirements
from lockin.inventory.pyproject import read_pyproject
from lockin.inventory.sbom import read_cyclonedx
from lockin.inventory.shellscript import CommandReader
from lockin.inventory.templates import PLACEHOLDER, blank_template
from lockin.parsebounds import MAX_DOTTED_PARTS
from lockin.records import InputError, ReadResult

#: More digits than Python's int() converts (4,300).
LONG_NUMBER = "1" * 5000


def packages(result):
    return [(e.name, e.line, e.spec) for e in result.evidence if e.kind == "package"]


# --- quadratic patterns ----------------------------------------------------------------


def test_requirement_with_a_long_run_of_blanks_is_read_in_linear_time():
    # The comment pattern (^|\s+)#.*$ re-read the blanks from each one: 40,000 took 6 s, these minutes.
    result = read_requirements("numpy" + " " * 300_000 + "x\ntorch==2.3.1  # pinned\n", "requirements.txt")
    assert packages(result) == [("torch", 2, "==2.3.1")]
    assert [p.line for p in result.problems] == [1]


def test_unclosed_template_tags_are_blanked_in_linear_time():
    # '{{' without '}}' was searched to the end from every '{{' (40,000: 6 s).
    text = "image: nvcr.io/nvidia/pytorch:{{ .Values.tag }}\nx: " + "{{{%{#" * 40_000 + "\n"
    lines = blank_template(text).split("\n")
    assert lines[0] == "image: nvcr.io/nvidia/pytorch:" + PLACEHOLDER
    assert lines[1].startswith("x: {{{%{#")


def test_unclosed_shell_default_is_expanded_in_linear_time():
    # '${a-' without '}' was read to the end from every '${' (20,000: 14 s). The
    # readers' word splitting rejects such a word today; expansion must not rely on it.
    reader = CommandReader(ReadResult(), "run.sh", [], "shell")
    text = "$HOME/" + "${a-" * 100_000
    assert reader.substitute(text, {"HOME": "/root"}, 1) == "/root/" + "${a-" * 100_000


def test_dockerfile_directive_with_blanks_inside_its_value_is_read_in_linear_time():
    # '(.*?)\s*$' tried the trailing blanks from every blank in the value (20,000: 1.2 s).
    text = "# syntax=docker/dockerfile:1" + " " * 200_000 + "x\nFROM nvcr.io/nvidia/cuda:12.4.1-devel-ubuntu22.04\n"
    result = read_dockerfile(text, "Dockerfile")
    assert [(e.kind, e.line, e.text) for e in result.evidence if e.kind == "image"] == [
        ("image", 2, "FROM nvcr.io/nvidia/cuda:12.4.1-devel-ubuntu22.04")
    ]


def test_unclosed_make_function_is_dropped_in_linear_time():
    # '$(' without ')' was read to the end from each one.
    text = "NVCC := nvcc\nall:\n\t$(NVCC) -arch=sm_80 " + "$(" * 500_000 + "\n"
    result = read_makefile(text, "Makefile")
    assert [(e.name, e.line) for e in result.evidence] == [("compiler=nvcc", 1)]
    assert [(p.line, p.message) for p in result.problems] == [(3, "recipe: '$(' is never closed")]


def test_sbom_member_lines_are_found_in_one_pass():
    # Each component's line was a search of the whole text (6,000 components: 6 s).
    components = [{"type": "library", "name": f"p{i}", "version": "1", "purl": f"pkg:pypi/p{i}@1"} for i in range(30_000)]
    text = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components}, indent=1)
    result = read_cyclonedx(text, "bom.cdx.json")
    found = packages(result)
    assert len(found) == 30_000
    # json.dumps(indent=1) writes each component in 6 lines from line 5: its purl on its 5th.
    assert found[0] == ("p0", 9, "1") and found[-1] == ("p29999", 9 + 6 * 29_999, "1")


# --- memory: dotted names -----------------------------------------------------------------


def test_a_toml_key_of_too_many_parts_is_refused_before_parsing():
    # tomllib builds each prefix of 'a.a.a…': 35,000 parts took 20 s and 2.8 GB.
    text = "[project]\nname = 'x'\n" + "a" + ".a" * 35_000 + " = 1\n"
    with pytest.raises(InputError) as error:
        read_pyproject(text, "pyproject.toml")
    assert error.value.problem.line == 3
    assert "35,001 parts" in error.value.problem.message


def test_a_toml_key_at_the_bound_is_read():
    text = "[project]\nname = 'x'\n[tool.x]\n" + "a" + ".a" * (MAX_DOTTED_PARTS - 1) + " = 1\n"
    assert read_pyproject(text, "pyproject.toml").problems == []


# --- crashes: numbers int() refuses ------------------------------------------------------


def test_a_local_version_of_too_many_digits_is_a_plain_label():
    result = read_requirements(f"torch==2.3.1+{LONG_NUMBER}\n", "requirements.txt")
    assert ("local-version:" + LONG_NUMBER, 1, "2.3.1+" + LONG_NUMBER) in packages(result)


def test_a_version_of_too_many_digits_is_still_the_pin():
    result = read_requirements(f"torch=={LONG_NUMBER}+cu121\n", "requirements.txt")
    assert [name for name, _, _ in packages(result)] == ["torch", "local-version:cu121"]


def test_a_wheel_name_with_a_version_of_too_many_digits_is_a_problem():
    result = read_requirements(f"https://example.org/whl/torch-{LONG_NUMBER}-py3-none-any.whl\n", "requirements.txt")
    assert packages(result) == []
    assert [p.line for p in result.problems] == [1]


def test_a_toml_number_of_too_many_digits_is_a_problem_at_its_line():
    with pytest.raises(InputError) as error:
        read_pyproject(f"[project]\nname = 'x'\n[tool.x]\nn = {LONG_NUMBER}\n", "pyproject.toml")
    assert error.value.problem.line == 4
    assert "4,300 digits" in error.value.problem.message


def test_a_json_number_of_too_many_digits_is_a_problem_at_its_line():
    text = '{"bomFormat": "CycloneDX",\n "specVersion": "1.5",\n "serialNumber": ' + LONG_NUMBER + "}\n"
    with pytest.raises(InputError) as error:
        read_cyclonedx(text, "bom.cdx.json")
    assert error.value.problem.line == 3
    assert "invalid JSON" in error.value.problem.message


# --- a search per table or key -----------------------------------------------------------


def test_lock_file_package_lines_are_found_without_a_search_per_package():
    # Each [[package]]'s header was found by walking all headers (8,000 packages: 5 s).
    lock = "".join(f'[[package]]\nname = "p{i}"\nversion = "1.0"\n\n' for i in range(40_000))
    found = packages(read_poetry_lock(lock, "poetry.lock"))
    assert len(found) == 40_000
    assert found[-1][:2] == ("p39999", 4 * 39_999 + 2)


def test_pyproject_dependency_keys_are_found_without_a_search_per_key():
    # Each key's line was a scan of its table (8,000 keys: 7 s).
    keys = "".join(f'q{i} = "1"\n' for i in range(40_000))
    found = packages(read_pyproject("[tool.poetry]\nname = 'x'\n[tool.poetry.dependencies]\n" + keys, "pyproject.toml"))
    assert len(found) == 40_000
    assert found[-1][:2] == ("q39999", 40_003)


def test_a_long_run_without_a_namespace_separator_in_a_cmake_link_line_is_linear():
    """Found by the fuzzer: `a-a-a-…` in target_link_libraries was read once per position."""
    from lockin.inventory.cmake import read_cmake

    result = read_cmake("target_link_libraries(x " + "a-" * 400_000 + " CUDA::cublas 3rd.x::y 9::z)\n", "CMakeLists.txt")
    names = {e.name for e in result.evidence}
    assert "cmake:target=CUDA::cublas" in names and "cmake:target=rd.x::y" in names
    assert not any(name.startswith("cmake:target=9") for name in names)


def test_an_unclosed_quote_before_many_lines_is_read_once():
    """Found by the fuzzer: a line of quotes that never closes made the shell reader split the
    growing command again at each of the next 500 lines; it now reads on to a line that can close it."""
    from lockin.inventory.shellscript import read_shell_script

    text = "'" * 80_001 + "\n" + "pip install cupy-cuda12x\n" * 2_000
    result = read_shell_script(text, "setup.sh")
    assert any("never closed" in p.message for p in result.problems)
    assert "cupy-cuda12x" in {e.name for e in result.evidence}
