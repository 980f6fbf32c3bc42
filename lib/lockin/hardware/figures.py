"""Notebook-ready seaborn figures of parity, efficiency and the fleet.

Each function takes the frame its module returns and gives back a
matplotlib Figure, so notebooks show it and reports save it; none of them
calls ``plt.show`` or touches global style beyond what seaborn's theme
sets per figure.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

__all__ = ["parity_figure", "efficiency_figure", "fleet_figure"]

VENDOR_COLOURS = {"nvidia": "#76b900", "amd": "#ed1c24", "intel": "#0071c5", "google": "#fbbc04"}


def parity_figure(frame: pd.DataFrame, *, title: str | None = None) -> plt.Figure:
    """Bar chart of target-over-baseline ratios by workload and scenario.

    Measured ratios are solid, estimated ones (``basis`` starting with
    ``estimate``) hatched; a line marks parity (1.0) and the geometric mean,
    whose legend sits below the plot, never over a bar.
    """
    rows = frame[frame["workload"] != "geomean"].copy()
    if rows.empty:
        raise ValueError("no parity records to plot")
    rows["label"] = rows["workload"] + " · " + rows["scenario"].astype(str)
    estimated = rows.get("basis", pd.Series("", index=rows.index)).astype(str).str.startswith("estimate")
    with sns.axes_style("whitegrid"):
        # Under the bars: the axis label, then the geometric mean's legend.
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 2.0), layout="constrained")
        colours = ["#4c72b0" if r >= 1 else "#c44e52" for r in rows["ratio"]]
        bars = ax.barh(rows["label"], rows["ratio"], color=colours)
        for bar, is_estimate in zip(bars, estimated):
            if is_estimate:
                bar.set_hatch("//")
                bar.set_alpha(0.6)
        ax.axvline(1.0, color="black", linewidth=1)
        geo = frame.loc[frame["workload"] == "geomean", "ratio"]
        if len(geo) and np.isfinite(geo.iloc[0]):
            ax.axvline(geo.iloc[0], color="grey", linestyle="--", linewidth=1, label=f"geometric mean {geo.iloc[0]:.2f}")
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
        for bar, ratio in zip(bars, rows["ratio"]):
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {ratio:.2f}", va="center", fontsize=8)
        baseline, target = rows["baseline"].iloc[0], rows["target"].iloc[0]
        ax.set_xlabel(f"{target} per-accelerator performance ÷ {baseline} (above 1: {target} faster)")
        ax.set_ylabel("")
        ax.invert_yaxis()
        ax.set_title(title or f"Performance parity: {target} vs {baseline}")
    return fig


def efficiency_figure(frame: pd.DataFrame, *, workload: str | None = None, title: str | None = None) -> plt.Figure:
    """Scatter of performance per watt against performance per dollar.

    One point per accelerator on one workload and scenario (the most common
    one unless ``workload`` is given), coloured by vendor; points without a
    price or power figure are left out and counted in the title.
    """
    rows = frame if workload is None else frame[frame["workload"] == workload]
    if rows.empty:
        raise ValueError(f"no efficiency records{' for ' + workload if workload else ''} to plot")
    if workload is None:
        top = rows.groupby(["workload", "scenario"]).size().idxmax()
        rows = rows[(rows["workload"] == top[0]) & (rows["scenario"] == top[1])]
    shown = rows.dropna(subset=["perf_per_watt", "perf_per_dollar"])
    left_out = len(rows) - len(shown)
    unit = rows["work_unit"].iloc[0]
    with sns.axes_style("whitegrid"):
        fig, ax = plt.subplots(figsize=(7, 5))
        sns.scatterplot(data=shown, x="perf_per_dollar", y="perf_per_watt", hue="vendor", palette=VENDOR_COLOURS, s=90, ax=ax)
        for row in shown.itertuples():
            ax.annotate(f"{row.model} ({row.round.split(' ')[-1]})", (row.perf_per_dollar, row.perf_per_watt), textcoords="offset points", xytext=(5, 4), fontsize=8)
        ax.set_xlabel(f"{unit}s per second per $ of purchase price")
        ax.set_ylabel(f"{unit}s per joule")
        name = f"{rows['workload'].iloc[0]} · {rows['scenario'].iloc[0]}"
        note = f" ({left_out} without price or power left out)" if left_out else ""
        ax.set_title(title or f"Efficiency on {name}{note}")
        fig.tight_layout()
    return fig


def fleet_figure(vendors: pd.DataFrame, hhi: dict[str, float], *, regime: str = "2023", whatif: dict | None = None) -> plt.Figure:
    """Vendor shares by count, compute and power, with the HHI of each.

    ``vendors`` is :attr:`FleetSummary.vendors`; the regime's thresholds are
    drawn on the HHI panel, and a what-if move as a second bar. Both
    legends sit below their panels, never over a bar, and the figure grows
    with the number of vendors and HHI bars.
    """
    from lockin.hardware.fleet import REGIMES

    rows = vendors[vendors["vendor"] != "all"]
    long = rows.melt(id_vars="vendor", value_vars=["count_share", "compute_share", "power_share"], var_name="basis", value_name="share")
    long["basis"] = long["basis"].str.removesuffix("_share")
    long["share"] *= 100
    labels = list(hhi)
    values = [hhi[b] for b in labels]
    if whatif:
        # Wrapped: a long tick label would squeeze the panel.
        labels.append(textwrap.fill(f"{whatif['basis']} after moving {whatif['percent']:g}% to {whatif['to']}", 20))
        values.append(whatif["hhi_after"])
    width, height = _fleet_size(len(rows), len(labels))
    with sns.axes_style("whitegrid"):
        fig, (left, right) = plt.subplots(1, 2, figsize=(width, height), gridspec_kw={"width_ratios": [3, 2]}, layout="constrained")
        sns.barplot(data=long, x="basis", y="share", hue="vendor", palette=VENDOR_COLOURS, ax=left)
        left.set_ylabel("share of the fleet (%)")
        left.set_xlabel("")
        left.set_ylim(0, 100)
        left.set_title("Vendor shares")
        _legend_below(left, title="vendor", columns=len(rows))
        right.barh(labels, values, color="#4c72b0")
        low, high = REGIMES[regime]
        right.axvline(low, color="orange", linestyle="--", linewidth=1, label=f"moderately concentrated above {low:,.0f}")
        right.axvline(high, color="red", linestyle="--", linewidth=1, label=f"highly concentrated above {high:,.0f}")
        right.set_xlim(0, 10_000)
        right.set_xlabel("HHI (0–10,000)")
        right.set_title(f"Concentration ({regime} thresholds)")
        right.invert_yaxis()
        _legend_below(right, columns=1, fontsize=8)
    return fig


def _fleet_size(vendor_count: int, hhi_bars: int) -> tuple[float, float]:
    """Figure inches for the fleet figure: wider with more vendors, taller with more HHI bars."""
    width = min(13.0, 10.0 + 0.5 * max(0, vendor_count - 2))
    # Room for the bars plus the legends under the panels.
    height = min(9.0, max(4.2, 0.55 * hhi_bars + 2.8, 3.4 + 0.25 * -(-vendor_count // 4)))
    return width, height


def _legend_below(ax: plt.Axes, *, title: str | None = None, columns: int = 1, fontsize: float | None = None) -> None:
    """Put ``ax``'s legend under the axes, outside the plot area, so it never covers a bar."""
    handles, labels = ax.get_legend_handles_labels()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    if not handles:
        return
    ax.legend(handles, labels, title=title, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=max(1, min(columns, 4)), fontsize=fontsize, frameon=False)
