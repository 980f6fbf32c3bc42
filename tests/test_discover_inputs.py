"""Inputs that used to abort, hang or vanish: symlink loops, unreadable folders,
FIFOs, and portfolio.yml values of the wrong type."""

from __future__ import annotations

import os

import pytest

from lockin.scan.discover import InputFile, Project, find_projects, walk_project
from lockin.records import InputError, Problem
from lockin.scan import ScanOptions, scan


def entries(project_root, name="p"):
    return list(walk_project(Project(name, project_root)))


def skips(found):
    return {e.path: e.message for e in found if isinstance(e, Problem)}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "portfolio" / "p"
    (root / "sub").mkdir(parents=True)
    (root / "requirements.txt").write_text("torch==2.3\n")
    (root / "sub" / "requirements.txt").write_text("cupy-cuda12x\n")
    return root


def test_a_symlink_loop_is_listed_as_skipped_and_the_walk_goes_on(project):
    (project / "Dockerfile").symlink_to("Dockerfile.a")
    (project / "Dockerfile.a").symlink_to("Dockerfile")
    found = entries(project)
    assert {"Dockerfile", "Dockerfile.a"} <= set(skips(found))
    assert "symbolic links" in skips(found)["Dockerfile"]
    assert [e.rel_path for e in found if isinstance(e, InputFile)] == ["requirements.txt", "sub/requirements.txt"]


def test_a_scan_over_a_symlink_loop_finishes(project):
    (project / "Dockerfile").symlink_to("Dockerfile.a")
    (project / "Dockerfile.a").symlink_to("Dockerfile")
    result = scan([project.parent], ScanOptions(jobs=1, progress=False))
    assert set(result.skipped["path"]) >= {"Dockerfile", "Dockerfile.a"}
    assert "cupy-cuda12x" in set(result.findings["name"])


def _unreadable(monkeypatch, *folders):
    """os.scandir raising PermissionError for these folders, as chmod 000 does
    for anyone but root (the tests run as root, who can read anything)."""
    real = os.scandir
    refused = {os.fspath(f) for f in folders}

    def scandir(path="."):
        if os.fspath(path) in refused:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_sub_folder_is_listed(project, monkeypatch):
    _unreadable(monkeypatch, project / "sub")
    found = entries(project)
    assert skips(found) == {"sub": "unreadable folder: Permission denied; its files are not scanned"}
    assert [e.rel_path for e in found if isinstance(e, InputFile)] == ["requirements.txt"]


def test_an_unreadable_project_folder_is_listed(project, monkeypatch):
    _unreadable(monkeypatch, project)
    assert skips(entries(project)) == {".": "unreadable folder: Permission denied; its files are not scanned"}


def test_a_project_with_unreadable_folders_is_incomplete_in_scan_and_score(project, monkeypatch):
    from lockin.scoring.score import SCORE_COLUMNS
    from lockin.scoring.score import score as score_scan

    (project.parent / "q").mkdir()
    (project.parent / "q" / "requirements.txt").write_text("numpy\n")
    _unreadable(monkeypatch, project / "sub")
    result = scan([project.parent], ScanOptions(jobs=1, progress=False))
    summary = dict(zip(result.summary["record"] + ":" + result.summary["project"].fillna(""), result.summary["incomplete"]))
    assert summary == {"project:p": "1 unreadable folder(s)", "project:q": "", "portfolio:": "1 of 2 project(s) incomplete"}
    scores = score_scan(result)
    assert SCORE_COLUMNS[-1] == "incomplete"
    assert dict(zip(scores.frame["record"] + ":" + scores.frame["project"].fillna(""), scores.frame["incomplete"])) == summary


def test_an_unreadable_portfolio_folder_is_an_input_error(tmp_path, monkeypatch):
    import pathlib

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(pathlib.Path, "iterdir", refuse)
    with pytest.raises(InputError, match="cannot list"):
        find_projects(tmp_path)


def test_a_fifo_named_like_an_input_is_skipped_not_read(project):
    os.mkfifo(project / "environment.yml")
    (project / "Dockerfile").symlink_to("environment.yml")
    found = skips(entries(project))
    assert found["environment.yml"] == "not a regular file (a named pipe); not read"
    assert found["Dockerfile"] == "not a regular file (a named pipe); not read"
    # And the scan finishes (reading a FIFO would block forever).
    result = scan([project.parent], ScanOptions(jobs=1, progress=False))
    assert "environment.yml" in set(result.skipped["path"])


# --- portfolio.yml schema -------------------------------------------------


@pytest.fixture
def portfolio(tmp_path):
    (tmp_path / "alpha").mkdir()
    return tmp_path


def manifest(portfolio, body: str):
    (portfolio / "portfolio.yml").write_text("projects:\n  - name: alpha\n    path: alpha\n" + body)
    return find_projects(portfolio)


@pytest.mark.parametrize(
    ("body", "field", "line"),
    [
        ("    workloads: 42\n", "workloads", 4),
        ("    gpu_hours_per_month: -5\n", "gpu_hours_per_month", 4),
        ("    gpu_hours_per_month: .nan\n", "gpu_hours_per_month", 4),
        ("    gpu_hours_per_month: .inf\n", "gpu_hours_per_month", 4),
        ("    owner: x\n    gpu_hours_per_month: lots\n", "gpu_hours_per_month", 5),
        ("    gpu_hours_per_month: true\n", "gpu_hours_per_month", 4),
        ("    accelerator: [H100]\n", "accelerator", 4),
        ("    hardware: leased\n", "hardware", 4),
        ("    hardware: {refresh: soon}\n", "hardware", 4),
        ("    workloads: [llama2-70b, {a: b}]\n", "workloads", 4),
    ],
)
def test_wrong_values_name_file_line_project_and_field(portfolio, body, field, line):
    with pytest.raises(InputError) as caught:
        manifest(portfolio, body)
    problem = caught.value.problem
    assert problem.path == str(portfolio / "portfolio.yml") and problem.line == line
    assert "project 'alpha'" in problem.message and f"'{field}'" in problem.message


def test_a_list_as_name_is_an_error_with_line(portfolio):
    (portfolio / "portfolio.yml").write_text("projects:\n  - name: [a, b]\n    path: alpha\n")
    with pytest.raises(InputError, match="'name': expected a text") as caught:
        find_projects(portfolio)
    assert caught.value.problem.line == 2


def test_good_values_are_typed(portfolio):
    (project,) = manifest(portfolio, "    gpu_hours_per_month: 1200.5\n    workloads: llama2-70b\n    hardware: {refresh: 2027-06}\n    accelerator: H100 SXM\n    git: https://example.com/x.git\n    ref: v1\n")
    assert project.meta == {
        "gpu_hours_per_month": 1200.5,
        "workloads": ["llama2-70b"],  # one name without brackets is a one-element list
        "hardware": {"refresh": "2027-06"},
        "accelerator": "H100 SXM",
        "git": "https://example.com/x.git",
        "ref": "v1",
    }
    assert project.problems == ()


def test_a_misspelt_field_is_a_warning_with_a_suggestion_listed_by_the_scan(portfolio):
    (project,) = manifest(portfolio, "    gpu_hour_per_month: 10\n    acclerator: MI300X\n")
    messages = [p.message for p in project.problems]
    assert any("'gpu_hour_per_month'" in m and "did you mean 'gpu_hours_per_month'" in m for m in messages)
    assert any("did you mean 'accelerator'" in m for m in messages)
    assert [(p.path, p.line) for p in project.problems] == [("../portfolio.yml", 4), ("../portfolio.yml", 5)]
    result = scan([portfolio], ScanOptions(jobs=1, progress=False))
    assert sum("did you mean" in r for r in result.skipped["reason"]) == 2


def test_a_manifest_alias_bomb_is_refused(portfolio):
    levels = ['x0: &x0 ["a", "a", "a", "a", "a", "a", "a", "a", "a"]'] + [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 9)}]" for i in range(1, 9)]
    (portfolio / "portfolio.yml").write_text("\n".join(levels) + "\nprojects:\n  - name: alpha\n    workloads: *x8\n")
    with pytest.raises(InputError, match="alias"):
        find_projects(portfolio)


def test_a_fifo_named_by_a_requirements_reference_is_not_read(project):
    (project / "requirements.txt").write_text("-r extra.txt\ntorch\n")
    os.mkfifo(project / "extra.txt")
    result = scan([project.parent], ScanOptions(jobs=1, progress=False))
    assert any("'extra.txt' is not a regular file" in reason for reason in result.skipped["reason"])


def test_an_unreadable_input_file_makes_the_project_incomplete(project, monkeypatch):
    import lockin.scan.reading

    real = lockin.scan.reading.read_file_bytes

    def read(path):
        if path.endswith(os.path.join("sub", "requirements.txt")):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(lockin.scan.reading, "read_file_bytes", read)
    result = scan([project.parent], ScanOptions(jobs=1, progress=False))
    assert result.summary.set_index("project").loc["p", "incomplete"] == "1 unreadable file(s)"


def test_shared_defaults_merge_and_empty_fields_are_not_given(portfolio):
    (portfolio / "beta").mkdir()
    (portfolio / "portfolio.yml").write_text(
        "defaults: &gpu {accelerator: H100 SXM, gpu_hours_per_month: 100}\n"
        "projects:\n  - name: alpha\n    <<: *gpu\n    owner:\n  - name: beta\n    <<: *gpu\n    gpu_hours_per_month: -1\n"
    )
    with pytest.raises(InputError, match="project 'beta', field 'gpu_hours_per_month'") as caught:
        find_projects(portfolio)
    assert caught.value.problem.line == 8
    (portfolio / "portfolio.yml").write_text(
        "defaults: &gpu {accelerator: H100 SXM, gpu_hours_per_month: 100}\nprojects:\n  - name: alpha\n    <<: *gpu\n    owner:\n"
    )
    (alpha,) = find_projects(portfolio)
    assert alpha.meta == {"accelerator": "H100 SXM", "gpu_hours_per_month": 100}


def test_score_names_the_incomplete_projects_on_standard_error(project, monkeypatch):
    from click.testing import CliRunner

    from lockin.cli import main

    _unreadable(monkeypatch, project / "sub")
    result = CliRunner().invoke(main, ["score", str(project.parent), "--jobs", "1", "--no-progress", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "incomplete: p: 1 unreadable folder(s)" in result.stderr
