"""`lockin report` renders for any portfolio a user brings, and borrows nothing from the sample.

Each portfolio is made in the test (see ``tests/portfolios.py``) and
reported on with the real command and the real notebooks; each run takes
about a minute, the 300-project one about three.
"""

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

import portfolios

#: The gap sentence each portfolio's report must carry.
CASES = {
    "empty": (portfolios.empty, ["No projects.", "holds no project"]),
    "cpu-only": (portfolios.cpu_only, ["Nothing to migrate", "No roadblocks."]),
    "no-manifest": (portfolios.without_manifest, ["Economics not computed: no project has both gpu_hours_per_month"]),
    "all-amd": (portfolios.all_amd, ["every project with GPU work already runs on amd"]),
    "no-gpu-hours": (portfolios.no_gpu_hours, ["Economics not computed: no project has both gpu_hours_per_month"]),
}

#: An A4 page's text area is 174 × 255 mm; a figure drawn 8 in wide is scaled to 174 mm.
MAX_HEIGHT_OVER_WIDTH = 255 / 174


def report(portfolio, out_dir, *extra):
    """Run ``lockin report`` as a user does; return the finished process."""
    command = [sys.executable, "-m", "lockin", "report", "--period", "2026-11", "--portfolio", str(portfolio), "--out", str(out_dir), "--no-progress", *extra]
    return subprocess.run(command, capture_output=True, text=True, cwd=Path(out_dir).parent, timeout=1200)


def pdf_text(path):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def figure_sizes(notebook_path):
    """(width, height) in pixels of every figure in an executed notebook."""
    book = json.loads(notebook_path.read_text())
    sizes = []
    for cell in book["cells"]:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                sizes.append(Image.open(io.BytesIO(base64.b64decode(png))).size)
    return sizes


@pytest.fixture(scope="module", params=sorted(CASES))
def rendered(request, tmp_path_factory):
    make, expected = CASES[request.param]
    root = tmp_path_factory.mktemp(request.param)
    portfolio = make(root / "portfolio")
    run = report(portfolio, root / "reports")
    return request.param, expected, run, root / "reports" / "2026-11"


def test_the_report_renders_and_says_what_is_missing(rendered):
    name, expected, run, folder = rendered
    assert run.returncode == 0, f"{name}: {run.stderr[-3000:]}"
    assert (folder / "strategy_report.html").is_file() and (folder / "strategy_report.pdf").is_file()
    text = pdf_text(folder / "strategy_report.pdf")
    for sentence in expected:
        assert sentence in text.replace("`", ""), f"{name}: {sentence!r} not in the PDF"
    assert "Executive summary" in text and "Appendix: provenance" in text


def test_nothing_of_the_sample_is_borrowed(rendered):
    name, _, run, folder = rendered
    text = pdf_text(folder / "strategy_report.pdf")
    assert "No fleet file was given" in text
    assert "8,442" not in text and "highly concentrated" not in text, f"{name}: the sample fleet reached the report"
    for sample_project in ("llm-trainer", "inference-gateway", "rapids-analytics", "rocm-serving", "tabular-forecaster"):
        assert sample_project not in text


def test_no_figure_is_taller_than_a_page(rendered):
    _, _, _, folder = rendered
    for notebook in sorted(folder.glob("*.ipynb")):
        for width, height in figure_sizes(notebook):
            assert height / width <= MAX_HEIGHT_OVER_WIDTH, f"{notebook.name}: a {width}×{height} figure"


def test_a_portfolio_of_300_projects_renders_in_at_most_40_pages(tmp_path):
    portfolio = portfolios.many(tmp_path / "portfolio", count=300)
    run = report(portfolio, tmp_path / "reports")
    assert run.returncode == 0, run.stderr[-3000:]
    folder = tmp_path / "reports" / "2026-11"
    pdf = folder / "strategy_report.pdf"
    pages = PdfReader(pdf).pages
    assert len(pages) <= 40, f"{len(pages)} pages"
    text = pdf_text(pdf)
    assert "Showing 25 of 300 projects" in text and "scores.csv" in text
    # The executive summary counts and names at most three per group: it fits on its page.
    summary_page = next(page.extract_text() for page in pages if "Executive summary" in page.extract_text() and "Across 300 project(s)" in page.extract_text())
    assert "more)" in summary_page
    book = json.loads((folder / "strategy_report.ipynb").read_text())
    summary_cell = next(cell for cell in book["cells"] if "executive_summary(" in "".join(cell["source"]))
    # nbformat may store a multi-line output as a list of lines.
    summary = "".join("".join(output["data"]["text/markdown"]) for output in summary_cell["outputs"] if "text/markdown" in output.get("data", {}))
    assert summary.count("\n\n") <= 8 and len(summary) < 3000, "the executive summary is at most a page"
    for width, height in figure_sizes(folder / "strategy_report.ipynb"):
        assert height / width <= MAX_HEIGHT_OVER_WIDTH
