"""Scoring the sample portfolio end to end: ratings, ranking, the portfolio
row, the economics, and the `lockin score` command's contract."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lockin.assessment import assess, period_figures, provenance
from lockin.cli import main
from lockin.scoring.parameters import Parameters
from lockin.scoring.score import SCORE_COLUMNS, lockin_ratio, rating_for

ROOT = Path(__file__).parents[2]
PORTFOLIO = ROOT / "data" / "portfolio"
SAMPLE_PARAMS = ROOT / "data" / "sample-params.yml"


@pytest.fixture(scope="module")
def sample():
    return assess(PORTFOLIO, SAMPLE_PARAMS)


@pytest.mark.parametrize("percent, rating", [(0, "A"), (5, "A"), (5.01, "B"), (10, "B"), (20, "C"), (20.5, "D"), (50, "D"), (50.1, "E"), (900, "E")])
def test_sonarqube_default_grid(percent, rating):
    assert rating_for(percent / 100, [5, 10, 20, 50]) == rating


def test_the_ratio_is_effort_over_lines_times_thirty_minutes():
    params = Parameters()
    # 1 PM = 152 h; 1,000 lines × 30 min = 500 h
    assert lockin_ratio(1.0, 1000, params) == pytest.approx(152 / 500)
    assert lockin_ratio(0.0, 0, params) == 0.0


def test_records_have_the_contract_and_a_portfolio_row(sample):
    frame = sample.scores.frame
    assert list(frame.columns) == list(SCORE_COLUMNS)
    assert list(frame["record"]) == ["project"] * 5 + ["portfolio"]
    assert frame["project"].iloc[-1] is None
    assert set(frame["project"].iloc[:-1]) == {"llm-trainer", "inference-gateway", "rapids-analytics", "rocm-serving", "tabular-forecaster"}
    assert (frame["effort_pm_p10"] <= frame["effort_pm_p50"]).all() and (frame["effort_pm_p50"] <= frame["effort_pm_p90"]).all()
    # The bundled real-port calibration, with its error, on every record.
    assert frame["calibration"].str.startswith("the bundled calibration on ").all()
    assert frame["calibration"].str.contains("leave-one-out median error ×").all()


def test_the_sample_projects_rank_as_a_migration_engineer_would(sample):
    projects = sample.scores.projects.set_index("project")
    effort = projects["effort_pm_p50"]
    # Custom Hopper kernels with inline PTX, wgmma and TMA are the hardest to
    # move; a RAPIDS pipeline whose libraries have no AMD equivalent next; a
    # TensorRT/Triton service with AMD counterparts (MIGraphX) after that.
    assert effort["llm-trainer"] > effort["rapids-analytics"] > effort["inference-gateway"] > effort["rocm-serving"] >= effort["tabular-forecaster"]
    assert projects.loc["tabular-forecaster", "rating"] == "A" and effort["tabular-forecaster"] == 0
    assert projects.loc["rocm-serving", "rating"] == "A"  # already on AMD
    assert projects.loc["llm-trainer", "roadblocks"] > 0 and projects.loc["inference-gateway", "roadblocks"] == 0
    assert projects.loc["rocm-serving", "recommendation"] == "stay"
    assert projects.loc["llm-trainer", "recommendation"] in ("dual-source", "stay")


def test_the_portfolio_row_sums_the_projects(sample):
    total, projects = sample.scores.portfolio, sample.scores.projects
    assert total["roadblocks"] == projects["roadblocks"].sum()
    assert total["sloc"] == projects["sloc"].sum()
    assert total["npv_usd"] == pytest.approx(projects["npv_usd"].sum())
    # Percentiles of summed draws lie between the sum of P10s and the sum of P90s.
    assert projects["effort_pm_p10"].sum() <= total["effort_pm_p50"] <= projects["effort_pm_p90"].sum()


def test_a_project_named_portfolio_is_a_project_and_the_totals_stay_apart(tmp_path):
    """A project called 'portfolio' once replaced the totals: the headline rating was that project's."""
    root = tmp_path / "p"
    (root / "portfolio").mkdir(parents=True)
    (root / "portfolio" / "requirements.txt").write_text("numpy==1.26.4\n")
    (root / "kernels").mkdir()
    (root / "kernels" / "gemm.cu").write_text("#include <cuda_runtime.h>\n__global__ void k(float* x) { asm volatile(\"bar.sync 0;\"); }\n" * 20)
    scores = assess(root).scores
    assert list(scores.projects["project"]) == ["kernels", "portfolio"]
    assert scores.projects.set_index("project").loc["portfolio", "rating"] == "A"
    total = scores.portfolio
    assert total["record"] == "portfolio" and total["project"] is None
    assert total["effort_pm_p50"] == pytest.approx(scores.projects["effort_pm_p50"].max(), rel=0.5) and total["effort_pm_p50"] > 0
    figures = period_figures(assess(root), "2026-11")
    assert [s["project"] for s in figures["scores"]] == ["kernels", "portfolio"] and "project" not in figures["portfolio"]
    result = CliRunner().invoke(main, ["score", str(root), "--format", "json", "--no-progress"], catch_exceptions=False)
    records = json.loads(result.stdout)
    assert [(r["record"], r["project"]) for r in records] == [("project", "kernels"), ("project", "portfolio"), ("portfolio", None)]


def test_roadblocks_are_ranked_by_effort_with_why(sample):
    roadblocks = sample.scores.roadblocks
    assert list(roadblocks["hours"]) == sorted(roadblocks["hours"], reverse=True)
    assert roadblocks["why"].str.len().min() > 0
    assert "inline-ptx" in set(roadblocks["name"])
    # The Hopper GEMM's wgmma and TMA are not redesigned: AMD's hipBLASLt computes the same GEMM.
    gemm = sample.scores.findings.query("path == 'csrc/hopper_gemm_sm90.cu' and portability == 'rewrite'")
    assert len(gemm) and set(gemm["adopted_as"]) == {"matrix multiplication (GEMM, batched and grouped, with epilogues)"}
    assert not {"wgmma", "tma"} & set(roadblocks["name"])


def test_the_same_seed_gives_the_same_figures_and_another_differs():
    first, second = assess(PORTFOLIO, seed=11), assess(PORTFOLIO, seed=11)
    assert first.scores.frame.equals(second.scores.frame)
    other = assess(PORTFOLIO, seed=12)
    assert not first.scores.frame["effort_pm_p50"].equals(other.scores.frame["effort_pm_p50"])


def test_scoring_the_amd_project_against_nvidia_finds_it_locked_to_amd():
    towards_nvidia = assess(PORTFOLIO, target_vendor="nvidia", baseline_accelerator="MI300X", target_accelerator="H100 SXM")
    projects = towards_nvidia.scores.projects.set_index("project")
    assert projects.loc["rocm-serving", "effort_pm_p50"] > 0
    assert projects.loc["tabular-forecaster", "effort_pm_p50"] == 0


def test_period_figures_and_provenance(sample):
    figures = period_figures(sample, "2026-11")
    json.dumps(figures)  # plain JSON, no NaN objects
    assert figures["period"] == "2026-11" and len(figures["scores"]) == 5 and figures["portfolio"]["rating"] in "ABCDE"
    origin = provenance(sample)
    assert origin["inputs"]["sha256"].str.len().eq(64).all()
    assert "catalog" in set(origin["versions"]["item"])
    assert len(origin["parameters"]) > 30


def test_score_command_json_and_table(tmp_path):
    result = CliRunner().invoke(main, ["score", str(PORTFOLIO), "--format", "json", "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert records[-1]["record"] == "portfolio" and records[-1]["project"] is None
    for field in ("project", "lockin_ratio", "rating", "roadblocks", "effort_pm_p10", "effort_pm_p50", "effort_pm_p90", "code_pm", "libraries_pm", "platform_pm", "performance_ratio", "supply_hhi"):
        assert field in records[0]
    assert "calibration on" in result.stderr and "leave-one-out median error" in result.stderr and "portfolio rating" in result.stderr
    table = CliRunner().invoke(main, ["score", str(PORTFOLIO), "--no-progress"], catch_exceptions=False)
    for title in ("Lock-in scores", "Recommendations", "Roadblocks", "Notes"):
        assert title in table.stdout


def test_score_command_reports_bad_parameters_with_the_line(tmp_path):
    params = tmp_path / "p.yml"
    params.write_text("horizon_years: 3\nlabor_cost_per_pm: 1\n")
    result = CliRunner().invoke(main, ["score", str(PORTFOLIO), "--params", str(params), "--no-progress"])
    assert result.exit_code != 0
    assert f"{params}:2" in result.output and "did you mean 'labour_cost_per_pm'" in result.output


def test_the_worked_example_in_the_methodology_holds(sample):
    from lockin.scoring.calibration import nominal_effort
    from lockin.scoring.economics import monthly_cost

    text = " ".join((ROOT / "docs" / "methodology.md").read_text().split())
    facts = sample.scores.facts.set_index("project")
    row = facts.loc["inference-gateway"]
    assert f"sloc {row.sloc:.0f} · adapted_sloc {row.adapted_sloc:.0f} · manual_sloc {row.manual_sloc:.0f} · libraries_hours {row.libraries_hours:g} · platform_hours {row.platform_hours:g}" in text
    nominal = nominal_effort(sample.scores.facts, sample.params)[list(facts.index).index("inference-gateway")]
    assert f"effort (nominal) = {nominal:.4f} PM" in text
    score = sample.scores.frame.set_index("project").loc["inference-gateway"]
    calibration = sample.scores.calibration
    assert calibration.bundled and f"a = {calibration.intercept:.3f} and b = {calibration.slope:.3f}" in text
    assert f"P10/P50/P90 are {score.effort_pm_p10:.2f} / {score.effort_pm_p50:.2f} / {score.effort_pm_p90:.2f} PM" in text
    assert f"lockin_ratio = {score.effort_pm_p50:.3f} PM × 152 h / 164 h = {score.lockin_ratio:.2f}" in text
    assert f"0.704, measured" in text and f"{score.performance_ratio:.3f}" == "0.704"
    specs = sample.hardware.specs.frame
    stay, _ = monthly_cost({"model": "H200 SXM", **specs.loc["H200 SXM"].to_dict()}, 30000, sample.params)
    move, _ = monthly_cost({"model": "MI300X", **specs.loc["MI300X"].to_dict()}, 30000 / score.performance_ratio, sample.params)
    assert f"= ${stay:,.0f} a month" in text and f"= ${move:,.0f} a month" in text
    assert f"NPV of **${score.npv_usd:,.0f}**" in text
    assert f"month **{score.breakeven_month:.0f}**" in text and score.recommendation == "migrate"
    assert f"HHI = 8.51² + 91.49² = 72.4 + 8,370.1 = **{sample.hardware.fleet.hhi['compute']:,.0f}**" in text


def test_the_readme_shows_the_score_table_the_command_prints():
    result = CliRunner().invoke(main, ["score", str(PORTFOLIO), "--params", str(SAMPLE_PARAMS), "--no-progress"], catch_exceptions=False)
    printed = [line.rstrip() for line in result.stdout.splitlines()[3:10]]
    readme = [line.rstrip() for line in (ROOT / "README.md").read_text().splitlines()]
    start = readme.index(printed[0])
    assert readme[start : start + len(printed)] == printed
