"""One line-numbering rule for every reader (issue 18): a line ends at ``\\n``.

``str.splitlines``, YAML and Python's parser also break lines at other
characters; a finding must still name the line an editor shows it on, and
never a line the file does not have.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lockin.errors import InputError
from lockin.inventory.conda import read_conda_environment, read_conda_list
from lockin.inventory.kubernetes import read_kubernetes
from lockin.inventory.pip import read_requirements
from lockin.inventory.setup_py import read_setup_py
from lockin.lines import PYTHON, SPLITLINES, YAML, line_count, line_map, numbered_splitlines, physical_lines
from lockin.scan.formats import registered
from lockin.source.cxx import Vocabulary
from lockin.source.python import scan_python

FIXTURES = Path(__file__).parent / "fixtures"

#: Every character some parser lockin uses takes for a line break, besides \n.
EXTRA_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def lines_of(result) -> list[int]:
    """Every line a reader's result names."""
    return [
        *(e.line for e in result.evidence),
        *(p.line for p in result.problems),
        *(d.line for d in result.definitions),
        *(line for r in result.regions for line in (r.start, r.end)),
    ]


# ---------------------------------------------------------------------------
# The rule
# ---------------------------------------------------------------------------


def test_line_count_counts_newlines_and_an_unterminated_last_line():
    assert [line_count(t) for t in ("", "a", "a\n", "a\nb", "a\r\nb\r\n", "a\rb\x85c\u2028d")] == [0, 1, 1, 2, 2, 1]


def test_physical_lines_end_at_newline_only():
    assert physical_lines("a\r\nb\rc\x0cd\ne") == ["a", "b\rc\x0cd", "e"]


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        (PYTHON, "a\rb\r\nc\nd", [1, 1, 2, 3]),  # a lone \r breaks a Python line
        (YAML, "a\x85b\u2028c\r\nd\u2029e\n", [1, 1, 1, 2, 2, 3]),
        (SPLITLINES, "a\x0bb\x0cc\x1cd\ne\x1df\x1eg", [1, 1, 1, 1, 2, 2, 2]),
    ],
)
def test_line_map_gives_the_newline_line_of_each_line_a_parser_counts(rule, text, expected):
    assert list(line_map(text, rule)) == expected


@pytest.mark.parametrize("rule", [PYTHON, YAML, SPLITLINES])
def test_line_map_is_none_when_the_parser_counts_newlines_only(rule):
    assert line_map("a\r\nb\nc", rule) is None


def test_numbered_splitlines_keeps_the_pieces_and_names_their_newline_lines():
    assert list(numbered_splitlines("a\x85b\n\nc\u2028d")) == [(1, "a"), (1, "b"), (2, ""), (3, "c"), (3, "d")]


# ---------------------------------------------------------------------------
# The six formats whose findings landed on lines that do not exist
# ---------------------------------------------------------------------------


def found(result) -> dict[str, int | None]:
    return {e.name: e.line for e in result.evidence}


def test_requirements_pieces_after_a_form_feed_stay_on_their_line():
    # pip splits with str.splitlines: both requirements are read, on line 1.
    result = read_requirements("numpy==1.26\x0ccupy-cuda12x==13.0\ntorch\n", "requirements.txt")
    assert found(result) == {"numpy": 1, "cupy-cuda12x": 1, "torch": 2}


def test_conda_export_pieces_after_a_record_separator_stay_on_their_line():
    text = "# platform: linux-64\nnumpy=1.26.4=py311_0\x1ecudatoolkit=11.8.0=h6a678d5_0\n"
    assert found(read_conda_list(text, "conda-export.txt")) == {"numpy": 2, "cudatoolkit": 2}


def test_conda_environment_after_yaml_only_breaks_is_on_the_newline_line():
    # YAML reads three lines (NEL and U+2028 break them); the file has one.
    text = "channels: [nvidia]\x85dependencies:\u2028  - cudatoolkit=11.8\n"
    assert found(read_conda_environment(text, "environment.yml")) == {"nvidia": 1, "cudatoolkit": 1}


def test_kubernetes_after_yaml_only_breaks_is_on_the_newline_line():
    text = (
        "apiVersion: v1\x85kind: Pod\rspec:\u2029  containers:\u2028  - image: nvcr.io/nvidia/pytorch:24.01-py3\n"
        "    resources: {limits: {nvidia.com/gpu: 1}}\n"
    )
    assert found(read_kubernetes(text, "pod.yaml")) == {"nvcr.io/nvidia/pytorch:24.01-py3": 1, "nvidia.com/gpu": 2}


def test_python_after_a_lone_carriage_return_is_on_the_newline_line():
    # The parser puts the import on its line 2; the file has one line.
    assert found(scan_python("x = 1\rimport cupy\n", "train.py")) == {"cupy": 1}


def test_setup_py_after_a_lone_carriage_return_is_on_the_newline_line():
    result = read_setup_py("x = 1\rfrom torch.utils.cpp_extension import CUDAExtension\n", "setup.py")
    assert found(result) == {"setuptools:CUDAExtension": 1}


def test_a_yaml_error_after_many_carriage_returns_names_a_line_of_the_file():
    # YAML counts 1,001 lines here; the file has one.
    with pytest.raises(InputError) as raised:
        read_kubernetes("key: value\r" * 1000 + "bad: [", "pod.yaml")
    assert raised.value.problem.line == 1
    assert "line 1)" in raised.value.problem.message  # where the open construct began


def test_a_python_syntax_error_after_a_lone_carriage_return_names_a_line_of_the_file():
    with pytest.raises(InputError) as raised:
        scan_python("import cupy\rx = (\n", "train.py")
    assert raised.value.problem.line == 1


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
def test_a_yaml_reader_error_names_the_line_of_the_character(loader):
    import yaml

    from lockin.yamlsafe import load

    if not hasattr(yaml, loader):
        pytest.skip("PyYAML built without libyaml")
    # libyaml gives the character's byte offset, PyYAML its character offset.
    with pytest.raises(InputError) as raised:
        load("a: é\nb: ü\x85c: \x0b\n", "x.yml", loader=getattr(yaml, loader))
    assert raised.value.problem.line == 2


# ---------------------------------------------------------------------------
# Every reader: no line beyond the file's last
# ---------------------------------------------------------------------------

#: A real-format file per reader, from the project's fixtures.
SEEDS = {
    "cxx": "source/fused_softmax.cu",
    "setup-py": "platform/setup.py",
    "python": "source/train_cuda.py",
    "pyproject": "inventory/pyproject.toml",
    "pipfile": "inventory/Pipfile",
    "poetry-lock": "inventory/poetry.lock",
    "pipfile-lock": "inventory/Pipfile.lock",
    "uv-lock": "inventory/uv.lock",
    "dockerfile": "platform/Dockerfile",
    "cmake": "platform/CMakeLists.txt",
    "slurm": "platform/train.sbatch",
    "shell-script": "shell/setup-node.sh",
    "makefile": "make/Makefile",
    "template": "templates/chart/templates/daemonset.yaml",
    "helm-chart": "templates/chart/Chart.yaml",
    "helm-values": "templates/chart/values.yaml",
    "ansible": "ansible/roles/gpu_driver/tasks/main.yml",
    "kubernetes": "platform/pytorchjob.yaml",
    "conda-env": "inventory/environment.yml",
    "cyclonedx": "platform/pytorch-image.cdx.json",
    "spdx": "platform/training-image.spdx.json",
    "conda-list": "inventory/conda-export.txt",
    "requirements": "inventory/pip-freeze-cuda.txt",
    "go-mod": "languages/go-plugin/go.mod",
    "go-vendor": "languages/go-plugin/vendor/modules.txt",
    "go": "languages/go-plugin/internal/gpu/driver.go",
    "cargo": "languages/rust-server/Cargo.toml",
    "cargo-lock": "languages/rust-server/Cargo.lock",
    "rust": "languages/rust-server/src/main.rs",
    "ci-workflow": "languages/rust-server/.gitlab-ci.yml",
}

#: For a reader without a seed here (a format added later): lines several readers know.
GENERIC_SEED = (
    "import cupy\nFROM nvidia/cuda:12.4.1-devel-ubuntu22.04\ncudatoolkit=11.8\n"
    "image: nvcr.io/nvidia/pytorch:24.01-py3\ncupy-cuda12x==13.0\n#include <cuda_runtime.h>\n"
)


def variants(text: str):
    """The seed with every extra break: replacing each \\n (a one-line file),
    before each \\n, and inside each line."""
    for ch in EXTRA_BREAKS:
        yield f"{ch!r} for newlines", text.replace("\n", ch)
        yield f"{ch!r} before newlines", text.replace("\n", ch + "\n")
        yield f"{ch!r} inside lines", "\n".join(line.replace(" ", " " + ch, 1) for line in text.split("\n"))


@pytest.mark.parametrize("name", list(registered()))
def test_no_reader_names_a_line_beyond_the_file(name):
    fmt = registered()[name]
    seed = SEEDS.get(name)
    if seed is not None and not (FIXTURES / seed).is_file():
        pytest.fail(f"seed {seed} of {name} is gone: name another fixture")
    text = (FIXTURES / seed).read_text(encoding="utf-8") if seed else GENERIC_SEED
    path = (FIXTURES / seed).relative_to(FIXTURES).as_posix() if seed else f"input/{name}"
    vocabulary = Vocabulary.default()
    beyond = []
    for how, variant in variants(text):
        last = line_count(variant)
        try:
            result = fmt.read(variant, path, vocabulary)
        except InputError as exc:
            lines = [exc.problem.line]
        else:
            lines = lines_of(result)
        beyond += [(how, line, last) for line in lines if line is not None and not 1 <= line <= last]
    assert beyond == []


def test_yaml_block_pieces_count_the_separators_yaml_keeps_in_a_value():
    from lockin.lines import yaml_block_pieces

    # YAML keeps U+2028 in a block's value but counts a line after it.
    assert list(yaml_block_pieces("echo a\u2028b\nnvidia-smi\n", 4)) == [(4, "echo a\u2028b"), (6, "nvidia-smi"), (7, "")]
