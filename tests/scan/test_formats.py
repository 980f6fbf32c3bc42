"""The format registry: each format's own rules decide which files it reads,
and registering one more format is all it takes for the scan to read it."""

from __future__ import annotations

import pytest

from lockin.records import ReadResult
from lockin.scan import ScanOptions, scan
from lockin.scan import formats
from lockin.scan.formats import Format, candidate, detect_formats, register


def names(rel_path, head=""):
    return [f.name for f in detect_formats(rel_path, head)]


@pytest.mark.parametrize(
    ("rel_path", "head", "expected"),
    [
        ("src/kernel.cu", "", ["cxx"]),
        ("setup.py", "", ["setup-py", "python"]),
        ("tools/Dockerfile.rocm", "", ["dockerfile"]),
        # A name rule of an earlier entry wins over a later entry's sniff.
        ("Dockerfile.requirements.txt", "torch\n", ["dockerfile"]),
        ("CMakeLists.txt", "", ["cmake"]),
        ("jobs/train.sh", "#!/bin/bash\n#SBATCH --gres=gpu:4\n", ["slurm"]),
        ("jobs/build.sh", "#!/bin/bash\nmake\n", ["shell-script"]),
        ("tools/env.bash", "export X=1\n", ["shell-script"]),
        ("Makefile", "", ["makefile"]),
        ("src/common.mk", "", ["makefile"]),
        ("GNUmakefile", "", ["makefile"]),
        ("chart/templates/daemonset.yaml", "apiVersion: apps/v1\nkind: DaemonSet\n", ["template"]),
        ("chart/templates/_helpers.tpl", "{{- define \"x\" -}}\n", ["template"]),
        ("deploy/job.yaml-template", "kind: Job\n", ["template"]),
        ("roles/x/templates/pod.yml.j2", "", ["template"]),
        ("chart/values.yaml", "image:\n  repository: nvcr.io/nvidia/x\n", ["helm-values"]),
        ("chart/Chart.yaml", "name: x\ndependencies:\n  - name: nfd\n", ["helm-chart"]),
        ("roles/nvidia_cuda/defaults/main.yml", "cuda_version: cuda-toolkit-12-4\n", ["ansible"]),
        ("roles/nvidia-network-operator/tasks/main.yaml", "- name: x\n  k8s:\n    definition:\n      apiVersion: v1\n      kind: Pod\n", ["ansible"]),
        ("roles/nvidia/meta/main.yml", "dependencies:\n  - role: common\n", ["ansible"]),
        ("playbooks/gpu.yml", "- hosts: all\n", ["ansible"]),
        ("site.yml", "- hosts: all\n  roles:\n    - nvidia.nvidia_driver\n", ["ansible"]),
        ("config/group_vars/all.yml", "nvidia_driver_branch: 550\n", ["ansible"]),
        ("site.yml", "- name: GPU nodes\n  hosts: gpu\n  tasks: []\n", ["ansible"]),
        ("ci/pipeline.yaml", "apiVersion: tekton.dev/v1\nkind: Pipeline\nspec:\n  tasks:\n    - name: build\n", ["kubernetes"]),
        ("deploy/pod.yaml", "apiVersion: v1\nkind: Pod\n", ["kubernetes"]),
        ("environment.yml", "name: x\n", ["conda-env"]),
        ("sbom.json", '{"bomFormat": "CycloneDX"}', ["cyclonedx"]),
        ("x.spdx.json", "{}", ["spdx"]),
        ("requirements/base.txt", "torch\n", ["requirements"]),
        ("requirements-dev.in", "torch\n", ["requirements"]),
        ("pinned.txt", "# platform: linux-64\n", ["conda-list"]),
        ("README.txt", "read me\n", []),
        ("Cargo.toml", "[package]\n", ["cargo"]),
        ("taplo.toml", "[formatting]\n", []),
    ],
)
def test_each_built_in_format_claims_its_files(rel_path, head, expected):
    assert candidate(rel_path)
    assert names(rel_path, head) == expected


@pytest.mark.parametrize("rel_path", ["README.md", "lib/x.o", "build.gradle", "notes"])
def test_files_no_format_names_are_not_candidates(rel_path):
    assert not candidate(rel_path)


def read_toy(text: str, path: str) -> ReadResult:
    """A throwaway reader: every `need NAME` line is a package the project needs."""
    result = ReadResult()
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("need "):
            result.add("package", line.split()[1], number, line, "pypi")
    return result


@pytest.fixture
def toy_format():
    fmt = register(Format("toy", read_toy, "toy build file", names=("Toyfile",), suffixes=(".toy",), sniffs=(".txt",), sniff=lambda clue: clue.head.startswith("#toy")))
    yield fmt
    formats.unregister("toy")
    assert not candidate("Toyfile")


def test_a_registered_format_is_detected_by_its_own_rules(toy_format):
    assert candidate("Toyfile") and candidate("sub/a.toy")
    assert names("sub/Toyfile") == ["toy"]
    assert names("a.TOY") == ["toy"]
    assert names("notes.txt", "#toy\nneed numpy\n") == ["toy"]
    # Appended last: the formats registered before it keep their files.
    assert names("requirements.txt", "#toy\n") == ["requirements"]


def test_a_registered_format_is_read_by_the_scan(toy_format, tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "Toyfile").write_text("need cupy-cuda12x\nneed numpy\n")
    result = scan([project], ScanOptions(project_name="p", jobs=1, progress=False))
    assert set(result.components["name"]) == {"cupy-cuda12x", "numpy"}
    assert result.inputs.set_index("path").loc["Toyfile", "formats"] == "toy"
    # The catalog knows cupy-cuda12x: the new format's evidence is classified like any other.
    assert "cupy-cuda12x" in set(result.findings["name"])


def test_a_format_registered_before_another_wins_its_files(toy_format):
    formats.unregister("toy")
    register(toy_format, before="requirements")
    assert names("requirements.txt", "#toy\n") == ["toy"]
    assert names("requirements.txt", "torch\n") == ["requirements"]


def test_a_format_name_is_registered_once(toy_format):
    with pytest.raises(ValueError, match="registered already"):
        register(Format("toy", read_toy, "again", names=("Other",)))


def test_an_also_naming_no_format_is_refused():
    with pytest.raises(KeyError):
        register(Format("broken", read_toy, "broken", names=("Broken",), also=("no-such-format",)))
    assert "broken" not in formats.registered()


def test_endings_match_whatever_case_the_entry_spells_them_in():
    register(Format("toy-frag", read_toy, "toy fragment", suffixes=(".Frag",)))
    try:
        assert candidate("build/rules.frag") and names("build/rules.FRAG") == ["toy-frag"]
    finally:
        formats.unregister("toy-frag")


def test_registering_before_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="no format named 'nope'"):
        register(Format("toy-early", read_toy, "toy", names=("Toyfile",)), before="nope")
    assert "toy-early" not in formats.registered()


def test_a_format_that_follows_references_has_the_files_it_names_read(tmp_path):
    def read_including(text, path):
        result = read_toy(text, path)
        result.references.extend(line.split()[1] for line in text.splitlines() if line.startswith("include "))
        return result

    (tmp_path / "Toyfile").write_text("include pins/extra.lst\n")
    (tmp_path / "pins").mkdir()
    (tmp_path / "pins" / "extra.lst").write_text("cupy-cuda12x==13.0\n")  # a name no format claims
    for follows, expected in ((False, set()), (True, {"cupy-cuda12x"})):
        register(Format("toy-include", read_including, "toy", names=("Toyfile",), follows_references=follows))
        try:
            result = scan([tmp_path], ScanOptions(project_name="p", jobs=1, progress=False))
        finally:
            formats.unregister("toy-include")
        assert set(result.components["name"]) == expected
