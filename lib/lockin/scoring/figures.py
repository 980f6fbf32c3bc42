"""Notebook-ready figures of the scores, the effort and the economics.

Each function takes frames the scoring returns and gives back a matplotlib
Figure; none shows or saves it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from lockin.records import PORTFOLIO_RECORD
import seaborn as sns

__all__ = ["DIMENSIONS", "FIGURE_WIDTH", "MAX_FIGURE_HEIGHT", "figure_height", "portability_counts", "dimension_heatmap", "effort_figure", "tornado_figure", "cashflow_figure", "trend_figure", "portability_figure"]

#: Dimension columns of the score frame and how each is shown. Supply
#: concentration (HHI) is a property of the fleet, the same number for every
#: project, so it is a sentence of the report rather than a column here.
DIMENSIONS = {
    "code_pm": "code (PM)",
    "libraries_pm": "libraries (PM)",
    "platform_pm": "platform (PM)",
    "performance_gap": "performance gap",
}

#: Width of every figure, in inches; the PDF scales it to the text width.
FIGURE_WIDTH = 8.0

#: Tallest figure, in inches at :data:`FIGURE_WIDTH`: an A4 page's text area
#: (174 × 255 mm) holds 8 × 11.7 in, less room for the section heading.
MAX_FIGURE_HEIGHT = 10.0


def figure_height(rows: int, per_row: float = 0.32, extra: float = 1.6) -> float:
    """Height of a figure with one band per row, never taller than a page."""
    return min(MAX_FIGURE_HEIGHT, per_row * max(rows, 1) + extra)


def dimension_heatmap(scores: pd.DataFrame) -> plt.Figure:
    """Projects × dimensions, each column shaded against its own largest value.

    ``scores`` holds the project rows to show (``Scores.projects``, or the
    top of it: see :mod:`lockin.shortlist`), in the order to show them.

    The dimensions have different units, so colour compares projects within
    a dimension and the annotation gives the value itself. The performance
    gap is how much slower the target is (0 when it is as fast or faster).
    """
    rows = scores.set_index("project")
    if rows.empty:
        raise ValueError("no projects to plot")
    values = rows[["code_pm", "libraries_pm", "platform_pm"]].copy()
    values["performance_gap"] = (1 - rows["performance_ratio"]).clip(lower=0)
    shade = values / values.max().replace(0, 1)
    labels = values.apply(lambda column: column.map(_label_for(column.name)))
    with sns.axes_style("white"):
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, figure_height(len(values))))
        sns.heatmap(shade.astype(float).fillna(0), annot=labels, fmt="", cmap="Reds", vmin=0, vmax=1, cbar=False, linewidths=0.5, ax=ax)
        ax.set_xticklabels([DIMENSIONS[c] for c in values.columns], rotation=0)
        ax.set_ylabel("")
        ax.set_title("Lock-in by dimension (darker: more locked in, within each column)")
        fig.tight_layout()
    return fig


def _label_for(column: str):
    if column == "performance_gap":
        return lambda v: "" if pd.isna(v) else f"{v:.0%}"
    return lambda v: "" if pd.isna(v) else f"{v:.1f}"


def effort_figure(draws, projects: list[str] | None = None) -> plt.Figure:
    """Distribution of the migration effort per project (box: P25–P75,
    whiskers: P10–P90, dot: P50)."""
    names = list(projects) if projects is not None else draws.projects
    if not names:
        raise ValueError("no projects to plot")
    long = pd.DataFrame([(name, value) for name in names for value in draws.of(name)], columns=["project", "effort"])
    with sns.axes_style("whitegrid"):
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, figure_height(len(names), 0.3, 1.5)))
        sns.boxplot(data=long, x="effort", y="project", order=names, whis=(10, 90), showfliers=False, color="#8fbce6", ax=ax)
        medians = [float(np.median(draws.of(name))) for name in names]
        ax.plot(medians, range(len(names)), "o", color="black", markersize=4)
        ax.set_xlabel("migration effort (person-months); box P25–P75, whiskers P10–P90, dot P50")
        ax.set_ylabel("")
        label = getattr(draws, "calibration_label", "") or ("calibrated" if draws.calibrated else "uncalibrated defaults")
        ax.set_title(f"Migration effort, Monte Carlo ({label})")
        fig.tight_layout()
    return fig


def tornado_figure(tornado: pd.DataFrame, *, title: str = "What moves the portfolio's NPV") -> plt.Figure:
    """Horizontal bars from the NPV at each input's low to its high value."""
    if tornado.empty:
        raise ValueError("no sensitivity rows to plot")
    rows = tornado.iloc[::-1]
    base = float(rows["npv_base_usd"].iloc[0])
    with sns.axes_style("whitegrid"):
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, figure_height(len(rows), 0.45, 1.5)))
        for i, row in enumerate(rows.itertuples()):
            low, high = sorted([row.npv_low_usd, row.npv_high_usd])
            ax.barh(i, high - low, left=low, color="#4c72b0")
            ax.text(high, i, f"  {row.low} / {row.high}", va="center", fontsize=8)
        ax.set_yticks(range(len(rows)), rows["parameter"])
        ax.axvline(base, color="black", linewidth=1)
        ax.axvline(0, color="red", linewidth=0.8, linestyle="--")
        ax.set_xlabel(f"NPV of moving (USD); line: base case {base / 1e6:.2f} M")
        ax.set_title(title)
        fig.tight_layout()
    return fig


def cashflow_figure(cashflows: pd.DataFrame) -> plt.Figure:
    """Discounted cumulative savings of moving, per project, month by month."""
    if cashflows.empty:
        raise ValueError("no cash flows to plot (no project has GPU-hours and prices)")
    with sns.axes_style("whitegrid"):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        sns.lineplot(data=cashflows, x="month", y="cumulative", hue="project", ax=ax)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_ylabel("cumulative discounted savings (USD)")
        ax.set_title("Break-even: where each line crosses zero")
        fig.tight_layout()
    return fig


def trend_figure(history: pd.DataFrame) -> plt.Figure:
    """The portfolio's lock-in ratio and median effort across periods, in time order.

    Periods are placed by :func:`lockin.report.periods.period_sort_key`, not
    by their text, so a quarter follows its last month (``2026-09``,
    ``2026-Q3``, ``2026-10``) whatever order ``history`` holds them in.
    """
    from lockin.report.periods import period_sort_key

    portfolio = history[history["record"] == PORTFOLIO_RECORD]
    if portfolio.empty:
        raise ValueError("no periods in the history yet")
    portfolio = portfolio.sort_values("period", key=lambda periods: periods.map(period_sort_key), kind="stable")
    with sns.axes_style("whitegrid"):
        fig, left = plt.subplots(figsize=(8, 4))
        left.plot(portfolio["period"], portfolio["lockin_ratio"] * 100, marker="o", color="#c44e52", label="lock-in ratio (%)")
        for period, ratio, rating in zip(portfolio["period"], portfolio["lockin_ratio"], portfolio["rating"]):
            left.annotate(rating, (period, ratio * 100), textcoords="offset points", xytext=(0, 8), ha="center")
        left.set_ylabel("lock-in ratio (%)")
        right = left.twinx()
        right.plot(portfolio["period"], portfolio["effort_pm_p50"], marker="s", color="#4c72b0", label="effort P50 (PM)")
        right.set_ylabel("effort P50 (person-months)")
        left.set_title(f"Trend over {len(portfolio)} period(s)")
        handles = left.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        left.legend(handles, [h.get_label() for h in handles], loc="upper left")
        fig.tight_layout()
    return fig


def portability_counts(findings: pd.DataFrame, projects: list[str] | None = None) -> pd.DataFrame:
    """Findings per project and portability class, most findings first.

    Parameters
    ----------
    findings : DataFrame
    projects : list of str, optional
        Only these projects, in this order.
    """
    order = ["portable", "translatable", "replaceable", "rewrite"]
    counts = pd.crosstab(findings["project"], findings["portability"]).reindex(columns=order, fill_value=0)
    if projects is not None:
        return counts.reindex([p for p in projects if p in counts.index])
    return counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]


def portability_figure(findings: pd.DataFrame, *, target: str = "", projects: list[str] | None = None) -> plt.Figure:
    """Stacked bars: each project's findings by portability class.

    ``projects`` limits and orders the bars (a report shows its top
    projects); by default every project, most findings first.
    """
    colours = {"portable": "#55a868", "translatable": "#8fbce6", "replaceable": "#dd8452", "rewrite": "#c44e52"}
    counts = portability_counts(findings, projects)
    if counts.empty:
        raise ValueError("no findings to plot")
    with sns.axes_style("whitegrid"):
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, figure_height(len(counts), 0.3, 1.8)))
        counts.plot.barh(stacked=True, color=[colours[c] for c in counts.columns], ax=ax, width=0.8)
        ax.set_xlabel("findings")
        ax.set_ylabel("")
        ax.invert_yaxis()
        ax.set_title(f"Findings by portability{' towards ' + target if target else ''}")
        # Above the plot, not over it: a legend inside covers the longest bars.
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.02, 1, 0.2), ncols=4, mode="expand", fontsize=8, frameon=False)
        ax.set_title(ax.get_title(), pad=24)
        fig.tight_layout()
    return fig
