"""`lockin scan` on the bundled sample portfolio finds what a migration
engineer would list: every row of the portfolio README's checklist, nothing
inside comments or strings, no credential anywhere in the output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from checklist import parse_checklist

ROOT = Path(__file__).resolve().parents[1]
PORTFOLIO = ROOT / "data" / "portfolio"
ROWS = parse_checklist((PORTFOLIO / "README.md").read_text(encoding="utf-8"))
SECRETS = ("s3cr3t-t0ken", "ci-bot:")


def lockin(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lockin", *args], capture_output=True, text=True, check=True, cwd=ROOT)


@pytest.fixture(scope="module")
def scan_run():
    return lockin("scan", str(PORTFOLIO), "--format", "json", "--no-progress")


@pytest.fixture(scope="module")
def findings(scan_run):
    return json.loads(scan_run.stdout)


@pytest.fixture(scope="module")
def components():
    return json.loads(lockin("inventory", str(PORTFOLIO), "--format", "json", "--no-progress").stdout)


def places(records):
    return {(r["project"], r["path"], r["line"], r["kind"], r["name"]) for r in records}


def test_every_expected_checklist_row_is_reported(findings, components):
    reported = places(findings) | places(components)
    expected = [r for r in ROWS if r.table == "expected" and not r.note.lower().startswith("stretch")]
    missing = [r for r in expected if (r.project, r.path, int(r.line), r.kind, r.name) not in reported]
    assert len(expected) > 250
    assert missing == []


def must_not_match(row, finding) -> bool:
    """Whether a finding falls on a checklist place that must yield nothing.

    Single lines name the identifier that must not be reported there; line
    ranges ("1-6") and "all" are comments or docstrings where nothing may be
    reported; "any `.hip` file" rows name constructs no HIP file may show.
    """
    if row.path.startswith("any "):
        suffix = row.path.split("`")[1]
        names = {n.strip() for n in row.name.split(",")}
        return finding["path"].endswith(suffix) and finding["name"] in names
    if finding["path"] != row.path:
        return False
    if row.line == "all":
        return finding["vendor"] != "neutral"
    if "-" in row.line:
        first, last = map(int, row.line.split("-"))
        return first <= (finding["line"] or 0) <= last
    return finding["line"] == int(row.line) and finding["name"] == row.name


def test_nothing_in_comments_strings_or_own_macros_is_a_finding(findings):
    must_not = [r for r in ROWS if r.table == "must-not"]
    false_positives = [
        (r, f["name"]) for r in must_not for f in findings if f["project"] == r.project and must_not_match(r, f)
    ]
    assert len(must_not) > 20 and false_positives == []


def test_the_portable_project_comes_out_clean(findings):
    bound = [r for r in findings if r["project"] == "tabular-forecaster" and r["vendor"] != "neutral"]
    assert bound == []


def test_the_rocm_project_is_portable_towards_amd_and_bound_towards_nvidia(findings):
    rocm = [r for r in findings if r["project"] == "rocm-serving"]
    assert {r["portability"] for r in rocm if r["vendor"] == "amd"} == {"portable"}
    towards_nvidia = json.loads(lockin("scan", str(PORTFOLIO / "rocm-serving"), "--project", "rocm-serving", "--target", "nvidia", "--format", "json").stdout)
    amd = [r for r in towards_nvidia if r["vendor"] == "amd"]
    assert len(amd) > 20 and any(r["portability"] == "rewrite" for r in amd)


def test_roadblocks_are_where_a_migration_engineer_would_point(findings):
    rewrites = {(r["project"], r["kind"], r["name"]) for r in findings if r["portability"] == "rewrite"}
    # (full-warp-mask is a mechanical fix, translatable: not a roadblock)
    for construct in ("inline-ptx", "wgmma", "tma", "thread-block-cluster"):
        assert ("llm-trainer", "construct", construct) in rewrites, construct
    assert any(p == "rapids-analytics" and n.startswith("cudf") for p, _, n in rewrites)
    # Distinct roadblocks, not findings: cudf named on many lines (and as
    # cudf-cu12, cudf.DataFrame …) is one library to swap.
    distinct = {(r["project"], r["name"] if r["kind"] == "construct" else r["family"] or r["name"]) for r in findings if r["portability"] == "rewrite"}
    per_project = {}
    for project, _ in distinct:
        per_project[project] = per_project.get(project, 0) + 1
    assert max(per_project, key=per_project.get) == "llm-trainer"


def test_platform_evidence_is_found(findings):
    names = {(r["project"], r["name"]) for r in findings}
    assert ("llm-trainer", "nvcr.io/nvidia/pytorch:24.05-py3") in names
    assert ("llm-trainer", "nvidia.com/gpu") in names
    assert ("inference-gateway", "onnxruntime:TensorrtExecutionProvider") in names
    assert ("rapids-analytics", "rapidsai") in names


def test_no_credential_in_any_output(scan_run, components):
    table = lockin("scan", str(PORTFOLIO))
    csv_out = lockin("scan", str(PORTFOLIO), "--format", "csv")
    texts = [scan_run.stdout, scan_run.stderr, json.dumps(components), table.stdout, table.stderr, csv_out.stdout]
    for secret in SECRETS:
        assert not any(secret in text for text in texts), secret
    assert "s3cr3t-t0ken" in (PORTFOLIO / "llm-trainer" / "requirements.txt").read_text()


def test_nothing_is_skipped_in_the_sample_portfolio(scan_run):
    assert "skipped:" not in scan_run.stderr
    assert ", 0 skipped" in scan_run.stderr
