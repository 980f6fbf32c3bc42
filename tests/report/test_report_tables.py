"""The report's full tables as CSV files beside the PDF."""

import copy
import csv

import pandas as pd
import pytest

from lockin.assessment import assess
from lockin.records import COMPONENT_COLUMNS, FINDING_COLUMNS, InputError, Problem
from lockin.report.tables import REPORT_TABLES, write_report_tables
from lockin.scoring.score import ROADBLOCK_COLUMNS, SCORE_COLUMNS

# Planted credentials: none may appear in any table.
SECRETS = ("Sup3rS3cretPass", "BadLinePass99", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "HardwarePass42")

REQUIREMENTS = """\
--extra-index-url https://ci-bot:Sup3rS3cretPass@pypi.example.com/simple
cupy-cuda12x==13.3.0
torch==2.4.0 ; not a marker https://u:BadLinePass99@example.com
"""

DOCKERFILE = """\
FROM nvcr.io/nvidia/pytorch:24.08-py3
ENV HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789
RUN pip install -r requirements.txt
"""

KERNEL = """\
#include <cuda_runtime.h>
__global__ void k(float* x) {
  asm volatile("wgmma.fence.sync.aligned;\\n" ::: "memory");
  asm volatile("wgmma.commit_group.sync.aligned;\\n" ::: "memory");
}
void launch(float* x) { k<<<1, 32>>>(x); cudaDeviceSynchronize(); }
"""


@pytest.fixture(scope="module")
def assessment(tmp_path_factory):
    root = tmp_path_factory.mktemp("portfolio")
    (root / "trainer" / "src").mkdir(parents=True)
    (root / "trainer" / "requirements.txt").write_text(REQUIREMENTS)
    (root / "trainer" / "Dockerfile").write_text(DOCKERFILE)
    (root / "trainer" / "src" / "kernel.cu").write_text(KERNEL)
    (root / "clean").mkdir()
    (root / "clean" / "requirements.txt").write_text("numpy==2.1.0\n")
    (root / "portfolio.yml").write_text("projects:\n  - {name: trainer, path: trainer, accelerator: H100 SXM, gpu_hours_per_month: 20000}\n  - {name: clean, path: clean}\n")
    return assess(root)


@pytest.fixture(scope="module")
def written(assessment, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    return write_report_tables(assessment, folder)


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def test_every_table_is_written_under_its_name(written):
    assert list(written) == list(REPORT_TABLES)
    for name, path in written.items():
        assert path.name == REPORT_TABLES[name][0] and path.is_file()
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert header, name


def test_the_tables_hold_every_row(assessment, written):
    scores = assessment.scores
    assert list(read(written["findings"]).columns) == [*FINDING_COLUMNS, "covered", "covered_by"]
    assert len(read(written["findings"])) == len(assessment.scan.findings) > 0
    assert list(read(written["components"]).columns) == list(COMPONENT_COLUMNS)
    assert len(read(written["components"])) == len(assessment.scan.components) > 0
    projects = read(written["scores"])
    assert list(projects.columns) == list(SCORE_COLUMNS) and sorted(projects["project"]) == ["clean", "trainer"]
    total = read(written["portfolio"])
    assert len(total) == 1 and total["roadblocks"].iloc[0] == scores.portfolio["roadblocks"]
    roadblocks = read(written["roadblocks"])
    assert list(roadblocks.columns) == list(ROADBLOCK_COLUMNS) and len(roadblocks) == len(scores.roadblocks)
    assert roadblocks.set_index("name").loc["wgmma", "occurrences"] == 2
    inputs = read(written["inputs"])
    assert inputs["sha256"].str.fullmatch("[0-9a-f]{64}").all()
    assert {"trainer", "clean", "(hardware)"} <= set(inputs["project"])
    economics = read(written["economics"]).set_index("project")
    assert economics.loc["trainer", "npv_usd"] == pytest.approx(scores.projects.set_index("project").loc["trainer", "npv_usd"])
    skipped = read(written["skipped"])
    assert ("trainer", "requirements.txt", 3) in set(zip(skipped["project"], skipped["path"], skipped["line"]))


def test_effort_percentiles_are_ordered_and_match_the_scores(assessment, written):
    effort = read(written["effort"]).set_index("project")
    scores = assessment.scores.projects.set_index("project")
    assert effort.loc["trainer", "effort_pm_p50"] == pytest.approx(scores.loc["trainer", "effort_pm_p50"])
    for part in ("code", "libraries", "platform", "validation"):
        assert (effort[f"{part}_pm_p10"] <= effort[f"{part}_pm_p50"]).all()
        assert (effort[f"{part}_pm_p50"] <= effort[f"{part}_pm_p90"]).all()
        # The median of a dimension is the score's figure for it.
        assert effort.loc["trainer", f"{part}_pm_p50"] == pytest.approx(scores.loc["trainer", f"{part}_pm"])
    assert effort.loc["trainer", "code_pm_p90"] > effort.loc["trainer", "code_pm_p10"] > 0


def test_no_planted_credential_reaches_any_table(assessment, tmp_path):
    # A hardware input whose problem quotes a URL with a password.
    planted = copy.copy(assessment)
    planted.hardware = copy.copy(assessment.hardware)
    planted.hardware.problems = [*assessment.hardware.problems, Problem("results.csv", 4, "bad row https://bench:HardwarePass42@results.example.com/x")]
    written = write_report_tables(planted, tmp_path)
    for name, path in written.items():
        text = path.read_text(encoding="utf-8")
        for secret in SECRETS:
            assert secret not in text, f"{secret} in {name}"
    assert "results.example.com" in written["skipped"].read_text()


def test_a_missing_folder_is_an_error_naming_it(assessment, tmp_path):
    with pytest.raises(InputError, match="not a folder"):
        write_report_tables(assessment, tmp_path / "missing")


def test_the_markdown_links_every_table_by_its_name_with_its_row_count(assessment, written):
    from lockin.report.tables import tables_markdown

    text = tables_markdown(written)
    assert text.count("\n") == len(written) - 1
    findings = len(assessment.scan.findings)
    assert f"- [findings.csv](findings.csv): every piece of vendor-bound evidence (the scan's records), with whether the target already has a path for it ({findings:,} rows)" in text
    assert "- [portfolio.csv](portfolio.csv): the portfolio's total (1 row)" in text
