"""End to end with the real notebooks: two periods of the sample portfolio, and secrets.

These run the five notebooks in ``notebooks/`` (a minute or so per
report), so they share one two-period render.
"""

import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from pypdf import PdfReader

from lockin.report.history import read_history, recorded_periods
from lockin.report.run import NOTEBOOKS, ReportSettings, render_period, sample_portfolio_dir

SAMPLE_PROJECTS = [entry["name"] for entry in yaml.safe_load((sample_portfolio_dir() / "portfolio.yml").read_text())["projects"]]
SECRET = "s3cr3t-token-e2e"
HF_SECRET = "hf_E2eTestTokenAbcdefghijklmnop"


def pdf_text(path):
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def two_periods(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("e2e") / "reports"
    outcomes = [render_period(ReportSettings(period=period, portfolio=sample_portfolio_dir(), out_dir=out_dir, progress=False)) for period in ("2026-10", "2026-11")]
    return out_dir, outcomes


def test_both_periods_are_published_with_every_notebook(two_periods):
    out_dir, outcomes = two_periods
    for outcome in outcomes:
        names = {path.name for path in outcome.folder.iterdir()}
        assert set(NOTEBOOKS) <= names
        assert {"strategy_report.html", "strategy_report.pdf", "period_figures.json"} <= names
    index = (out_dir / "index.html").read_text()
    assert index.index('href="2026-11/strategy_report.pdf"') < index.index('href="2026-10/strategy_report.pdf"')


def test_the_history_holds_one_row_set_per_period(two_periods):
    out_dir, _ = two_periods
    history = read_history(out_dir / "history.sqlite")
    assert recorded_periods(out_dir / "history.sqlite") == ["2026-10", "2026-11"]
    assert not history.duplicated(["period", "project"]).any()
    latest = history.query("period == '2026-11'")
    assert set(SAMPLE_PROJECTS) == set(latest.loc[latest["record"] == "project", "project"])
    assert list(latest["record"]).count("portfolio") == 1


def test_the_pdf_has_the_projects_sections_figures_and_a_two_point_trend(two_periods):
    _, outcomes = two_periods
    pdf = outcomes[1].pdf
    text = pdf_text(pdf)
    for project in SAMPLE_PROJECTS:
        assert project in text
    for section in ("Executive summary", "Trend", "Appendix"):
        assert section in text
    assert "Vendor lock-in strategy report" in text and "2026-11" in text
    assert re.search(r"page 2 of \d+", text)
    images = {image.name for page in PdfReader(pdf).pages for image in page.images}
    assert len(images) >= 2, "the report's figures are embedded in the PDF"
    # Every page's running header names 2026-11; the earlier period shows
    # only where the trend (or the change since last period) does.
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    assert any("2026-10" in page for page in pages[2:]), "the trend shows the earlier period beside this one"
    trend_page = next(page for page in pages[2:] if "Trend" in page and "2026-10" in page)
    rows = [line for line in trend_page.splitlines() if re.match(r"^2026-1[01] ", line)]
    assert [row.split()[0] for row in rows] == ["2026-10", "2026-11"], "the trend table has two points, oldest first"
    assert "since 2026-10" in text, "the executive summary reports the change since the last period"


def test_the_html_hides_code_and_parameters(two_periods):
    _, outcomes = two_periods
    page = outcomes[1].html.read_text()
    assert "from lockin.notebook import" not in page
    assert "papermill injects" not in page and "injected-parameters" not in page
    assert "<script" not in page


@pytest.fixture(scope="module")
def portfolio_with_secrets(tmp_path_factory):
    root = tmp_path_factory.mktemp("secret") / "portfolio"
    shutil.copytree(sample_portfolio_dir(), root)
    project = root / SAMPLE_PROJECTS[0]
    (project / "requirements-private.txt").write_text(f"--index-url https://deploy-bot:{SECRET}@pypi.example/simple\ntorch==2.4.0\n")
    (project / "Dockerfile.private").write_text(f"FROM nvcr.io/nvidia/pytorch:24.05-py3\nENV HF_TOKEN={HF_SECRET}\n")
    params = root.parent / "params.yml"
    params.write_text(f"# mirror: https://ops:{SECRET}@mirror.example/simple\nseed: 7\n")
    return root, params


def test_no_credential_from_the_inputs_reaches_any_output(portfolio_with_secrets, tmp_path):
    portfolio, params = portfolio_with_secrets
    out_dir = tmp_path / "reports"
    run = subprocess.run(
        [sys.executable, "-m", "lockin.report.command", "--period", "2026-11", "--portfolio", str(portfolio), "--params", str(params), "--out", str(out_dir), "--no-progress"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr
    leaks = [stream for stream in (run.stdout, run.stderr) if SECRET in stream or HF_SECRET in stream]
    assert leaks == []
    for path in sorted(out_dir.rglob("*")):
        if not path.is_file() or path.name == ".lockin-report.lock":
            continue
        data = path.read_bytes()
        assert SECRET.encode() not in data and HF_SECRET.encode() not in data, f"a credential reached {path}"
        if path.suffix == ".pdf":
            text = pdf_text(path)
            assert SECRET not in text and HF_SECRET not in text
        if path.suffix == ".ipynb":
            notebook = json.loads(data)
            assert SECRET not in json.dumps(notebook, ensure_ascii=False)
    # The redacted inputs are there, so the test did read them.
    notebooks = "".join(path.read_text() for path in (out_dir / "2026-11").glob("*.ipynb"))
    assert "pypi.example" in notebooks or "requirements-private.txt" in notebooks
