"""Tests of the lock file readers: poetry.lock, Pipfile.lock, uv.lock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from lockin.inventory.locks import read_pipfile_lock, read_poetry_lock, read_uv_lock
from lockin.records import InputError, ReadResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"


def rows(result: ReadResult, kind: str = "package") -> list[tuple[str, int | None, str]]:
    return [(e.name, e.line, e.spec) for e in result.evidence if e.kind == kind]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_poetry_lock():
    result = read_poetry_lock(fixture("poetry.lock"), "poetry.lock")
    assert rows(result) == [
        ("apex", 4, "0.1"),
        ("filelock", 19, "3.15.4"),
        ("nvidia-cublas-cu12", 34, "12.1.3.1"),
        ("torch", 49, "2.3.1+cu121"),
        ("local-version:cu121", 49, "2.3.1+cu121"),
        ("triton", 73, "2.3.1"),
    ]
    # The cu121 index is used by two packages but reported once, at its first use.
    assert rows(result, "index") == [
        ("https://download.pytorch.org/whl/cu121", 45, ""),
        ("https://pypi.internal.example.com/simple", 87, ""),
    ]
    assert {e.ecosystem for e in result.evidence} == {"pypi"}
    assert result.problems == []
    assert result.evidence[0].text == 'name = "apex"'


def test_pipfile_lock():
    result = read_pipfile_lock(fixture("Pipfile.lock"), "Pipfile.lock")
    assert rows(result, "index") == [("https://pypi.org/simple", 13, ""), ("https://download.pytorch.org/whl/cu118", 18, "")]
    assert rows(result) == [
        ("cupy-cuda11x", 24, "==13.2.0"),
        ("fastrlock", 32, "==0.8.2"),
        ("index", 38, "==0.1"),  # a package named like a field: found by its opening brace
        ("torch", 42, "==2.2.2+cu118"),
        ("local-version:cu118", 42, "2.2.2+cu118"),
        ("trainkit", 49, "git+https://github.com/acme-ml/trainkit.git@9b1e2f3a4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f"),
        ("pytest", 55, "==8.2.2"),
    ]
    assert result.problems == []


def test_uv_lock():
    result = read_uv_lock(fixture("uv.lock"), "uv.lock")
    assert rows(result) == [
        ("filelock", 9, "3.15.4"),
        ("flash-attn", 18, "2.5.9.post1"),
        ("nvidia-cudnn-cu12", 27, "8.9.2.26"),
        ("torch", 35, "2.3.1+cu121"),
        ("local-version:cu121", 35, "2.3.1+cu121"),
        ("torchvision", 47, "0.18.1+cu121"),
        ("local-version:cu121", 47, "0.18.1+cu121"),
    ]
    # Registry once per distinct URL; the project itself (editable ".") is not a dependency.
    assert rows(result, "index") == [("https://pypi.org/simple", 11, ""), ("https://download.pytorch.org/whl/cu121", 37, "")]
    assert "vision-trainer" not in [name for name, _, _ in rows(result)]


@pytest.mark.parametrize("reader", [read_poetry_lock, read_uv_lock])
def test_toml_locks_syntax_error(reader):
    with pytest.raises(InputError) as caught:
        reader('[[package]]\nname = "torch"\nversion = 2.3.1\n', "x.lock")
    assert caught.value.problem.line == 3


@pytest.mark.parametrize("reader", [read_poetry_lock, read_uv_lock])
def test_toml_locks_wrong_shape(reader):
    with pytest.raises(InputError, match="array of tables"):
        reader('package = "torch"\n', "x.lock")
    result = reader('[[package]]\nversion = "1.0"\n\n[[package]]\nname = "numpy"\nversion = "1.26.4"\n', "x.lock")
    assert rows(result) == [("numpy", 5, "1.26.4")]
    assert [(p.line, p.message) for p in result.problems] == [(1, "package #1 has no name")]


def test_pipfile_lock_errors():
    with pytest.raises(InputError) as caught:
        read_pipfile_lock('{\n  "default": {\n    "torch": {"version": "==2.3.1",}\n  }\n}\n', "Pipfile.lock")
    assert caught.value.problem.line == 3
    assert "invalid JSON" in caught.value.problem.message
    with pytest.raises(InputError, match="JSON object"):
        read_pipfile_lock("[]", "Pipfile.lock")
    result = read_pipfile_lock('{"default": [], "develop": {"x": 3, "numpy": {"version": "==1.26.4"}}}', "Pipfile.lock")
    assert rows(result) == [("numpy", 1, "==1.26.4")]
    assert len(result.problems) == 2


def test_minified_pipfile_lock_is_all_line_one():
    data = json.loads(fixture("Pipfile.lock"))
    result = read_pipfile_lock(json.dumps(data), "Pipfile.lock")
    assert {e.line for e in result.evidence} == {1}
    assert len(rows(result)) == 7


# --- properties ---------------------------------------------------------------------


@settings(max_examples=300)
@given(st.text())
def test_arbitrary_text_only_input_errors(text):
    for reader in (read_poetry_lock, read_pipfile_lock, read_uv_lock):
        try:
            reader(text, "x.lock")
        except InputError:
            pass


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["poetry.lock", "Pipfile.lock", "uv.lock"]), st.data())
def test_mutated_fixtures_only_input_errors(name, data):
    reader = {"poetry.lock": read_poetry_lock, "Pipfile.lock": read_pipfile_lock, "uv.lock": read_uv_lock}[name]
    text = fixture(name)
    position = data.draw(st.integers(0, len(text)))
    mutated = text[:position] + data.draw(st.text(max_size=6)) + text[position + data.draw(st.integers(0, 8)) :]
    try:
        reader(mutated, name)
    except InputError:
        pass


NAMES = st.from_regex(r"[a-z]([a-z0-9_-]{0,12}[a-z0-9])?", fullmatch=True)
VERSIONS = st.tuples(
    st.lists(st.integers(0, 99), min_size=1, max_size=4).map(lambda p: ".".join(map(str, p))),
    st.sampled_from(["", "+cu121", "+rocm6.1", "+cpu"]),
).map("".join)


@settings(max_examples=150)
@given(st.lists(st.tuples(NAMES, VERSIONS), max_size=10))
def test_generated_uv_lock_comes_back_with_names_and_lines(packages):
    lines = ["version = 1", 'requires-python = ">=3.10"', ""]
    expected = []
    for name, version in packages:
        lines += ["[[package]]", f'name = "{name}"', f'version = "{version}"', 'source = { registry = "https://pypi.org/simple" }', ""]
        expected.append((str(canonicalize_name(name)), len(lines) - 3))
        if "+" in version:
            expected.append((f"local-version:{version.split('+')[1]}", len(lines) - 3))
    result = read_uv_lock("\n".join(lines), "uv.lock")
    assert [(e.name, e.line) for e in result.evidence if e.kind == "package"] == expected
    assert len(rows(result, "index")) == (1 if packages else 0)
