"""Tests of the pip requirements reader (requirements files, ``pip freeze``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from lockin.inventory.pip import index_name, logical_lines, read_requirements
from lockin.records import InputError, ReadResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"


def packages(result: ReadResult) -> list[tuple[str, int | None, str]]:
    return [(e.name, e.line, e.spec) for e in result.evidence if e.kind == "package"]


def indexes(result: ReadResult) -> list[tuple[str, int | None, str]]:
    return [(e.name, e.line, e.ecosystem) for e in result.evidence if e.kind == "index"]


def read_fixture(name: str) -> ReadResult:
    return read_requirements((FIXTURES / name).read_text(encoding="utf-8"), name)


# --- the realistic requirements set -------------------------------------------------


def test_train_requirements_packages_specs_and_lines():
    result = read_fixture("requirements/train.txt")
    assert packages(result) == [
        ("torch", 7, "==2.3.1+cu121"),
        ("local-version:cu121", 7, "2.3.1+cu121"),
        ("torchvision", 8, "==0.18.1+cu121"),
        ("local-version:cu121", 8, "0.18.1+cu121"),
        ("transformers", 10, ">=4.41,<5"),
        ("accelerate", 11, "~=0.31.0"),
        ("deepspeed", 12, '==0.14.4; platform_system == "Linux"'),
        ("flash-attn", 13, "==2.5.9.post1"),
        ("xformers", 14, '==0.0.27; python_version < "3.12"'),
        ("apex", 15, "git+https://github.com/NVIDIA/apex.git@24.04.01"),
        ("transformer-engine", 16, "git+https://github.com/NVIDIA/TransformerEngine.git@stable"),
        ("nvidia-dali-cuda120", 17, ">=1.38"),
        ("cupy-cuda12x", 18, "==13.2.*"),
    ]
    assert all(e.ecosystem == "pypi" for e in result.evidence)
    assert result.problems == []


def test_train_requirements_indexes_without_credentials_and_references():
    result = read_fixture("requirements/train.txt")
    assert indexes(result) == [
        ("https://pypi.internal.example.com/simple", 4, "pypi"),
        ("https://download.pytorch.org/whl/cu121", 5, "pypi"),
        ("https://storage.example.com/wheels/cu121/index.html", 19, "pypi"),
    ]
    assert result.references == ["base.txt", "constraints.txt"]
    # The evidence text is the line as written; redaction happens on output.
    assert "${PIP_TOKEN}" in result.evidence[0].text


def test_continuation_keeps_first_physical_line_and_drops_hashes():
    result = read_fixture("requirements/train.txt")
    torchvision = next(e for e in result.evidence if e.name == "torchvision")
    assert torchvision.line == 8
    assert torchvision.text.startswith("torchvision==0.18.1+cu121 --hash=sha256:")


def test_base_requirements_inline_comments():
    result = read_fixture("requirements/base.txt")
    assert packages(result) == [
        ("numpy", 3, ">=1.26,<2.0"),
        ("pandas", 4, "==2.2.2"),
        ("pyyaml", 5, ">=6.0"),
        ("tqdm", 6, ""),
        ("einops", 7, "==0.8.0"),
        ("safetensors", 8, ">=0.4.3"),
    ]
    assert result.evidence[2].text == "pyyaml>=6.0"


def test_pip_freeze_of_a_cuda_training_environment():
    result = read_fixture("pip-freeze-cuda.txt")
    names = [name for name, _, _ in packages(result)]
    assert result.problems == []
    assert names.count("local-version:cu121") == 3
    for wheel in ("nvidia-cublas-cu12", "nvidia-cudnn-cu12", "nvidia-nccl-cu12", "triton", "flash-attn", "pynvml"):
        assert wheel in names
    by_name = {name: (line, spec) for name, line, spec in packages(result)}
    assert by_name["torch"] == (35, "==2.3.1+cu121")
    assert by_name["jinja2"] == (10, "==3.1.4")  # PEP 503 normalisation
    assert by_name["typing-extensions"] == (41, "==4.12.2")
    assert by_name["trainkit"] == (42, "git+https://github.com/acme-ml/trainkit.git@3f2a9c1d0e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f")
    assert by_name["apex"] == (44, "file:///tmp/build/apex")


# --- single lines -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("torch[cuda]>=2.3", [("torch", ">=2.3")]),
        ("torch (>=2.3)", [("torch", ">=2.3")]),
        ("torch===2.3.1+rocm6.1", [("torch", "===2.3.1+rocm6.1"), ("local-version:rocm6.1", "2.3.1+rocm6.1")]),
        ("torch==2.3.1+CU121", [("torch", "==2.3.1+CU121"), ("local-version:cu121", "2.3.1+CU121")]),
        ("torch!=2.3.1+cu121", [("torch", "!=2.3.1+cu121")]),  # not a pin: no build label
        ("numpy==1.*", [("numpy", "==1.*")]),
        ('numpy; python_version < "3.12"', [("numpy", '; python_version < "3.12"')]),
        ("Flash_Attn.Extra==1.0", [("flash-attn-extra", "==1.0")]),
        ("git+https://github.com/NVIDIA/apex.git#egg=apex", [("apex", "git+https://github.com/NVIDIA/apex.git")]),
        (
            "-e git+ssh://git@github.com/org/kernels.git@main#egg=cuda_kernels&subdirectory=python",
            [("cuda-kernels", "git+ssh://git@github.com/org/kernels.git@main")],
        ),
        (
            "https://download.pytorch.org/whl/cu121/torch-2.3.1%2Bcu121-cp311-cp311-linux_x86_64.whl",
            [
                ("torch", "https://download.pytorch.org/whl/cu121/torch-2.3.1%2Bcu121-cp311-cp311-linux_x86_64.whl"),
                ("local-version:cu121", "2.3.1+cu121"),
            ],
        ),
        (
            "torch @ https://download.pytorch.org/whl/rocm6.0/torch-2.3.1%2Brocm6.0-cp311-cp311-linux_x86_64.whl",
            [
                ("torch", "https://download.pytorch.org/whl/rocm6.0/torch-2.3.1%2Brocm6.0-cp311-cp311-linux_x86_64.whl"),
                ("local-version:rocm6.0", "2.3.1+rocm6.0"),
            ],
        ),
        ("./wheels/triton-2.3.1-cp311-cp311-linux_x86_64.whl", [("triton", "./wheels/triton-2.3.1-cp311-cp311-linux_x86_64.whl")]),
        ("-e .", []),
        ("-e ./src/my_kernels", []),
        ("--editable=file:///home/dev/project", []),
        ("--pre", []),
        ("--prefer-binary", []),
        ("--no-binary :all:", []),
        ("--only-binary=torch", []),
        ("--trusted-host pypi.internal.example.com", []),
        ("--require-hashes", []),
        ('bitsandbytes>=0.43 --config-settings="--build-option=--cuda"', [("bitsandbytes", ">=0.43")]),
        ("torch==2.3.1 -C cuda=12.1", [("torch", "==2.3.1")]),
    ],
)
def test_requirement_lines(line, expected):
    result = read_requirements(line + "\n", "requirements.txt")
    assert result.problems == []
    assert [(e.name, e.spec) for e in result.evidence if e.kind == "package"] == expected
    assert all(e.line == 1 for e in result.evidence)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("-i https://download.pytorch.org/whl/rocm6.1/", "https://download.pytorch.org/whl/rocm6.1"),
        ("--index-url=https://user:pa55@pypi.example.com/simple", "https://pypi.example.com/simple"),
        ("--extra-index-url https://${NGC_USER}:${NGC_TOKEN}@pypi.ngc.nvidia.com", "https://pypi.ngc.nvidia.com"),
        ("--extra-index-url https://pypi.nvidia.com?token=abc#frag", "https://pypi.nvidia.com"),
        ("-f https://storage.googleapis.com/jax-releases/jax_cuda_releases.html", "https://storage.googleapis.com/jax-releases/jax_cuda_releases.html"),
        ("--find-links ./wheelhouse/", "./wheelhouse"),
        ("-fhttps://Data.Example.COM:8443/wheels", "https://data.example.com:8443/wheels"),
    ],
)
def test_index_options(line, expected):
    result = read_requirements(line, "requirements.txt")
    assert indexes(result) == [(expected, 1, "pypi")]
    assert result.problems == []


def test_references_are_kept_as_written():
    text = "-r base.txt\n--requirement=../shared/ml.txt\n-c constraints.txt\n--constraint ../pins.txt\n-rcompact.txt\n"
    result = read_requirements(text, "requirements.txt")
    assert result.references == ["base.txt", "../shared/ml.txt", "constraints.txt", "../pins.txt", "compact.txt"]
    assert result.evidence == []


def test_env_var_in_direct_url_does_not_crash():
    text = "private-kernels @ https://${PIP_USER}:${PIP_TOKEN}@pypi.internal.example.com/pk/private_kernels-1.0-py3-none-any.whl\n"
    result = read_requirements(text, "r.txt")
    assert packages(result) == [("private-kernels", 1, "https://${PIP_USER}:${PIP_TOKEN}@pypi.internal.example.com/pk/private_kernels-1.0-py3-none-any.whl")]


def test_malformed_lines_are_problems_and_reading_continues():
    text = "\n".join(
        [
            "torch>=>2",
            "numpy==1.26.4",
            "==1.0",
            "--frobnicate",
            "cupy-cuda12x>=13",
            "-r",
            "-e notapath",
            "git+https://github.com/org/repo.git",
            "--hash=sha256:abc 'unbalanced",
            "x==2.3+cu121.*",
            "scipy",
        ]
    )
    result = read_requirements(text, "req.txt")
    # A bare VCS URL is no problem: pip installs it, and it is named after its repository.
    assert [name for name, _, _ in packages(result)] == ["numpy", "cupy-cuda12x", "repo", "scipy"]
    assert [(p.path, p.line) for p in result.problems] == [("req.txt", n) for n in (1, 3, 4, 6, 7, 9, 10)]
    messages = [p.message for p in result.problems]
    assert messages[0].startswith("not a valid requirement 'torch>=>2': Expected")
    assert "\n" not in messages[0]
    assert "package name" in messages[1]
    assert "unknown option '--frobnicate'" in messages[2]
    assert "needs a value" in messages[3]
    assert "-e needs a VCS URL or a local path" in messages[4]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # pip reads '; ' after a URL as the start of its marker.
        (
            'https://github.com/o/w/releases/download/v1/llama_cpp_binaries-0.106.0+cu124-py3-none-linux_x86_64.whl; platform_system == "Linux"',
            [
                ("llama-cpp-binaries", 'https://github.com/o/w/releases/download/v1/llama_cpp_binaries-0.106.0+cu124-py3-none-linux_x86_64.whl; platform_system == "Linux"'),
                ("local-version:cu124", "0.106.0+cu124"),
            ],
        ),
        ("git+https://github.com/dask/dask.git@main", [("dask", "git+https://github.com/dask/dask.git@main")]),
        # A direct wheel from a vendor's wheel host: the host folder is evidence too (an index).
        (
            "https://repo.radeon.com/rocm/manylinux/rocm-rel-6.1/jaxlib-0.4.26+rocm610-cp311-cp311-manylinux2014_x86_64.whl",
            [
                ("jaxlib", "https://repo.radeon.com/rocm/manylinux/rocm-rel-6.1/jaxlib-0.4.26+rocm610-cp311-cp311-manylinux2014_x86_64.whl"),
                ("local-version:rocm610", "0.4.26+rocm610"),
            ],
        ),
        ("git+https://github.com/NVIDIA/TransformerEngine.git@stable ; python_version >= '3.10'", [("transformerengine", "git+https://github.com/NVIDIA/TransformerEngine.git@stable; python_version >= '3.10'")]),
        ("submodules/diff-gaussian-rasterization", []),  # a local folder: pip builds it, it names no package
    ],
)
def test_urls_with_markers_bare_vcs_urls_and_local_folders(line, expected):
    result = read_requirements(line + "\n", "requirements.txt")
    assert result.problems == []
    assert [(e.name, e.spec) for e in result.evidence if e.kind == "package"] == expected


def test_a_direct_wheel_url_names_its_folder_as_an_index():
    url = "https://download.pytorch.org/whl/cu121/torch-2.3.1%2Bcu121-cp311-cp311-linux_x86_64.whl"
    for line in (url, f"torch @ {url}"):
        assert indexes(read_requirements(line + "\n", "r.txt")) == [("https://download.pytorch.org/whl/cu121", 1, "pypi")]
    assert indexes(read_requirements("git+https://github.com/dask/dask.git@main\n", "r.txt")) == []


def test_an_invalid_marker_after_a_url_is_a_problem():
    result = read_requirements("https://example.com/x/pkg-1.0-py3-none-any.whl; platform_system === \n", "r.txt")
    assert [(p.line, p.message.split(":")[0]) for p in result.problems] == [(1, "not a valid environment marker 'platform_system ==='")]


def test_comment_ends_a_continuation_and_backslash_at_end_of_file():
    text = "torch==2.3.1 \\\n# a comment\nnumpy \\\n"
    result = read_requirements(text, "r.txt")
    assert packages(result) == [("torch", 1, "==2.3.1"), ("numpy", 3, "")]


def test_continued_option_value():
    text = "--extra-index-url \\\n    https://download.pytorch.org/whl/cu118\ntorch\n"
    result = read_requirements(text, "r.txt")
    assert indexes(result) == [("https://download.pytorch.org/whl/cu118", 1, "pypi")]
    assert packages(result) == [("torch", 3, "")]


def test_url_fragment_is_not_a_comment_but_spaced_hash_is():
    result = read_requirements("git+https://github.com/NVIDIA/apex#egg=apex # build with --cuda_ext\n", "r.txt")
    assert packages(result) == [("apex", 1, "git+https://github.com/NVIDIA/apex")]


def test_logical_lines_numbering():
    text = "\ufeffa \\\n  b\n\n  # c\nd # e\n"
    assert list(logical_lines(text)) == [(1, "a b"), (5, "d")]


def test_index_name_edge_cases():
    assert index_name("https://[::1") == "https://[::1"  # invalid IPv6: kept, never raises
    assert index_name("https://tok@[::1") == "https://[::1"
    assert index_name("${PIP_INDEX_URL}") == "${PIP_INDEX_URL}"


# --- properties ---------------------------------------------------------------------


@settings(max_examples=300)
@given(st.text())
def test_arbitrary_text_never_raises(text):
    try:
        result = read_requirements(text, "r.txt")
    except InputError:
        return
    for evidence in result.evidence:
        assert evidence.line is not None and 1 <= evidence.line <= max(1, len(text.splitlines()))


NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,15}[A-Za-z0-9])?", fullmatch=True)
VERSIONS = st.lists(st.integers(0, 300), min_size=1, max_size=4).map(lambda parts: ".".join(map(str, parts)))
LABELS = st.from_regex(r"[a-z][a-z0-9]{0,8}(\.[a-z][a-z0-9]{0,4})?", fullmatch=True)
MARKERS = st.sampled_from(['python_version < "3.12"', "sys_platform == 'linux'", 'platform_machine == "x86_64" and python_version >= "3.10"'])


@st.composite
def requirement_lines(draw):
    name = draw(NAMES)
    extras = draw(st.sampled_from(["", "[cuda]", "[dev,test]"]))
    version = draw(VERSIONS)
    label = draw(st.none() | LABELS)
    if label:
        operator = draw(st.sampled_from(["==", "==="]))
        spec = f"{operator}{version}+{label}"
    else:
        spec = draw(st.sampled_from(["", "==", ">=", "<", "!="]))
        spec = f"{spec}{version}" if spec else ""
    marker = draw(st.none() | MARKERS)
    line = f"{name}{extras}{spec}"
    if marker:
        line += f"; {marker}"
    return name, label, line


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            requirement_lines(),
            st.sampled_from(["plain", "comment-before", "blank-before", "continued", "trailing-comment", "hash"]),
        ),
        max_size=12,
    )
)
def test_generated_requirements_come_back_with_names_and_lines(entries):
    lines: list[str] = []
    expected: list[tuple[str, int]] = []
    for (name, label, line), layout in entries:
        if layout == "comment-before":
            lines.append("# pinned for the CUDA 12 image")
        elif layout == "blank-before":
            lines.append("")
        number = len(lines) + 1
        if layout == "continued":
            lines.extend([line + " \\", "    --hash=sha256:0123456789abcdef"])
        elif layout == "trailing-comment":
            lines.append(line + "  # why")
        elif layout == "hash":
            lines.append(line + " --hash=sha256:0123456789abcdef")
        else:
            lines.append(line)
        expected.append((str(canonicalize_name(name)), number))
        if label:
            expected.append((f"local-version:{label}", number))
    result = read_requirements("\n".join(lines) + "\n", "requirements.txt")
    assert result.problems == []
    assert [(e.name, e.line) for e in result.evidence] == expected
