"""Tests for the Ansible reader (lockin.inventory.ansible)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockin.inventory.ansible import read_ansible
from lockin.records import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ansible"


def read(rel_path):
    return read_ansible((FIXTURES / rel_path).read_text(), rel_path)


def found(result, kind=None):
    return [(e.name, e.line, e.ecosystem, e.spec) for e in result.evidence if kind is None or e.kind == kind]


def test_package_tasks_in_every_spelling():
    result = read("roles/gpu_driver/tasks/main.yml")
    assert found(result, "package")[:8] == [
        # name lists (an expression among them is no evidence), '{{ item }}' over a literal loop,
        # free-form 'name=a,b', pip lists with specifiers.
        ("nvidia-driver-550-server", 10, "deb", ""),
        ("nvidia-modprobe", 12, "deb", ""),
        ("nvidia-container-toolkit", 19, "deb", ""),
        ("cuda-drivers", 20, "deb", ""),
        ("cuda-12-4", 23, "rpm", ""),
        ("nvidia-fabricmanager", 23, "rpm", ""),
        ("nvidia-ml-py", 27, "pypi", ""),
        ("cupy-cuda12x", 27, "pypi", ">=13"),
    ]
    assert result.problems == []


def test_shell_and_command_tasks_roles_repositories_and_charts():
    result = read("roles/gpu_driver/tasks/main.yml")
    # The block scalar's commands keep their own lines (36 is 'set -e').
    assert found(result, "api") == [("nvidia-smi", 31, "tool", ""), ("nvidia-smi", 37, "tool", ""), ("rocm-smi", 38, "tool", "")]
    assert found(result, "env") == [("CUDA_VISIBLE_DEVICES", 33, "ansible", "0")]
    assert ("nvidia.nvidia_driver", 42, "ansible", "") in found(result, "package")
    assert ("nvidia/gpu-operator", 51, "helm", "") in found(result, "package")
    assert found(result, "index") == [
        ("https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64", 46, "deb", ""),
        ("https://helm.ngc.nvidia.com/nvidia", 52, "helm", ""),
    ]


def test_manifests_a_k8s_task_applies_are_read_as_kubernetes():
    result = read("roles/gpu_driver/tasks/main.yml")
    assert [(e.kind, e.name, e.line) for e in result.evidence if e.line > 53] == [
        ("image", "nvcr.io/nvidia/k8s/cuda-sample:nbody", 65),
        ("cluster", "nvidia.com/gpu", 68),
    ]


def test_role_defaults_report_the_values_tasks_install_through():
    result = read("roles/gpu_driver/defaults/main.yml")
    assert [(kind, name, line) for kind, name, line in ((e.kind, e.name, e.line) for e in result.evidence)] == [
        ("package", "cuda-toolkit", 3),
        ("package", "datacenter-gpu-manager", 4),
        ("index", "https://developer.download.nvidia.com/compute/cuda/repos", 6),
        ("package", "nvidia/gpu-operator", 7),
        ("index", "https://helm.ngc.nvidia.com/nvidia", 8),
        ("package", "nvidia-persistenced", 10),  # the '.service' unit on line 11 is not a package
        ("image", "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.5-3.4.0-ubuntu22.04", 12),
    ]  # driver_branch "550" is a version, not a package


def test_roles_of_plays_meta_dependencies_and_galaxy_requirements():
    assert found(read("playbooks/gpu.yml")) == [
        ("nvidia.nvidia_driver", 5, "ansible", ""),
        ("nvidia-dcgm", 6, "ansible", ""),
        ("nvidia-smi", 9, "tool", ""),
    ]
    assert found(read("roles/gpu_driver/meta/main.yml")) == [("nvidia.nvidia_docker", 5, "ansible", ""), ("common", 6, "ansible", "")]
    assert found(read("requirements.yml")) == [("geerlingguy.ntp", 3, "ansible", ""), ("nvidia.nvidia_driver", 5, "ansible", "")]


def test_rhel_named_files_install_rpm_packages():
    result = read_ansible("- package:\n    name: cuda-drivers\n", "roles/x/tasks/redhat-el8.yml")
    assert found(result) == [("cuda-drivers", 2, "rpm", "")]


def test_invalid_yaml_names_file_and_line():
    with pytest.raises(InputError) as caught:
        read_ansible("- name: x\n  apt: [\n", "roles/x/tasks/main.yml")
    assert caught.value.problem.path == "roles/x/tasks/main.yml" and caught.value.problem.line is not None


def test_unclosed_quote_in_shell_task_is_a_problem_with_its_line():
    result = read_ansible("- shell: |\n    echo 'oops\n", "roles/x/tasks/main.yml")
    assert [(p.line, "never closed" in p.message) for p in result.problems] == [(2, True)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["- ", "name: ", "apt:", "shell: ", "roles:", "loop:", "{{ item }}", "\n", "  ", "nvidia-smi", "'", "|"]), max_size=40))
def test_arbitrary_text_never_raises_anything_but_input_error(pieces):
    try:
        read_ansible("".join(pieces), "roles/x/tasks/main.yml")
    except InputError:
        pass
