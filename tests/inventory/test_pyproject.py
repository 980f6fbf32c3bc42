"""Tests of the pyproject.toml and Pipfile readers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from lockin.inventory.pyproject import TomlLocator, read_pipfile, read_pyproject
from lockin.records import InputError, ReadResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"


def rows(result: ReadResult, kind: str = "package") -> list[tuple[str, int | None, str]]:
    return [(e.name, e.line, e.spec) for e in result.evidence if e.kind == kind]


@pytest.fixture(scope="module")
def pyproject() -> ReadResult:
    return read_pyproject((FIXTURES / "pyproject.toml").read_text(encoding="utf-8"), "pyproject.toml")


def test_pep621_dependencies_optional_groups_and_build_requires(pyproject):
    packages = rows(pyproject)
    assert packages[:15] == [
        ("torch", 11, ">=2.3,<2.4"),
        ("torchvision", 12, ""),
        ("numpy", 13, ">=1.26, <2; python_version < \"3.12\""),
        ("pynvml", 14, ">=11.5"),
        (
            "nvidia-dali-cuda120",
            15,
            "https://developer.download.nvidia.com/compute/redist/nvidia-dali-cuda120/nvidia_dali_cuda120-1.38.0-14460064-py3-none-manylinux2014_x86_64.whl",
        ),
        ("cupy-cuda12x", 19, ">=13"),
        ("triton", 19, "==2.3.1"),
        ("torch", 21, "==2.3.1+rocm6.0"),
        ("local-version:rocm6.0", 21, "2.3.1+rocm6.0"),
        ("pytest", 25, ">=8"),
        ("hypothesis", 25, ""),
        ("ruff", 26, ""),
        ("setuptools", 2, ">=68"),
        ("wheel", 2, ""),
        ("torch", 2, "==2.3.1"),
    ]
    assert all(e.ecosystem == "pypi" for e in pyproject.evidence)
    assert pyproject.problems == []


def test_poetry_tables(pyproject):
    poetry = [row for row in rows(pyproject) if 33 <= (row[1] or 0) <= 44]
    assert poetry == [
        ("torch", 33, "2.3.1+cu121"),
        ("local-version:cu121", 33, "2.3.1+cu121"),
        ("tensorrt", 34, "^10.0"),
        ("apex", 35, "git+https://github.com/NVIDIA/apex.git@24.04.01"),
        ("bitsandbytes", 36, ">=0.43; platform_machine == 'x86_64'"),
        ("local-kernels", 37, "../kernels"),
        ("black", 44, "^24.4"),
        ("pytest", 40, "^8.2"),
        ("nvidia-ml-py", 41, "12.555.43"),
    ]
    assert "python" not in [name for name, _, _ in rows(pyproject)]


def test_sources_and_indexes_without_credentials(pyproject):
    assert rows(pyproject, "index") == [
        # A direct wheel URL's folder is where that package comes from.
        ("https://developer.download.nvidia.com/compute/redist/nvidia-dali-cuda120", 15, ""),
        ("https://download.pytorch.org/whl/cu121", 48, ""),
        ("https://pypi.internal.example.com/simple", 53, ""),
        ("https://download.pytorch.org/whl/rocm6.0", 62, ""),
        ("https://pypi.nvidia.com", 57, ""),
        ("https://github.com/Dao-AILab/flash-attention/releases/download/v2.5.9.post1", 67, ""),
        ("https://pypi.ngc.nvidia.com", 74, ""),
    ]
    assert all("s3cr3t" not in e.name for e in pyproject.evidence)


def test_uv_and_pdm_extras(pyproject):
    packages = rows(pyproject)
    assert ("nvtx", 58, ">=0.2") in packages
    assert ("local-version:cu122torch2.3cxx11abifalse", 67, "2.5.9.post1+cu122torch2.3cxx11abifalse") in packages
    assert ("pytest-benchmark", 70, "") in packages


def test_pipfile():
    result = read_pipfile((FIXTURES / "Pipfile").read_text(encoding="utf-8"), "Pipfile")
    assert rows(result, "index") == [("https://pypi.org/simple", 2, ""), ("https://download.pytorch.org/whl/cu118", 7, "")]
    assert rows(result) == [
        ("torch", 12, "==2.2.2+cu118"),
        ("local-version:cu118", 12, "2.2.2+cu118"),
        ("numpy", 13, "*"),
        ("cupy-cuda11x", 14, ">=12.3"),
        ("onnxruntime-gpu", 15, "==1.18.0; sys_platform == 'linux'"),
        ("trainkit", 16, "git+https://github.com/acme-ml/trainkit.git@v0.3.1"),
        ("jax", 17, "*"),
        ("jaxlib", 18, "==0.4.30+cuda12.cudnn89"),
        ("local-version:cuda12.cudnn89", 18, "0.4.30+cuda12.cudnn89"),
        ("pytest", 21, "*"),
    ]
    assert result.problems == []


def test_toml_syntax_error_names_the_line():
    text = '[project]\nname = "x"\ndependencies = [\n  "torch"\n  "numpy",\n]\n'
    with pytest.raises(InputError) as caught:
        read_pyproject(text, "pyproject.toml")
    assert caught.value.problem.path == "pyproject.toml"
    assert caught.value.problem.line == 5
    assert "invalid TOML" in caught.value.problem.message


def test_toml_error_at_end_of_document():
    with pytest.raises(InputError) as caught:
        read_pipfile('[packages]\ntorch = "', "Pipfile")
    assert caught.value.problem.line == 2


def test_wrong_shapes_are_problems_not_crashes():
    text = "\n".join(
        [
            "[project]",
            'dependencies = "torch>=2"',
            "[project.optional-dependencies]",
            "gpu = [1, \"cupy-cuda12x\", \"torch>=>2\"]",
            "[tool.poetry.dependencies]",
            "torch = 2",
            '"bad name!" = "*"',
            "[dependency-groups]",
            'dev = "pytest"',
        ]
    )
    result = read_pyproject(text, "pyproject.toml")
    assert rows(result) == [("cupy-cuda12x", 4, "")]
    assert [(p.line, p.message.split(":")[0]) for p in result.problems] == [
        (2, "project.dependencies must be a list of requirement strings, found a string"),
        (4, "project.optional-dependencies.gpu"),
        (4, "not a valid requirement 'torch>=>2'"),
        (9, "dependency-groups.dev must be a list of requirement strings, found a string"),
        (6, "tool.poetry.dependencies.torch"),
        (7, "'bad name!' is not a valid package name"),
    ]


def test_same_string_in_two_tables_gets_each_tables_line():
    text = '[project]\ndependencies = ["torch"]\n\n[project.optional-dependencies]\ncuda = [\n  "torch",\n]\n'
    result = read_pyproject(text, "pyproject.toml")
    assert rows(result) == [("torch", 2, ""), ("torch", 6, "")]


def test_inline_tables_fall_back_to_the_enclosing_header():
    text = '[project]\nname = "x"\noptional-dependencies = { gpu = ["cupy-cuda12x"] }\n'
    result = read_pyproject(text, "pyproject.toml")
    assert rows(result) == [("cupy-cuda12x", 3, "")]


def test_locator_headers_with_quotes_and_arrays():
    locator = TomlLocator('[tool.poetry.group."gpu tools".dependencies]\na = 1\n[[tool.uv.index]]\n[[tool.uv.index]] # second\n["x", "y"],\n')
    assert locator.header(("tool", "poetry", "group", "gpu tools", "dependencies")) == 1
    assert locator.header(("tool", "uv", "index"), 1) == 4
    assert locator.section(("tool", "uv", "index"), 0) == (3, 3)
    assert len(locator.headers) == 3


# --- properties ---------------------------------------------------------------------


@settings(max_examples=300)
@given(st.text())
def test_arbitrary_text_only_input_errors(text):
    for reader in (read_pyproject, read_pipfile):
        try:
            reader(text, "pyproject.toml")
        except InputError:
            pass


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_fixture_only_input_errors(data):
    text = (FIXTURES / "pyproject.toml").read_text(encoding="utf-8")
    position = data.draw(st.integers(0, len(text)))
    inserted = data.draw(st.text(max_size=5))
    mutated = text[:position] + inserted + text[position + data.draw(st.integers(0, 5)) :]
    try:
        read_pyproject(mutated, "pyproject.toml")
    except InputError:
        pass


NAMES = st.from_regex(r"[A-Za-z]([A-Za-z0-9._-]{0,12}[A-Za-z0-9])?", fullmatch=True)
SPECS = st.sampled_from(["", ">=2.3", "==2.3.1", "~=1.4", ">=1,<2", "[cuda]>=12"])


@settings(max_examples=150)
@given(st.lists(st.tuples(NAMES, SPECS, st.booleans()), min_size=1, max_size=10), st.lists(NAMES, max_size=6, unique=True))
def test_generated_dependencies_come_back_with_names_and_lines(dependencies, poetry_names):
    lines = ["[project]", 'name = "generated"', "dependencies = ["]
    expected = []
    for name, spec, blank in dependencies:
        if blank:
            lines.append("    # comment")
        lines.append(f'    "{name}{spec}",')
        expected.append((str(canonicalize_name(name)), len(lines)))
    lines += ["]", "", "[tool.poetry.dependencies]", 'python = "^3.11"']
    for name in poetry_names:
        if name.lower() == "python":
            continue
        lines.append(f'"{name}" = "^1.0"')
        expected.append((str(canonicalize_name(name)), len(lines)))
    result = read_pyproject("\n".join(lines) + "\n", "pyproject.toml")
    assert result.problems == []
    assert [(e.name, e.line) for e in result.evidence] == expected


def test_poetry_wheel_url_and_multiple_constraints():
    text = "\n".join(
        [
            "[tool.poetry.dependencies]",
            'python = ">=3.10,<3.13"',
            'flash-attn = { url = "https://github.com/Dao-AILab/flash-attention/releases/download/v2.5.8/flash_attn-2.5.8+cu122torch2.3cxx11abiFALSE-cp311-cp311-linux_x86_64.whl" }',
            "torch = [",
            '    { version = "2.3.1+cu121", platform = "linux", source = "pytorch-cu121" },',
            '    { version = "2.3.1", platform = "darwin" },',
            "]",
        ]
    )
    result = read_pyproject(text, "pyproject.toml")
    assert [(name, line) for name, line, _ in rows(result)] == [
        ("flash-attn", 3),
        ("local-version:cu122torch2.3cxx11abifalse", 3),
        ("torch", 4),
        ("local-version:cu121", 4),
    ]
    assert rows(result)[2][2] == "2.3.1+cu121 | 2.3.1"


def test_pipfile_source_credentials_and_bad_category():
    text = '[[source]]\nurl = "https://deploy:${PIPENV_TOKEN}@pypi.internal.example.com/simple/"\nname = "internal"\n\n[packages]\ntorch = "==2.3.1"\n\n[gpu]\ncupy = 3\n'
    result = read_pipfile(text, "Pipfile")
    assert rows(result, "index") == [("https://pypi.internal.example.com/simple", 2, "")]
    assert rows(result) == [("torch", 6, "==2.3.1")]
    assert [(p.line, p.message) for p in result.problems] == [(9, "[gpu] cupy: expected a version string or a table, found an integer")]


def test_pyproject_defines_the_projects_own_import_roots():
    text = (
        '[project]\nname = "Flash-Attn"\ndependencies = ["torch"]\n\n'
        '[tool.setuptools]\npackages = ["flash_attn", "flash_attn.ops", "hopper"]\npy-modules = ["flash_attn_interface"]\n\n'
        '[tool.poetry]\nname = "text-generation-server"\npackages = [{include = "text_generation_server"}, {from = "src"}]\n'
    )
    definitions = read_pyproject(text, "pyproject.toml").definitions
    assert [(d.kind, d.name, d.line) for d in definitions] == [
        ("package", "flash_attn", 2),  # the distribution name as an import name, once
        ("package", "hopper", 6),
        ("package", "flash_attn_interface", 7),
        ("package", "text_generation_server", 10),
    ]


def test_pyproject_without_names_defines_nothing():
    text = '[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = 42\n'
    assert read_pyproject(text, "pyproject.toml").definitions == []


def test_the_projects_own_extras_are_no_dependency():
    # bitsandbytes' pyproject.toml:61 lists "bitsandbytes[test]" among its dev extras
    text = '[project]\nname = "Bits_And.Bytes"\ndependencies = ["torch"]\n\n[project.optional-dependencies]\ndev = [\n    "bits-and-bytes[test]",\n    "pytest",\n]\n'
    assert [e.name for e in read_pyproject(text, "pyproject.toml").evidence if e.kind == "package"] == ["torch", "pytest"]
