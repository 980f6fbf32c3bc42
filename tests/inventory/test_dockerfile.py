"""Tests for the Dockerfile reader (lockin.inventory.dockerfile)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockin.inventory.dockerfile import read_dockerfile
from lockin.inventory.gpuarch import arch_flag_values, arch_list_values
from lockin.inventory.images import normalise_image
from lockin.records import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "platform"


def evidence(result):
    return {(e.kind, e.name, e.line, e.ecosystem, e.spec) for e in result.evidence}


def names(result, kind):
    return [e.name for e in result.evidence if e.kind == kind]


def lines_of(result, kind, name):
    return [e.line for e in result.evidence if e.kind == kind and e.name == name]


# -- the realistic multi-stage fixture ---------------------------------------


@pytest.fixture(scope="module")
def fixture_result():
    return read_dockerfile((FIXTURES / "Dockerfile").read_text(), "Dockerfile")


def test_fixture_base_image_resolves_arg_defaults_and_platform_flag(fixture_result):
    assert ("image", "nvcr.io/nvidia/pytorch:24.05-py3", 7, "docker", "24.05-py3") in evidence(fixture_result)


def test_fixture_second_stage_image_is_normalised(fixture_result):
    # docker.io/library/ removed, lower-cased, digest dropped.
    assert ("image", "ubuntu:22.04", 28, "docker", "22.04") in evidence(fixture_result)


def test_fixture_stage_aliases_are_not_images(fixture_result):
    assert sorted(names(fixture_result, "image")) == ["nvcr.io/nvidia/pytorch:24.05-py3", "ubuntu:22.04"]


def test_fixture_env_and_arg_variables(fixture_result):
    found = evidence(fixture_result)
    assert ("env", "NCCL_IB_HCA", 9, "docker", "mlx5") in found
    assert ("env", "NCCL_SOCKET_IFNAME", 10, "docker", "eth0") in found  # continuation line
    assert ("env", "PYTORCH_TAG", 4, "docker", "24.05-py3") in found
    # In-stage ARG without a default takes the global default.
    assert ("env", "CUDA_ARCHS", 8, "docker", "8.0 9.0+PTX") in found
    # Legacy 'ENV NAME value' form.
    assert ("env", "CUDA_VISIBLE_DEVICES", 29, "docker", "0,1") in found


def test_fixture_torch_arch_list_from_substituted_env(fixture_result):
    found = evidence(fixture_result)
    assert ("env", "TORCH_CUDA_ARCH_LIST", 11, "docker", "8.0 9.0+PTX") in found
    assert ("build", "arch=sm_80", 11, "docker", "sm_80") in found
    assert ("build", "arch=sm_90", 11, "docker", "sm_90") in found


def test_fixture_apt_packages_get_their_continuation_lines(fixture_result):
    found = evidence(fixture_result)
    assert ("package", "build-essential", 14, "deb", "") in found
    # Third continuation line of the RUN that starts on line 12.
    assert ("package", "cuda-toolkit-12-4", 15, "deb", "12.4.1-1") in found
    assert ("package", "libnccl2", 16, "deb", "") in found
    assert ("package", "libnccl-dev", 16, "deb", "") in found


def test_fixture_nvcc_compiler_and_gencode_arches(fixture_result):
    found = evidence(fixture_result)
    assert ("build", "compiler=nvcc", 20, "docker", "") in found
    assert ("build", "arch=compute_90a", 20, "docker", "compute_90a") in found
    assert ("build", "arch=sm_90a", 20, "docker", "sm_90a") in found
    assert ("build", "arch=sm_80", 21, "docker", "sm_80") in found


def test_fixture_pip_install_index_without_token(fixture_result):
    found = evidence(fixture_result)
    assert ("index", "https://pypi.internal.example.com/simple", 23, "pypi", "") in found
    assert ("index", "https://download.pytorch.org/whl/cu121", 24, "pypi", "") in found
    assert ("package", "torch", 25, "pypi", "==2.3.1+cu121") in found
    assert ("package", "local-version:cu121", 25, "pypi", "2.3.1+cu121") in found
    assert ("package", "flash-attn", 25, "pypi", ">=2.5") in found
    assert all("s3cr3t" not in e.name for e in fixture_result.evidence)
    assert fixture_result.references == ["requirements/train.txt"]


def test_pip_install_of_a_vendor_wheel_url_names_its_host_folder():
    # ROCm's JAX image installs jaxlib straight from AMD's wheel host.
    text = "FROM rocm/dev-ubuntu-22.04:6.1\nRUN pip3 install https://repo.radeon.com/rocm/manylinux/rocm-rel-6.1/jaxlib-0.4.26%2Brocm610-cp311-cp311-manylinux2014_x86_64.whl\n"
    found = evidence(read_dockerfile(text, "Dockerfile"))
    assert ("index", "https://repo.radeon.com/rocm/manylinux/rocm-rel-6.1", 2, "pypi", "") in found
    assert ("package", "local-version:rocm610", 2, "pypi", "0.4.26+rocm610") in found


def test_run_commands_see_the_stage_args_and_env():
    text = (
        "ARG CUDA_ARCH=sm_75\n"  # global: RUN does not see it unless the stage declares it
        "FROM nvidia/cuda:12.1.0-devel-ubuntu22.04\n"
        "ARG CUDA_ARCH=sm_61\n"
        "ARG CH=nvidia\n"
        "ARG UNSET\n"
        "RUN nvcc -arch=$CUDA_ARCH -o k k.cu && conda install -y -c ${CH} cudatoolkit && echo $UNSET\n"
    )
    found = evidence(read_dockerfile(text, "Dockerfile"))
    assert ("build", "arch=sm_61", 6, "docker", "sm_61") in found
    assert ("build", "arch=sm_75", 6, "docker", "sm_75") not in found
    assert ("index", "nvidia", 6, "conda", "") in found


def test_fixture_conda_channels_and_packages(fixture_result):
    found = evidence(fixture_result)
    assert ("index", "nvidia", 31, "conda", "") in found
    assert ("index", "conda-forge", 31, "conda", "") in found
    assert ("package", "cuda-nvcc", 31, "conda", "12.4") in found
    assert ("package", "nccl", 31, "conda", "") in found


def test_fixture_has_no_problems_and_text_is_the_physical_line(fixture_result):
    assert fixture_result.problems == []
    toolkit = next(e for e in fixture_result.evidence if e.name == "cuda-toolkit-12-4")
    assert toolkit.text == "cuda-toolkit-12-4=12.4.1-1 \\"


# -- FROM and ARG ------------------------------------------------------------


def test_arg_default_forms_in_from():
    text = "ARG REG\nARG TAG=12.4.1-devel-ubuntu22.04\nFROM ${REG:-docker.io}/nvidia/cuda:$TAG\n"
    result = read_dockerfile(text, "Dockerfile")
    assert ("image", "nvidia/cuda:12.4.1-devel-ubuntu22.04", 3, "docker", "12.4.1-devel-ubuntu22.04") in evidence(result)
    assert result.problems == []


def test_words_after_a_hash_in_arg_are_no_problem_and_the_variable_is_kept():
    # Only a line starting with '#' is a comment; BuildKit builds 'ARG X=1 # note'.
    text = "ARG CUDA_VERSION=12.4.1 # the toolkit\nFROM nvidia/cuda:${CUDA_VERSION}-devel-ubuntu22.04\n"
    result = read_dockerfile(text, "Dockerfile")
    assert result.problems == []
    assert ("env", "CUDA_VERSION", 1, "docker", "12.4.1") in evidence(result)
    assert ("image", "nvidia/cuda:12.4.1-devel-ubuntu22.04", 2, "docker", "12.4.1-devel-ubuntu22.04") in evidence(result)


def test_unresolved_from_variable_is_a_problem_and_left_as_written():
    result = read_dockerfile("FROM rocm/pytorch:${ROCM_TAG}\n", "Dockerfile")
    assert names(result, "image") == ["rocm/pytorch:${rocm_tag}"]
    assert [(p.line, "ROCM_TAG" in p.message) for p in result.problems] == [(1, True)]


def test_arg_declared_in_a_stage_does_not_reach_the_next_from():
    text = "FROM ubuntu:22.04\nARG BASE=nvidia/cuda:12.4.1-base-ubuntu22.04\nFROM $BASE\n"
    result = read_dockerfile(text, "Dockerfile")
    assert [p.line for p in result.problems] == [3]


def test_from_without_tag_gets_latest_and_keeps_registry_port():
    result = read_dockerfile("from localhost:5000/team/Trainer\nFROM scratch\n", "Dockerfile")
    assert evidence(result) == {("image", "localhost:5000/team/trainer:latest", 1, "docker", "latest")}


def test_copy_from_an_image_is_an_image_but_not_from_a_stage():
    text = "FROM ubuntu:22.04 AS base\nCOPY --from=base /a /a\nCOPY --from=nvcr.io/nvidia/cuda:12.4.1-runtime-ubuntu22.04 /usr/local/cuda /usr/local/cuda\n"
    result = read_dockerfile(text, "Dockerfile")
    assert lines_of(result, "image", "nvcr.io/nvidia/cuda:12.4.1-runtime-ubuntu22.04") == [3]
    assert len(names(result, "image")) == 2


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("docker.io/library/python:3.11-slim", ("python:3.11-slim", "3.11-slim")),
        ("NVCR.IO/nvidia/PyTorch:24.05-py3", ("nvcr.io/nvidia/pytorch:24.05-py3", "24.05-py3")),
        ("rocm/pytorch@sha256:abcdef", ("rocm/pytorch:latest", "latest")),
        ("ubuntu:22.04@sha256:abcdef", ("ubuntu:22.04", "22.04")),
        ("registry:5000/x/y", ("registry:5000/x/y:latest", "latest")),
    ],
)
def test_normalise_image(reference, expected):
    assert normalise_image(reference) == expected


# -- RUN ---------------------------------------------------------------------


def test_arch_flags_in_all_spellings():
    text = (
        "FROM rocm/dev-ubuntu-22.04:6.2\n"
        "RUN hipcc --offload-arch=gfx942 -o k k.hip\n"
        "RUN clang++ -x cuda --cuda-gpu-arch=sm_80 k.cu\n"
        'RUN PYTORCH_ROCM_ARCH="gfx942;gfx90a" python setup.py install\n'
        "RUN nvcc -arch sm_80 -gencode=arch=compute_90a,code=[sm_90a,compute_90a] k.cu\n"
        "ENV PYTORCH_ROCM_ARCH=gfx942;gfx90a\n"
    )
    found = evidence(read_dockerfile(text, "Dockerfile"))
    assert {("build", "compiler=hipcc", 2, "docker", ""), ("build", "arch=gfx942", 2, "docker", "gfx942")} <= found
    assert {("build", "compiler=clang++", 3, "docker", ""), ("build", "arch=sm_80", 3, "docker", "sm_80")} <= found
    assert {("build", "arch=gfx942", 4, "docker", "gfx942"), ("build", "arch=gfx90a", 4, "docker", "gfx90a")} <= found
    assert {
        ("build", "compiler=nvcc", 5, "docker", ""),
        ("build", "arch=sm_80", 5, "docker", "sm_80"),
        ("build", "arch=compute_90a", 5, "docker", "compute_90a"),
        ("build", "arch=sm_90a", 5, "docker", "sm_90a"),
    } <= found
    assert {("build", "arch=gfx942", 6, "docker", "gfx942"), ("build", "arch=gfx90a", 6, "docker", "gfx90a")} <= found


def test_plain_clang_is_not_a_gpu_compiler():
    result = read_dockerfile("FROM ubuntu\nRUN clang++ -O2 -march=native main.cpp\n", "Dockerfile")
    assert names(result, "build") == []


def test_cmake_definitions_in_run():
    text = 'FROM ubuntu\nRUN cmake -B build -DCMAKE_CUDA_ARCHITECTURES="80;90a" -DBUILD_TESTING=OFF -DGPU_TARGETS=gfx942 .\n'
    found = evidence(read_dockerfile(text, "Dockerfile"))
    assert ("build", "cmake:var=CMAKE_CUDA_ARCHITECTURES", 2, "docker", "80;90a") in found
    assert {("build", "arch=sm_80", 2, "docker", "sm_80"), ("build", "arch=sm_90a", 2, "docker", "sm_90a")} <= found
    assert ("build", "arch=gfx942", 2, "docker", "gfx942") in found
    assert not any(name == "cmake:var=BUILD_TESTING" for _, name, *_ in found)


def test_pip_spellings_and_arguments():
    text = (
        "FROM python:3.11\n"
        "RUN python3 -m pip install --no-cache-dir cupy-cuda12x==13.1.0 && \\\n"
        "    uv pip install --system --index-url=https://u:tok@repo.example.com/simple/ nvidia-ml-py \\\n"
        "        -rrequirements.txt \\\n"
        "        https://download.pytorch.org/whl/cu121/torch-2.3.1%2Bcu121-cp311-cp311-linux_x86_64.whl && \\\n"
        "    pip3 install -e . Torch_Vision==${TV_VERSION} $EXTRA_PACKAGES 'git+https://github.com/NVIDIA/apex.git#egg=apex'\n"
    )
    result = read_dockerfile(text, "Dockerfile")
    found = evidence(result)
    assert ("package", "cupy-cuda12x", 2, "pypi", "==13.1.0") in found
    assert ("index", "https://repo.example.com/simple", 3, "pypi", "") in found
    assert ("package", "nvidia-ml-py", 3, "pypi", "") in found
    assert ("package", "torch", 5, "pypi", "2.3.1+cu121") in found
    assert ("package", "local-version:cu121", 5, "pypi", "2.3.1+cu121") in found
    assert ("package", "torch-vision", 6, "pypi", "==${TV_VERSION}") in found
    assert result.references == ["requirements.txt"]
    assert "system" not in str(found)
    assert result.problems == []


def test_invalid_pip_requirement_is_a_problem_on_its_line():
    result = read_dockerfile("FROM python\nRUN pip install \\\n  numpy 'torch==' \n", "Dockerfile")
    assert [p.line for p in result.problems] == [3]
    assert names(result, "package") == ["numpy"]


def test_rpm_and_apt_options_are_skipped():
    text = (
        "FROM rockylinux:9\n"
        "RUN dnf -y install --setopt=install_weak_deps=False cuda-toolkit-12-4 ./local.rpm && \\\n"
        "    apt-get -o Dpkg::Options::=--force-confold install -y -t bookworm-backports rocm-hip-sdk/bookworm ./x.deb\n"
    )
    found = evidence(read_dockerfile(text, "Dockerfile"))
    assert {("package", "cuda-toolkit-12-4", 2, "rpm", ""), ("package", "rocm-hip-sdk", 3, "deb", "")} == {
        f for f in found if f[0] == "package"
    }


def test_shell_comment_and_url_fragment():
    text = "FROM python\nRUN pip install numpy # torch is installed later\nRUN pip install 'apex @ git+https://github.com/NVIDIA/apex#egg=apex'\n"
    result = read_dockerfile(text, "Dockerfile")
    assert names(result, "package") == ["numpy", "apex"]


def test_bash_dash_c_script_is_read():
    result = read_dockerfile("FROM python\nRUN bash -lc 'pip install cupy-cuda12x && nvcc -arch=sm_90 k.cu'\n", "Dockerfile")
    assert [(e.kind, e.name, e.line) for e in result.evidence] == [
        ("image", "python:latest", 1),
        ("package", "cupy-cuda12x", 2),
        ("build", "arch=sm_90", 2),
        ("build", "compiler=nvcc", 2),
    ]


def test_exec_form_run():
    text = 'FROM nvidia/cuda:12.4.1-devel-ubuntu22.04\nRUN ["nvcc", "-o", "k", \\\n     "-gencode", "arch=compute_80,code=sm_80", "k.cu"]\n'
    found = evidence(read_dockerfile(text, "Dockerfile"))
    assert {("build", "compiler=nvcc", 2, "docker", ""), ("build", "arch=compute_80", 3, "docker", "compute_80"), ("build", "arch=sm_80", 3, "docker", "sm_80")} <= found


def test_heredoc_script_is_read_and_data_heredoc_is_skipped():
    text = (
        "FROM ubuntu:22.04\n"
        "RUN <<EOF\n"
        "set -e\n"
        "apt-get update\n"
        "apt-get install -y rocm-hip-sdk\n"
        "EOF\n"
        "RUN python3 <<-PY\n"
        "\timport os  # FROM nvidia/cuda in a comment must not count\n"
        "\tPY\n"
        "ENV HIP_VISIBLE_DEVICES=0\n"
    )
    result = read_dockerfile(text, "Dockerfile")
    found = evidence(result)
    assert ("package", "rocm-hip-sdk", 5, "deb", "") in found
    assert ("env", "HIP_VISIBLE_DEVICES", 10, "docker", "0") in found
    assert names(result, "image") == ["ubuntu:22.04"]
    assert result.problems == []


def test_unclosed_heredoc_is_a_problem():
    result = read_dockerfile("FROM ubuntu\nRUN <<EOF\napt-get install -y nccl\n", "Dockerfile")
    assert [p.line for p in result.problems] == [2]
    assert lines_of(result, "package", "nccl") == [3]


def test_unterminated_continuation_at_end_of_file():
    text = "FROM ubuntu:22.04\nRUN apt-get install -y \\\n    libnccl2 \\\n"
    result = read_dockerfile(text, "Dockerfile")
    assert [p.line for p in result.problems] == [3]
    assert "continuation" in result.problems[0].message
    assert lines_of(result, "package", "libnccl2") == [3]


def test_comment_and_blank_lines_inside_a_continuation_are_dropped():
    text = "FROM ubuntu\nRUN apt-get install -y \\\n# a comment with a quote: don't\n\n    libnccl2\nENV A=1\n"
    result = read_dockerfile(text, "Dockerfile")
    assert lines_of(result, "package", "libnccl2") == [5]
    assert lines_of(result, "env", "A") == [6]
    assert result.problems == []


def test_escape_directive_backtick():
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN pip install `\n    onnxruntime-directml\n"
    result = read_dockerfile(text, "Dockerfile")
    assert lines_of(result, "package", "onnxruntime-directml") == [4]


def test_unclosed_quote_and_unknown_instruction_are_problems():
    text = 'FROM ubuntu\nRUN echo "unclosed \\\n  more\nFORM nvidia/cuda\nENV X=1\n'
    result = read_dockerfile(text, "Dockerfile")
    assert [p.line for p in result.problems] == [2, 4]
    assert lines_of(result, "env", "X") == [5]


def test_env_names_keep_their_case_and_quoted_values():
    result = read_dockerfile('FROM x\nENV nccl_debug="INFO WARN" Path_Extra=/opt\n', "Dockerfile")
    assert ("env", "nccl_debug", 2, "docker", "INFO WARN") in evidence(result)
    assert ("env", "Path_Extra", 2, "docker", "/opt") in evidence(result)


# -- arch helpers --------------------------------------------------------------


def test_arch_flag_values_reports_value_word_index():
    assert arch_flag_values(["nvcc", "-arch", "sm_80", "-march=native", "--gpu-architecture=compute_75"]) == [
        (2, "sm_80"),
        (4, "compute_75"),
    ]


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("torch", "8.0 9.0+PTX", ["sm_80", "sm_90"]),
        ("torch", "7.5;8.6;9.0a", ["sm_75", "sm_86", "sm_90a"]),
        ("torch", "Ampere", ["sm_80", "sm_86"]),
        ("gfx", "gfx942;gfx90a:xnack+", ["gfx942", "gfx90a"]),
        ("cmake-cuda", "80-real;90-virtual;native", ["sm_80", "compute_90"]),
    ],
)
def test_arch_list_values(kind, value, expected):
    assert arch_list_values(kind, value) == expected


# -- properties ------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_never_raises_anything_but_input_error(text):
    try:
        read_dockerfile(text, "Dockerfile")
    except InputError:
        pass


_dockerfile_alphabet = st.sampled_from(list("FROMRUNENVARGabc $\\{}:-=\"'`#<>&|;()[]\n\t") + ["FROM ", "RUN ", "ARG ", "<<EOF", "\\\n", "${A:-x}", "ENV "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_dockerfile_alphabet, max_size=60).map("".join))
def test_dockerfile_like_text_never_raises(text):
    result = read_dockerfile(text, "Dockerfile")
    line_count = text.count("\n") + 1
    assert all(e.line is not None and 1 <= e.line <= line_count for e in result.evidence)


_name = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
_tag = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}", fullmatch=True)
_variable = st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(
    registry=st.sampled_from(["nvcr.io", "ghcr.io", "registry.example.com:5000"]),
    repository=_name,
    tag=_tag,
    variables=st.lists(_variable, min_size=2, max_size=2, unique=True),
    blank_lines=st.integers(min_value=0, max_value=3),
    use_braces=st.booleans(),
    use_default_syntax=st.booleans(),
)
def test_generated_arg_substitution_resolves_from(registry, repository, tag, variables, blank_lines, use_braces, use_default_syntax):
    registry_var, tag_var = variables
    lines = [f"ARG {registry_var}={registry}", *[""] * blank_lines]
    if use_default_syntax:
        lines.append(f"ARG {tag_var}")
        tag_ref = f"${{{tag_var}:-{tag}}}"
    else:
        lines.append(f'ARG {tag_var}="{tag}"')
        tag_ref = f"${{{tag_var}}}" if use_braces else f"${tag_var}"
    registry_ref = f"${{{registry_var}}}" if use_braces else f"${registry_var}"
    lines.append(f"FROM --platform=linux/amd64 {registry_ref}/ml/{repository}:{tag_ref} AS build")
    lines.append("FROM build")
    result = read_dockerfile("\n".join(lines) + "\n", "Dockerfile")
    images = [(e.name, e.line, e.spec) for e in result.evidence if e.kind == "image"]
    assert images == [(f"{registry}/ml/{repository}:{tag}", len(lines) - 1, tag)]
    assert result.problems == []


@settings(max_examples=200, deadline=None)
@given(
    packages=st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True), min_size=1, max_size=6, unique=True),
    per_line=st.integers(min_value=1, max_value=3),
)
def test_generated_apt_install_lines(packages, per_line):
    body = ["FROM ubuntu:22.04", "RUN apt-get update && \\", "    apt-get install -y --no-install-recommends \\"]
    expected = {}
    for start in range(0, len(packages), per_line):
        group = packages[start : start + per_line]
        body.append("        " + " ".join(group) + " \\")
        for package in group:
            expected[package] = len(body)
    body.append("    && rm -rf /var/lib/apt/lists/*")
    result = read_dockerfile("\n".join(body) + "\n", "Dockerfile")
    got = {e.name: e.line for e in result.evidence if e.kind == "package"}
    assert got == expected


def test_fixture_reports_each_piece_of_evidence_once(fixture_result):
    keys = [(e.kind, e.name, e.line) for e in fixture_result.evidence]
    assert len(keys) == len(set(keys)) == 29
