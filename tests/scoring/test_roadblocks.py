"""Distinct roadblocks (a construct per file, a library or API per project, a
component per family) with their use counts, and the count the score outputs agree on."""

import pytest
from click.testing import CliRunner

from lockin.assessment import assess
from lockin.cli import main
from lockin.scoring.effort import finding_hours, repeat_factor, work_items
from lockin.scoring.score import ROADBLOCK_COLUMNS, ROADBLOCK_LOCATIONS, _roadblocks

from scoring_factory import finding, findings_frame

GEMM = """\
#include <cuda_runtime.h>

__global__ void gemm(float* acc) {
  asm volatile("wgmma.fence.sync.aligned;\\n" ::: "memory");
  asm volatile("wgmma.commit_group.sync.aligned;\\n" ::: "memory");
  asm volatile("wgmma.wait_group.sync.aligned 0;\\n" ::: "memory");
}
"""

OTHER = """\
__global__ void other() {
  asm volatile("wgmma.fence.sync.aligned;\\n" ::: "memory");
}
"""


@pytest.fixture(scope="module")
def hopper(tmp_path_factory):
    """One project: four wgmma instructions in two files and two RAPIDS packages."""
    root = tmp_path_factory.mktemp("portfolio")
    source = root / "hopper" / "src"
    source.mkdir(parents=True)
    (source / "tile.cu").write_text(GEMM)
    (source / "other.cu").write_text(OTHER)
    (root / "hopper" / "requirements.txt").write_text("cudf-cu12==24.8.0\ncuml-cu12==24.8.0\n")
    (root / "clean").mkdir()
    (root / "clean" / "requirements.txt").write_text("numpy==2.1.0\n")
    # GPU-hours, so the recommendation weighs the roadblocks.
    (root / "portfolio.yml").write_text(
        "projects:\n"
        "  - {name: hopper, path: hopper, accelerator: H100 SXM, gpu_hours_per_month: 100000}\n"
        "  - {name: clean, path: clean}\n"
    )
    return assess(root)


def test_wgmma_instructions_are_one_roadblock_per_file_with_their_use_count(hopper):
    roadblocks = hopper.scores.roadblocks
    wgmma = roadblocks[roadblocks["name"] == "wgmma"].set_index("path")
    assert sorted(wgmma.index) == ["src/other.cu", "src/tile.cu"]
    row = wgmma.loc["src/tile.cu"]
    assert row["project"] == "hopper" and row["kind"] == "construct" and row["occurrences"] == 3
    assert row["locations"] == "src/tile.cu:4, src/tile.cu:5, src/tile.cu:6" and row["line"] == 4
    assert wgmma.loc["src/other.cu", "occurrences"] == 1


def test_a_roadblock_costs_its_hours_per_use_times_the_learning_curve_of_its_uses(hopper):
    findings = hopper.scores.findings
    rewrite = findings[(findings["portability"] == "rewrite") & (findings["path"] == "src/tile.cu") & (findings["name"] == "wgmma")]
    per_use = finding_hours(rewrite, hopper.params).max()
    row = hopper.scores.roadblocks.query("name == 'wgmma' and path == 'src/tile.cu'").iloc[0]
    assert row["hours"] == pytest.approx(per_use * repeat_factor([3], hopper.params.repeat_learning_rate)[0])
    assert per_use < row["hours"] < 3 * per_use, "three uses cost more than one, less than three times one"
    items = work_items(findings[findings["portability"] == "rewrite"].assign(hours=finding_hours(findings[findings["portability"] == "rewrite"], hopper.params)), hopper.params)
    assert hopper.scores.roadblocks["hours"].sum() == pytest.approx(items["hours"].sum())
    assert hopper.scores.roadblocks["occurrences"].sum() == len(findings[findings["portability"] == "rewrite"])


def test_packages_of_one_family_are_one_roadblock(hopper):
    packages = hopper.scores.roadblocks.query("kind == 'package'")
    assert len(packages) == 1
    assert packages.iloc[0]["occurrences"] == 2 and packages.iloc[0]["family"] == "rapids"
    assert packages.iloc[0]["locations"] == "requirements.txt:1, requirements.txt:2"


def test_the_score_counts_distinct_roadblocks_and_the_portfolio_their_sum(hopper):
    roadblocks = hopper.scores.roadblocks
    projects = hopper.scores.projects.set_index("project")
    # wgmma and inline-ptx (same asm lines) in each of two files, and the RAPIDS packages.
    assert set(roadblocks["name"]) >= {"wgmma", "inline-ptx"} and len(roadblocks) == 5
    assert projects.loc["hopper", "roadblocks"] == 5 and projects.loc["clean", "roadblocks"] == 0
    assert hopper.scores.portfolio["roadblocks"] == len(roadblocks)
    assert " 5 roadblock(s) need redesign" in projects.loc["hopper", "reasons"]


def test_rows_are_ordered_by_total_hours_and_carry_every_column(hopper):
    roadblocks = hopper.scores.roadblocks
    assert list(roadblocks.columns) == list(ROADBLOCK_COLUMNS)
    assert list(roadblocks["hours"]) == sorted(roadblocks["hours"], reverse=True)
    assert roadblocks["why"].str.len().min() > 0


def test_locations_without_a_line_name_the_file_and_are_listed_once(hopper):
    rows = [finding(project="p", path="Dockerfile", line=None, kind="image", name="nvcr.io/nvidia/pytorch", family="ngc", portability="rewrite")]
    rows += [finding(project="p", path="k.cu", line=line, kind="construct", name="tma", family="constructs", portability="rewrite") for line in (9, 3, 3, 12, 7)]
    roadblocks = _roadblocks(findings_frame(rows), hopper.params).set_index("name")
    assert roadblocks.loc["nvcr.io/nvidia/pytorch", "locations"] == "Dockerfile"
    assert roadblocks.loc["tma", "occurrences"] == 5, "one file: one roadblock with five uses"
    assert roadblocks.loc["tma", "locations"].split(", ") == ["k.cu:3", "k.cu:7", "k.cu:9"][:ROADBLOCK_LOCATIONS]


def test_no_rewrite_finding_gives_an_empty_table_with_the_columns(hopper):
    rows = [finding(project="p", portability="translatable")]
    empty = _roadblocks(findings_frame(rows), hopper.params)
    assert empty.empty and list(empty.columns) == list(ROADBLOCK_COLUMNS)


def test_the_score_command_titles_its_roadblocks_with_the_portfolio_count(hopper):
    result = CliRunner().invoke(main, ["score", str(hopper.portfolio), "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    total = int(hopper.scores.portfolio["roadblocks"])
    assert f"of {total} distinct" in result.stdout
    section = result.stdout.split("Roadblocks", 1)[1].split("Notes", 1)[0]
    assert "locations" in section and "src/tile.cu:4, src/tile.cu:5, src/tile.cu:6" in section


def test_the_executive_summary_counts_roadblocks_as_the_score_does(hopper):
    from lockin.narrative import executive_summary

    drivers = next(s for s in executive_summary(hopper) if "need redesign" in s)
    assert "5 roadblock(s) (10 finding(s)) have no equivalent on amd" in drivers


def test_the_scan_command_says_how_many_roadblocks(hopper):
    result = CliRunner().invoke(main, ["scan", str(hopper.portfolio), "--format", "json", "--no-progress"], catch_exceptions=False)
    assert "3 roadblock(s)" in result.stderr
