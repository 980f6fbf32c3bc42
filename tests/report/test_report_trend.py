"""The trend tells the truth: only periods up to the report's own, in time order, and the summary agrees.

History frames here are built the way :func:`lockin.report.history.read_history`
returns them (one row per period and project, the totals a ``portfolio`` record), in
deliberately scrambled order: a back-filled period is recorded after later ones.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest

from lockin.narrative import _rating_sentence, change_since_last, history_with
from lockin.report.periods import FIRST_YEAR, LAST_YEAR, PeriodError, parse_period
from lockin.scoring.figures import trend_figure

# Recorded order, not time order: 2026-11 first, then the quarter, then a month before it.
RECORDED = ["2026-11", "2026-Q3", "2026-09", "2026-Q4"]
RATIOS = {"2026-09": 0.40, "2026-Q3": 0.35, "2026-10": 0.30, "2026-11": 0.20, "2026-Q4": 0.25}


def rows(period: str) -> list[dict]:
    ratio = RATIOS[period]
    return [
        {"period": period, "record": "project", "project": "alpha", "rating": "B", "lockin_ratio": ratio / 2, "roadblocks": 1, "effort_pm_p10": 1.0, "effort_pm_p50": 2.0, "effort_pm_p90": 3.0, "npv_usd": None, "recommendation": "stay"},
        {"period": period, "record": "portfolio", "project": None, "rating": "C", "lockin_ratio": ratio, "roadblocks": 1, "effort_pm_p10": 1.0, "effort_pm_p50": 10 * ratio, "effort_pm_p90": 3.0, "npv_usd": 1.0, "recommendation": "stay"},
    ]


def history(*periods: str) -> pd.DataFrame:
    return pd.DataFrame([row for period in periods for row in rows(period)])


def figures(period: str) -> dict:
    project, total = rows(period)
    return {
        "period": period, "catalog_version": "test", "params_hash": "0",
        "scores": [{key: value for key, value in project.items() if key not in ("period", "record")}],
        "portfolio": {key: value for key, value in total.items() if key not in ("period", "record", "project")},
    }  # fmt: skip


def portfolio_periods(trend: pd.DataFrame) -> list[str]:
    return list(trend[trend["record"] == "portfolio"]["period"])


def test_a_back_filled_period_has_no_later_period_in_its_trend():
    trend = history_with(history(*RECORDED), figures("2026-10"))
    assert portfolio_periods(trend) == ["2026-09", "2026-Q3", "2026-10"]
    assert list(trend["project"]) == ["alpha", None] * 3, "each period's rows keep their order"


def test_the_trend_of_the_latest_period_holds_every_period_in_time_order():
    trend = history_with(history(*RECORDED[:-1]), figures("2026-Q4"))
    assert portfolio_periods(trend) == ["2026-09", "2026-Q3", "2026-11", "2026-Q4"]


def test_a_re_rendered_period_replaces_its_recorded_figures():
    recorded = history("2026-09", "2026-10")
    recorded.loc[recorded["period"] == "2026-10", "lockin_ratio"] = 0.99
    trend = history_with(recorded, figures("2026-10"))
    assert portfolio_periods(trend) == ["2026-09", "2026-10"]
    assert trend[trend["period"] == "2026-10"]["lockin_ratio"].max() == pytest.approx(RATIOS["2026-10"])


def test_without_a_history_the_trend_is_the_period_alone():
    assert portfolio_periods(history_with(None, figures("2026-10"))) == ["2026-10"]


def test_change_since_last_is_the_period_just_before_in_time():
    assert change_since_last(history(*RECORDED), "2026-10")["period"] == "2026-Q3"
    assert change_since_last(history(*RECORDED), "2026-Q4")["period"] == "2026-11"
    assert change_since_last(history("2026-11", "2026-Q4"), "2026-10") is None, "later periods are not 'last'"


@pytest.mark.parametrize("period", ["2026-09", "2026-Q3", "2026-10", "2026-11", "2026-Q4"])
def test_the_summary_names_the_row_above_this_period_in_the_trend(period):
    recorded = history(*(p for p in RECORDED if p != period))
    trend = history_with(recorded, figures(period))
    shown = portfolio_periods(trend)
    assert shown[-1] == period
    total = pd.Series(rows(period)[1])
    sentence = _rating_sentence(total, recorded, period, 1)
    if len(shown) == 1:
        assert "first period on record" in sentence
    else:
        assert f"since {shown[-2]} " in sentence and "first period" not in sentence
        before = RATIOS[shown[-2]]
        assert f"then C, {before:.0%}" in sentence


def test_the_trend_figure_places_periods_in_time_order_not_text_order():
    scrambled = history(*RECORDED, "2026-10")
    figure = trend_figure(scrambled)
    try:
        ratio_line = figure.axes[0].lines[0]
        assert list(ratio_line.get_xdata()) == ["2026-09", "2026-Q3", "2026-10", "2026-11", "2026-Q4"]
        assert list(ratio_line.get_ydata()) == pytest.approx([100 * RATIOS[p] for p in ["2026-09", "2026-Q3", "2026-10", "2026-11", "2026-Q4"]])
        assert figure.axes[0].get_title() == "Trend over 5 period(s)"
    finally:
        plt.close(figure)


@pytest.mark.parametrize("text", ["0000-01", "9999-Q4", f"{FIRST_YEAR - 1}-12", f"{LAST_YEAR + 1}-01"])
def test_periods_outside_the_sane_years_are_refused(text):
    with pytest.raises(PeriodError, match=f"outside the years lockin reports on \\({FIRST_YEAR} to {LAST_YEAR}\\)") as error:
        parse_period(text)
    assert repr(text) in str(error.value)


@pytest.mark.parametrize("text", [f"{FIRST_YEAR}-01", f"{LAST_YEAR}-Q4"])
def test_the_first_and_last_sane_years_are_periods(text):
    assert str(parse_period(text)) == text


def printed(report_folder) -> list[str]:
    """The lines the trend notebook printed in a rendered report."""
    executed = nbformat.read(report_folder / "trend_report.ipynb", as_version=4)
    return [line for cell in executed.cells for output in cell.get("outputs", []) for line in output.get("text", "").splitlines()]


def test_end_to_end_a_back_filled_period_and_a_later_quarter(tmp_path, render_tiny):
    """2026-11 first, then 2026-10 back-filled, then 2026-Q4: each report's trend is its own past."""
    out_dir = tmp_path / "reports"
    notebooks = ("trend_report.ipynb",)
    render_tiny(out_dir, "2026-11", notebooks=notebooks)
    october = render_tiny(out_dir, "2026-10", notebooks=notebooks)
    quarter = render_tiny(out_dir, "2026-Q4", notebooks=notebooks)
    assert "trend periods: 2026-10" in printed(october.folder)
    assert any(line.startswith("summary:") and line.endswith("this is the first period on record.") for line in printed(october.folder))
    assert "trend periods: 2026-10 2026-11 2026-Q4" in printed(quarter.folder)
    assert any(line.startswith("summary:") and "since 2026-11 (then C, 50%)" in line for line in printed(quarter.folder))
