"""Finding projects and input files; what cannot be read is listed, not dropped."""

import os

import pytest

from lockin.scan.discover import InputFile, find_projects, walk_project
from lockin.records import InputError, Problem


@pytest.fixture
def portfolio(tmp_path):
    root = tmp_path / "portfolio"
    (root / "alpha" / "src").mkdir(parents=True)
    (root / "beta").mkdir()
    (root / ".hidden").mkdir()
    (root / "alpha" / "src" / "k.cu").write_text("__global__ void k() {}\n")
    (root / "alpha" / "README.md").write_text("not an input\n")
    (root / "alpha" / "requirements.txt").write_text("torch\n")
    (root / "beta" / "train.py").write_text("import torch\n")
    return root


def test_immediate_subfolders_are_projects(portfolio):
    assert [p.name for p in find_projects(portfolio)] == ["alpha", "beta"]


def test_a_folder_can_be_one_named_project(portfolio):
    (project,) = find_projects(portfolio / "alpha", project_name="trainer")
    assert project.name == "trainer" and project.root == portfolio / "alpha"


def test_manifest_names_projects_and_keeps_metadata(portfolio):
    (portfolio / "portfolio.yml").write_text(
        "projects:\n  - name: trainer\n    path: alpha\n    owner: ml-platform\n    criticality: high\n    gpu_hours: 120000\n  - beta\n"
    )
    projects = find_projects(portfolio)
    assert [(p.name, p.root.name) for p in projects] == [("trainer", "alpha"), ("beta", "beta")]
    assert projects[0].meta == {"owner": "ml-platform", "criticality": "high", "gpu_hours": 120000}


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("projects: [\n", "invalid YAML"),
        ("name: x\n", "'projects' list"),
        ("projects:\n  - name: x\n    path: missing\n", "does not exist"),
        ("projects:\n  - alpha\n  - alpha\n", "duplicate name"),
    ],
)
def test_bad_manifests_are_clear_errors(portfolio, manifest, message):
    (portfolio / "portfolio.yml").write_text(manifest)
    with pytest.raises(InputError, match=message):
        find_projects(portfolio)


def test_walk_yields_candidates_with_forward_slash_paths(portfolio):
    (alpha,) = [p for p in find_projects(portfolio) if p.name == "alpha"]
    entries = list(walk_project(alpha))
    assert [e.rel_path for e in entries if isinstance(e, InputFile)] == ["requirements.txt", "src/k.cu"]


def test_symlinks_out_of_the_tree_are_listed_not_followed(portfolio, tmp_path):
    outside = tmp_path / "secret.py"
    outside.write_text("import pycuda\n")
    alpha = portfolio / "alpha"
    os.symlink(outside, alpha / "linked.py")
    os.symlink(tmp_path, alpha / "linked_dir")
    os.symlink(alpha / "src" / "k.cu", alpha / "inside.cu")
    (project,) = find_projects(alpha, project_name="alpha")
    entries = list(walk_project(project))
    problems = {e.path: e.message for e in entries if isinstance(e, Problem)}
    files = [e.rel_path for e in entries if isinstance(e, InputFile)]
    assert "outside the scanned tree" in problems["linked.py"]
    assert "outside the scanned tree" in problems["linked_dir"]
    assert "inside.cu" in files and "linked.py" not in files


def test_oversized_files_and_generated_folders_are_listed(portfolio):
    alpha = portfolio / "alpha"
    (alpha / "big.cu").write_text("x" * 2048)
    (alpha / "node_modules").mkdir()
    (alpha / ".git").mkdir()
    (project,) = find_projects(alpha, project_name="alpha")
    problems = {e.path: e.message for e in walk_project(project, max_bytes=1024) if isinstance(e, Problem)}
    assert problems["big.cu"].startswith("too large: 2,048 bytes")
    assert "third-party" in problems["node_modules"]
    assert ".git" not in problems


def test_vendored_dependency_folders_are_listed_not_scanned(portfolio):
    """k8s-device-plugin vendors go-nvml: 2,624 NVML declarations in vendor/…/nvml.h were its findings."""
    alpha = portfolio / "alpha"
    (alpha / "go.mod").write_text("module example.com/plugin\n")
    for folder in ("vendor/github.com/example/nvml", "third_party/cutlass/include", "src/vendor"):
        (alpha / folder).mkdir(parents=True)
    (alpha / "vendor/github.com/example/nvml/nvml.h").write_text("nvmlReturn_t nvmlInit(void);\n")
    (alpha / "third_party/cutlass/include/gemm.h").write_text("#include <cuda_runtime.h>\n")
    (alpha / "src/vendor/kernels.cu").write_text("__global__ void k() {}\n")
    (project,) = find_projects(alpha, project_name="alpha")
    entries = list(walk_project(project))
    problems = {e.path: e.message for e in entries if isinstance(e, Problem)}
    files = {e.rel_path for e in entries if isinstance(e, InputFile)}
    assert "vendored" in problems["vendor"] and "vendored" in problems["third_party"]
    assert "src/vendor/kernels.cu" in files
    # A folder named vendor without a Go (or PHP, Ruby) manifest beside it is the project's own.
    assert "src/vendor/kernels.cu" in files
    assert not any(path.startswith(("vendor/", "third_party/")) for path in files)


def test_a_missing_path_is_an_error(tmp_path):
    with pytest.raises(InputError, match="not a folder"):
        find_projects(tmp_path / "nope")


def test_an_empty_folder_is_a_portfolio_without_projects(tmp_path):
    """It once became one project with no files, rated A 'stay' like a clean one."""
    (tmp_path / "empty").mkdir()
    assert find_projects(tmp_path / "empty") == []
    (tmp_path / "empty" / ".hidden").write_text("")
    assert find_projects(tmp_path / "empty") == []
    (tmp_path / "empty" / "requirements.txt").write_text("numpy\n")
    assert [p.name for p in find_projects(tmp_path / "empty")] == ["empty"]
