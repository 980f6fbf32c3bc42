"""The command line: output contracts, stdout/stderr separation, exit codes."""

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from lockin.cli import main
from lockin.records import COMPONENT_COLUMNS, FINDING_COLUMNS


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "svc"
    root.mkdir()
    (root / "requirements.txt").write_text("--index-url https://bot:hunter2hunter2@pypi.corp.example/simple\ntensorrt==10.0.1\nrequests==2.32.0\n")
    (root / "infer.py").write_text("import tensorrt as trt\nlogger = trt.Logger(trt.Logger.WARNING)\n")
    return root


def run(*args):
    # click >= 8.2 keeps stdout and stderr apart in result.stdout / result.stderr.
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_python_dash_m_lockin_shows_help():
    done = subprocess.run([sys.executable, "-m", "lockin", "--help"], capture_output=True, text=True, check=True)
    assert "scan" in done.stdout and "Examples:" in done.stdout


def test_scan_help_explains_the_record():
    result = run("scan", "--help")
    assert result.exit_code == 0
    for word in ("--format", "--out", "--catalog", "--target", "--project", "portability"):
        assert word in result.output


def test_scan_json_is_an_array_of_finding_objects_on_stdout(project):
    result = run("scan", str(project), "--project", "svc", "--format", "json", "--no-progress")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert records and all(list(r) == list(FINDING_COLUMNS) for r in records)
    names = {r["name"] for r in records}
    assert {"tensorrt", "tensorrt.Logger"} <= names
    assert "requests" not in names
    assert "hunter2hunter2" not in result.stdout + result.stderr
    assert "finding(s)" in result.stderr and "finding(s)" not in result.stdout


def test_scan_csv_to_a_file(project, tmp_path):
    out = tmp_path / "out" / "findings.csv"
    out.parent.mkdir()  # --out creates no folder (tests/report/test_out_option.py)
    result = run("scan", str(project), "--project", "svc", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0]) == list(FINDING_COLUMNS)
    assert {r["project"] for r in rows} == {"svc"}


def test_scan_table_ends_with_summary_and_skips(project):
    (project / "blob.cu").write_bytes(b"\0\0")
    result = run("scan", str(project), "--project", "svc")
    assert result.exit_code == 0
    findings_at = result.stdout.index("Findings")
    summary_at = result.stdout.index("Summary (target: amd")
    skipped_at = result.stdout.index("Skipped inputs")
    assert findings_at < summary_at < skipped_at
    assert "conversion_pct" in result.stdout and "blob.cu" in result.stdout


def test_inventory_lists_every_component(project):
    result = run("inventory", str(project), "--project", "svc", "--format", "json")
    records = json.loads(result.stdout)
    assert all(list(r) == list(COMPONENT_COLUMNS) for r in records)
    assert {"tensorrt", "requests"} <= {r["name"] for r in records}
    assert "hunter2hunter2" not in result.stdout


def test_inventory_takes_no_target_because_components_are_vendor_neutral(project):
    options = run("inventory", "--help").output.split("Options:")[1]
    assert "--target" not in options and "--catalog" in options
    refused = run("inventory", str(project), "--project", "svc", "--target", "nvidia")
    assert refused.exit_code == 2 and "No such option" in refused.stderr and "--target" in refused.stderr
    assert "--target" in run("scan", "--help").output


def test_a_missing_path_fails_with_a_usage_error(tmp_path):
    result = run("scan", str(tmp_path / "nope"))
    assert result.exit_code == 2


def test_catalog_validate_reports_file_and_line(tmp_path):
    (tmp_path / "ours.csv").write_text("kind,match,vendor,layer,source\napi,fooBar,nvidia,runtime,\n")
    result = run("catalog", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'ours.csv'}:2" in result.stderr


def test_user_catalog_adds_a_finding(project, tmp_path):
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "internal.csv").write_text(
        "kind,ecosystem,match_type,match,vendor,layer,amd,amd_alternative,source\n"
        "package,pypi,exact,requests,nvidia,library,replaceable,httpx,our own audit 2026-11\n"
    )
    result = run("scan", str(project), "--project", "svc", "--format", "json", "--catalog", str(ours))
    found = {r["name"]: r for r in json.loads(result.stdout)}
    assert found["requests"]["alternative"] == "httpx"
    assert found["requests"]["source"] == "our own audit 2026-11"


def test_catalog_show_filters_by_kind():
    result = run("catalog", "show", "--kind", "construct", "--format", "json")
    rows = json.loads(result.stdout)
    assert rows and {r["kind"] for r in rows} == {"construct"}
