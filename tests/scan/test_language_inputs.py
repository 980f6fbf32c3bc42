"""Go, Rust and CI workflow inputs through the whole scan: detection, the Go
vendor folder, and catalog verdicts on what the new readers report."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockin.scan import ScanOptions, scan
from lockin.scan.formats import detect_formats

FIXTURES = Path(__file__).parents[1] / "fixtures" / "languages"


@pytest.fixture(scope="module")
def go_scan():
    return scan([FIXTURES / "go-plugin"], ScanOptions(project_name="go-plugin", jobs=1, progress=False))


@pytest.fixture(scope="module")
def rust_scan():
    return scan([FIXTURES / "rust-server"], ScanOptions(project_name="rust-server", jobs=1, progress=False))


def found(result, kind):
    rows = result.findings[result.findings["kind"] == kind]
    return sorted(zip(rows["path"], rows["line"].astype(int), rows["name"], rows["vendor"]))


@pytest.mark.parametrize(
    ("rel_path", "head", "expected"),
    [
        ("go.mod", "module x\n", ["go-mod"]),
        ("vendor/modules.txt", "# github.com/x/y v1.0.0\n", ["go-vendor"]),
        ("pkg/modules.txt", "anything\n", []),
        ("cmd/main.go", "package main\n", ["go"]),
        ("Cargo.toml", "[package]\n", ["cargo"]),
        ("Cargo.lock", "version = 4\n", ["cargo-lock"]),
        ("src/lib.rs", "", ["rust"]),
        # A workflow that mentions apiVersion and kind is still a workflow, not a Kubernetes manifest.
        (".github/workflows/deploy.yml", "name: deploy\n# apiVersion: v1\n# kind: Pod\n", ["ci-workflow"]),
        (".github/workflows/env.yaml", "name: x\ndependencies:\nchannels:\n", ["ci-workflow"]),
        (".github/actions/setup/action.yml", "name: setup\nruns:\n  using: composite\n", ["ci-workflow"]),
        (".gitlab-ci.yml", "stages: [test]\n", ["ci-workflow"]),
        ("ci/gpu.gitlab-ci.yml", "job:\n  script: [make]\n", ["ci-workflow"]),
        ("deploy/pod.yml", "apiVersion: v1\nkind: Pod\n", ["kubernetes"]),
    ],
)
def test_the_new_formats_claim_their_files(rel_path, head, expected):
    assert [f.name for f in detect_formats(rel_path, head)] == expected


def test_go_vendor_folder_is_skipped_and_listed_and_its_module_list_read(go_scan):
    skipped = go_scan.skipped[go_scan.skipped["path"] == "vendor"]
    assert len(skipped) == 1 and "Go vendored" in skipped["reason"].iloc[0]
    paths = set(go_scan.inputs["path"])
    assert "vendor/modules.txt" in paths
    assert not any(p.startswith("vendor/github.com") for p in paths)
    # The vendored NVML header's declarations are not the project's findings.
    assert not any(p.startswith("vendor/github.com") for p in go_scan.findings["path"])
    listed = go_scan.components[go_scan.components["path"] == "vendor/modules.txt"]
    assert set(listed["name"]) == {"github.com/NVIDIA/go-nvml", "github.com/NVIDIA/go-nvlib", "github.com/example/go-gpuallocator"}


def test_go_requirements_imports_and_cgo_are_nvidia_findings(go_scan):
    assert ("go.mod", 6, "github.com/NVIDIA/go-nvml", "nvidia") in found(go_scan, "package")
    assert found(go_scan, "module") == [
        ("cmd/plugin/main.go", 9, "github.com/NVIDIA/go-nvlib/pkg/nvlib/device", "nvidia"),
        ("cmd/plugin/main.go", 10, "github.com/NVIDIA/go-nvml/pkg/nvml", "nvidia"),
    ]
    assert ("internal/gpu/driver.go", 6, "nvml.h", "nvidia") in found(go_scan, "include")
    assert ("internal/gpu/driver.go", 4, "link=nvidia-ml", "nvidia") in found(go_scan, "build")
    apis = {name for _, _, name, _ in found(go_scan, "api")}
    assert {"cuInit", "cuDeviceGetCount"} <= apis


def test_workflow_runners_and_images_are_found(go_scan):
    clusters = found(go_scan, "cluster")
    assert (".github/workflows/e2e.yml", 14, "runner=h100", "nvidia") in clusters
    assert (".github/workflows/e2e.yml", 29, "runner=linux-mi300-gpu-1", "amd") in clusters
    assert not any(name in ("runner=ubuntu-latest", "runner=linux") for _, _, name, _ in clusters)
    assert (".github/workflows/e2e.yml", 16, "nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04", "nvidia") in found(go_scan, "image")
    formats = dict(zip(go_scan.inputs["path"], go_scan.inputs["formats"]))
    assert formats[".github/workflows/e2e.yml"] == "ci-workflow"


def test_rust_crates_features_uses_and_gitlab_jobs_are_found(rust_scan):
    packages = found(rust_scan, "package")
    assert ("Cargo.toml", 7, "cudarc", "nvidia") in packages
    assert ("Cargo.toml", 21, "candle-core[cuda]", "nvidia") in packages
    assert ("Cargo.toml", 17, "hip-runtime-sys", "amd") in packages
    assert not any(name == "candle-core" for _, _, name, _ in packages)  # candle without CUDA is portable
    modules = found(rust_scan, "module")
    assert ("src/main.rs", 4, "cudarc::driver::CudaDevice", "nvidia") in modules
    assert ("src/main.rs", 5, "nvml_wrapper::Nvml", "nvidia") in modules
    clusters = found(rust_scan, "cluster")
    assert (".gitlab-ci.yml", 7, "runner=saas-linux-medium-gpu-standard", "nvidia") in clusters
    assert (".gitlab-ci.yml", 23, "runner=nvidia", "nvidia") in clusters


def test_a_device_plugin_importing_its_own_packages_is_not_charged_for_them(tmp_path):
    # NVIDIA's device plugin imports its own packages under github.com/NVIDIA/k8s-device-plugin/…;
    # those are the project's code, only its go-nvml imports are NVIDIA evidence.
    (tmp_path / "go.mod").write_text("module github.com/NVIDIA/k8s-device-plugin\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(
        'package main\n\nimport (\n\t"github.com/NVIDIA/go-nvml/pkg/nvml"\n\t"github.com/NVIDIA/k8s-device-plugin/internal/rm"\n)\n'
    )
    result = scan([tmp_path], ScanOptions(project_name="plugin", jobs=1, progress=False))
    assert found(result, "module") == [("main.go", 4, "github.com/NVIDIA/go-nvml/pkg/nvml", "nvidia")]


def test_a_go_projects_imports_of_its_own_module_are_not_evidence(tmp_path):
    """NVIDIA's device plugin imports its own packages under its module path: they were 104 NVIDIA findings."""
    project = tmp_path / "device-plugin"
    (project / "cmd").mkdir(parents=True)
    (project / "go.mod").write_text("module github.com/NVIDIA/k8s-device-plugin\n\ngo 1.22\n")
    (project / "cmd" / "main.go").write_text(
        'package main\n\nimport (\n\t"github.com/NVIDIA/k8s-device-plugin/internal/rm"\n\t"github.com/NVIDIA/go-nvml/pkg/nvml"\n)\n'
    )
    consumer = tmp_path / "operator"
    consumer.mkdir()
    (consumer / "go.mod").write_text("module example.com/operator\n\ngo 1.22\n")
    (consumer / "main.go").write_text('package main\n\nimport "github.com/NVIDIA/k8s-device-plugin/api/config/v1"\n')
    own = scan([project], ScanOptions(project_name="device-plugin", jobs=1, progress=False))
    modules = own.findings[own.findings["kind"] == "module"]
    assert list(modules["name"]) == ["github.com/NVIDIA/go-nvml/pkg/nvml"]
    # Another project importing the device plugin's API does depend on it.
    other = scan([consumer], ScanOptions(project_name="operator", jobs=1, progress=False))
    assert list(other.findings.loc[other.findings["kind"] == "module", "vendor"]) == ["nvidia"]
