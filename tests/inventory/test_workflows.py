"""CI workflows: GitHub Actions and GitLab CI runners, images and the tools jobs run."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockin.inventory.workflows import read_workflow
from lockin.records import InputError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "languages"


def evidence(result, kind):
    return [(e.name, e.line) for e in result.evidence if e.kind == kind]


def test_github_runners_containers_actions_and_run_steps():
    path = ".github/workflows/e2e.yml"
    result = read_workflow((FIXTURES / "go-plugin" / path).read_text(), path)
    assert result.problems == []
    assert evidence(result, "cluster") == [
        ("runner=ubuntu-latest", 9),
        ("runner=self-hosted", 14),
        ("runner=linux", 14),
        ("runner=h100", 14),
        ("runner=linux-mi300-gpu-1", 29),  # runs-on: ${{ matrix.runner }} takes the matrix's labels
        ("runner=ubuntu-22.04", 29),
    ]
    assert evidence(result, "image") == [("nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04", 16)]
    assert evidence(result, "package") == [("actions/checkout", 11), ("jimver/cuda-toolkit", 18)]
    # Programs of the run: commands, each at its own line of the literal block (sudo and X=1 skipped).
    assert evidence(result, "api") == [("go", 12), ("echo", 23), ("nvidia-smi", 24), ("nvcc", 25), ("rocm-smi", 32)]
    assert evidence(result, "env") == [("NVIDIA_VISIBLE_DEVICES", 6)]
    assert {e.ecosystem for e in result.evidence if e.kind == "cluster"} == {"github-actions"}


def test_gitlab_tags_images_services_and_scripts():
    result = read_workflow((FIXTURES / "rust-server" / ".gitlab-ci.yml").read_text(), ".gitlab-ci.yml")
    assert result.problems == []
    assert evidence(result, "cluster") == [("runner=saas-linux-medium-gpu-standard", 7), ("runner=nvidia", 23)]
    assert evidence(result, "image") == [("nvidia/cuda:12.4.1-devel-ubuntu22.04", 12), ("redis:7", 14)]
    # A folded block (>) loses its line breaks: the program's line is found again.
    assert evidence(result, "api") == [("nvidia-smi", 16), ("cargo", 18), ("gpu-server", 20)]
    assert evidence(result, "env") == [("NCCL_DEBUG", 4)]
    assert {e.ecosystem for e in result.evidence if e.kind == "cluster"} == {"gitlab-ci"}


def test_expressions_are_not_evidence_and_a_runner_group_gives_its_name_and_labels():
    text = (
        "jobs:\n"
        "  a:\n"
        "    runs-on:\n"
        "      group: big\n"
        "      labels: [gpu-a100]\n"
        "    container: ${{ inputs.image }}\n"
        "    steps:\n"
        "      - run: $TOOL --version\n"
        "  b:\n"
        "    runs-on: ${{ inputs.runner }}\n"
    )
    result = read_workflow(text, ".github/workflows/x.yml")
    assert [(e.kind, e.name, e.line) for e in result.evidence] == [("cluster", "runner=big", 4), ("cluster", "runner=gpu-a100", 5)]


def test_a_command_that_cannot_be_split_is_a_problem_naming_its_line():
    text = "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          ls\n          echo \"unclosed\n"
    result = read_workflow(text, ".github/workflows/x.yml")
    assert [(p.path, p.line) for p in result.problems] == [(".github/workflows/x.yml", 7)]
    assert "never closed" in result.problems[0].message


def test_invalid_yaml_is_an_input_error_naming_the_line():
    with pytest.raises(InputError) as caught:
        read_workflow("jobs:\n  a: [unclosed\n", ".github/workflows/x.yml")
    assert caught.value.problem.line is not None


def test_powershell_steps_give_the_first_word_of_each_line():
    # Windows runners default to PowerShell, whose ` continues a line: not POSIX shell, not a syntax error.
    text = (
        "jobs:\n"
        "  win:\n"
        "    runs-on: windows-latest\n"
        "    steps:\n"
        "      - run: |\n"
        "          cmake -B build `\n"
        "            -DGGML_CUDA=ON\n"
        "          & 'C:\\\\Program Files\\\\NVIDIA Corporation\\\\NVSMI\\\\nvidia-smi.exe' -L\n"
        "          $env:CUDA_PATH = 'x'\n"
        "      - shell: bash\n"
        "        run: nvcc --version\n"
    )
    result = read_workflow(text, ".github/workflows/win.yml")
    assert result.problems == []
    assert evidence(result, "api") == [("cmake", 6), ("nvidia-smi", 8), ("nvcc", 11)]
