"""Tests of the conda readers: environment.yml, conda list outputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from lockin.inventory.conda import MatchSpecError, channel_name, parse_match_spec, read_conda_environment, read_conda_list
from lockin.records import InputError, ReadResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"


def rows(result: ReadResult) -> list[tuple[str, str, int | None, str, str]]:
    return [(e.kind, e.ecosystem, e.line, e.name, e.spec) for e in result.evidence]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_rapids_environment():
    result = read_conda_environment(fixture("environment.yml"), "environment.yml")
    assert rows(result) == [
        ("index", "conda", 4, "rapidsai", ""),
        ("index", "conda", 5, "nvidia", ""),
        ("index", "conda", 6, "acme-private", ""),  # token URL: channel name only
        ("index", "conda", 7, "conda-forge", ""),
        ("package", "conda", 9, "python", "3.11"),
        ("package", "conda", 10, "cudf", "24.08"),
        ("package", "conda", 11, "cuml", "24.08"),
        ("package", "conda", 12, "cugraph", "24.08"),
        ("package", "conda", 13, "cuda-version", ">=12,<13"),
        ("package", "conda", 14, "pytorch-cuda", "12.1"),
        ("index", "conda", 15, "pytorch", ""),
        ("package", "conda", 15, "pytorch", "2.3=py3.11_cuda12.1_cudnn8.9.2_0"),
        ("index", "conda", 16, "nvidia", ""),
        ("package", "conda", 16, "cuda-toolkit", ""),
        ("index", "conda", 17, "conda-forge", ""),
        ("package", "conda", 17, "numpy", "1.26.*"),
        ("package", "conda", 18, "cudatoolkit", "11.8.*"),
        ("package", "conda", 19, "nccl", ">=2.20"),
        ("package", "conda", 20, "dask-cuda", ""),
        ("package", "conda", 21, "pip", ""),
        ("index", "pypi", 24, "https://pypi.nvidia.com", ""),
        ("package", "pypi", 25, "tensorrt-cu12", "==10.0.1"),
        ("package", "pypi", 26, "cupy-cuda12x", ">=13"),
        ("package", "pypi", 27, "torch", "==2.3.1+cu121"),
        ("package", "pypi", 27, "local-version:cu121", "2.3.1+cu121"),
    ]
    assert result.references == ["requirements/extra.txt"]
    assert result.problems == []
    assert result.evidence[4].text == "- python=3.11"
    assert result.evidence[-1].text == "- torch==2.3.1+cu121"
    assert all("tk-7f3a9b2c1d" not in e.name for e in result.evidence)


def test_conda_export():
    result = read_conda_list(fixture("conda-export.txt"), "conda-export.txt")
    assert result.problems == []
    by_name = {e.name: (e.ecosystem, e.line, e.spec) for e in result.evidence}
    assert len(result.evidence) == 18
    assert by_name["_libgcc_mutex"] == ("conda", 4, "0.1=conda_forge")
    assert by_name["pytorch"] == ("conda", 15, "2.3.1=py3.11_cuda12.1_cudnn8.9.2_0")
    assert by_name["pytorch-cuda"] == ("conda", 16, "12.1=ha16c6d3_5")
    assert by_name["cudnn"] == ("conda", 10, "8.9.2.26=cuda12_0")
    # Packages pip installed into the environment are PyPI packages.
    assert by_name["flash-attn"] == ("pypi", 18, "2.5.9.post1")
    assert by_name["vllm"] == ("pypi", 20, "0.5.1+cu121")
    assert by_name["local-version:cu121"] == ("pypi", 20, "0.5.1+cu121")
    assert {e.kind for e in result.evidence} == {"package"}


def test_conda_explicit_file():
    result = read_conda_list(fixture("conda-explicit.txt"), "conda-explicit.txt")
    assert result.problems == []
    assert rows(result) == [
        ("package", "conda", 5, "_libgcc_mutex", "0.1=conda_forge"),
        ("index", "conda", 5, "conda-forge", ""),
        ("package", "conda", 6, "cuda-cudart", "12.1.55=0"),
        ("index", "conda", 6, "nvidia", ""),
        ("package", "conda", 7, "cuda-cudart", "12.1.105=0"),
        ("package", "conda", 8, "acme-kernels", "0.3.0=py_0"),
        ("index", "conda", 8, "acme-private", ""),
        ("package", "conda", 9, "pytorch", "2.3.1=py3.11_cuda12.1_cudnn8.9.2_0"),
        ("index", "conda", 9, "pytorch", ""),
        ("package", "conda", 10, "pytorch-cuda", "12.1=ha16c6d3_5"),
        ("package", "conda", 11, "python", "3.11.9=h955ad1f_0"),
        ("index", "conda", 11, "main", ""),
    ]


def test_conda_list_table_output():
    text = """# packages in environment at /opt/conda/envs/train:
#
# Name                    Version                   Build  Channel
cuda-cudart               12.1.105                      0    nvidia
pytorch                   2.3.1           py3.11_cuda12.1_cudnn8.9.2_0    pytorch
torch                     2.3.1+cu121              pypi_0    pypi
zlib                      1.2.13               h5eee18b_1
broken-row
"""
    result = read_conda_list(text, "conda-list.txt")
    assert rows(result) == [
        ("package", "conda", 4, "cuda-cudart", "12.1.105=0"),
        ("index", "conda", 4, "nvidia", ""),
        ("package", "conda", 5, "pytorch", "2.3.1=py3.11_cuda12.1_cudnn8.9.2_0"),
        ("index", "conda", 5, "pytorch", ""),
        ("package", "pypi", 6, "torch", "2.3.1+cu121"),
        ("package", "pypi", 6, "local-version:cu121", "2.3.1+cu121"),
        ("package", "conda", 7, "zlib", "1.2.13=h5eee18b_1"),
    ]
    assert [p.line for p in result.problems] == [8]


def test_conda_list_bad_lines_are_problems():
    text = "# platform: linux-64\nnumpy=1.26.4=py311_0\n=1.0\n@EXPLICIT\nhttps://conda.anaconda.org/nvidia/linux-64/not-a-package.txt\nhttps://conda.anaconda.org/nvidia/linux-64/libcublas-12.1.0.26-0.conda\n"
    result = read_conda_list(text, "spec.txt")
    assert [(e.name, e.line) for e in result.evidence if e.kind == "package"] == [("numpy", 2), ("libcublas", 6)]
    assert [p.line for p in result.problems] == [3, 5]


@pytest.mark.parametrize(
    ("spec", "name", "version", "channel"),
    [
        ("cudf=24.08", "cudf", "24.08", None),
        ("python==3.11", "python", "==3.11", None),
        ("cuda-version>=12,<13", "cuda-version", ">=12,<13", None),
        ("nvidia::cuda-toolkit", "cuda-toolkit", "", "nvidia"),
        ("conda-forge::numpy 1.26.*", "numpy", "1.26.*", "conda-forge"),
        ("nvidia/label/cuda-12.4.0::cuda-nvcc", "cuda-nvcc", "", "nvidia"),
        ("pytorch 2.3.0 py3.11_cuda12.1_cudnn8.9.2_0", "pytorch", "2.3.0 py3.11_cuda12.1_cudnn8.9.2_0", None),
        ("PyTorch[version='>=2.3']", "pytorch", "[version='>=2.3']", None),
        ("_openmp_mutex=4.5=2_gnu", "_openmp_mutex", "4.5=2_gnu", None),
    ],
)
def test_parse_match_spec(spec, name, version, channel):
    parsed = parse_match_spec(spec)
    assert (parsed.name, parsed.spec, parsed.channel) == (name, version, channel)


@pytest.mark.parametrize("spec", ["", "=1.0", "cudf@24", "cudf=", "cudf>=12,", "::cudf", "numpy[version='1.26'"])
def test_parse_match_spec_rejects(spec):
    with pytest.raises(MatchSpecError):
        parse_match_spec(spec)


@pytest.mark.parametrize(
    ("channel", "name"),
    [
        ("conda-forge", "conda-forge"),
        ("NVIDIA", "nvidia"),
        ("nvidia/label/cuda-12.1.0", "nvidia"),
        ("https://conda.anaconda.org/rapidsai", "rapidsai"),
        ("https://conda.anaconda.org/t/tk-secret123/acme/label/dev", "acme"),
        ("https://ci:p4ss@artifactory.example.com/artifactory/api/conda/conda-remote/", "conda-remote"),
        ("https://repo.anaconda.com/pkgs/main/linux-64/python-3.11.9-h955ad1f_0.conda", "main"),
        ("https://mirror.example.com", "mirror.example.com"),
        ("https://user:tok@mirror.example.com", "mirror.example.com"),
        ("file:///opt/local-channel", "local-channel"),
    ],
)
def test_channel_name(channel, name):
    assert channel_name(channel) == name


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("name: x\nchannels: [nvidia\ndependencies: []\n", 3, "invalid YAML"),
        ("name: x\n  bad: indent\n", 2, "invalid YAML"),
        ("", 1, "empty document"),
        ("- cudf\n- cuml\n", 1, "expected a mapping"),
        ("name: x\ndependencies: cudf=24.08\n", 2, "'dependencies' must be a list"),
        ("name: x\nchannels:\n  nvidia: true\n", 3, "'channels' must be a list"),
        ("a: 1\n---\nb: 2\n", 2, "single document"),
    ],
)
def test_environment_input_errors(text, line, fragment):
    with pytest.raises(InputError) as caught:
        read_conda_environment(text, "environment.yml")
    assert caught.value.problem.line == line
    assert fragment in caught.value.problem.message


def test_environment_bad_items_are_problems():
    text = """name: x
channels:
  - nvidia
  - [oops]
dependencies:
  - cudf@24
  - nested: [1]
  - [a, b]
  -
  - pip: not-a-list
  - pip:
      - torch>=>2
      - {a: b}
      - numpy
  - cuml
"""
    result = read_conda_environment(text, "environment.yml")
    assert [(e.kind, e.name, e.line) for e in result.evidence] == [("index", "nvidia", 3), ("package", "numpy", 14), ("package", "cuml", 15)]
    assert [p.line for p in result.problems] == [4, 6, 7, 8, 9, 10, 12, 13]


def test_null_sections_and_python_tags_are_not_constructed():
    result = read_conda_environment("name: x\nchannels:\ndependencies:\n", "environment.yml")
    assert result.evidence == [] and result.problems == []
    # An unsafe tag is only composed, never constructed.
    text = "name: x\ndependencies:\n  - !!python/object/apply:os.system ['true']\n  - cudf\n"
    result = read_conda_environment(text, "environment.yml")
    assert [e.name for e in result.evidence] == ["cudf"]


# --- properties ---------------------------------------------------------------------


@settings(max_examples=300)
@given(st.text())
def test_arbitrary_text_only_input_errors(text):
    try:
        read_conda_environment(text, "environment.yml")
    except InputError:
        pass
    read_conda_list(text, "conda-list.txt")  # line-based: never a whole-file error


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_environment_only_input_errors(data):
    text = fixture("environment.yml")
    position = data.draw(st.integers(0, len(text)))
    mutated = text[:position] + data.draw(st.text(max_size=6)) + text[position + data.draw(st.integers(0, 8)) :]
    try:
        read_conda_environment(mutated, "environment.yml")
    except InputError:
        pass


CONDA_NAMES = st.from_regex(r"[a-z][a-z0-9_-]{0,14}", fullmatch=True).filter(lambda n: n not in {"null", "true", "false", "yes", "no", "on", "off", "y", "n"})
VERSIONS = st.lists(st.integers(0, 99), min_size=1, max_size=3).map(lambda p: ".".join(map(str, p)))
BUILDS = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
CHANNELS = st.sampled_from([None, "nvidia", "conda-forge", "rapidsai"])


@st.composite
def dependencies(draw):
    name = draw(CONDA_NAMES)
    form = draw(st.sampled_from(["bare", "=", "==", ">=", " ", "build"]))
    version = draw(VERSIONS)
    if form == "bare":
        spec, expected = name, ""
    elif form == "build":
        build = draw(BUILDS)
        spec, expected = f"{name}={version}={build}", f"{version}={build}"
    elif form == "=":
        spec, expected = f"{name}={version}", version
    else:
        spec, expected = f"{name}{form}{version}", f"{form}{version}".strip()
    channel = draw(CHANNELS)
    if channel:
        spec = f"{channel}::{spec}"
    return name, expected, channel, spec


@settings(max_examples=150)
@given(
    st.lists(st.tuples(dependencies(), st.booleans()), max_size=12),
    st.lists(st.from_regex(r"[A-Za-z]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?", fullmatch=True), max_size=4),
)
def test_generated_environment_comes_back_with_names_and_lines(deps, pip_names):
    lines = ["name: generated", "channels:", "  - conda-forge", "dependencies:"]
    expected = [("index", "conda-forge", 3, "")]
    for (name, spec, channel, written), comment in deps:
        if comment:
            lines.append("  # pinned by the platform team")
        lines.append(f"  - {written}")
        if channel:
            expected.append(("index", channel, len(lines), ""))
        expected.append(("package", name, len(lines), spec))
    if pip_names:
        lines.append("  - pip:")
        for name in pip_names:
            lines.append(f"    - {name}>=1.0")
            expected.append(("package", canonicalize_name(name), len(lines), ">=1.0"))
    result = read_conda_environment("\n".join(lines) + "\n", "environment.yml")
    assert result.problems == []
    assert [(e.kind, e.name, e.line, e.spec) for e in result.evidence] == expected
