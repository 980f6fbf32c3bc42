"""The executive summary: sentences written from the figures.

Every sentence is built from numbers the report shows elsewhere, so a
reader can find each one in a table; nothing here is a free judgement.
"""

from __future__ import annotations

import math

import pandas as pd

from lockin.records import PORTFOLIO_RECORD, PROJECT_RECORD

from lockin.scoring.economics import format_usd

__all__ = ["executive_summary", "change_since_last", "history_with", "readiness_sentence", "top_drivers"]


def executive_summary(assessment, history: pd.DataFrame | None = None, period: str = "") -> list[str]:
    """At most eight sentences, whatever the portfolio's size: rating and its
    change, drivers, effort, recommendation, economics, hardware and supply,
    and what could not be read.

    Projects are counted, and at most three are named in any sentence, so
    the summary fits on one page for one project or a thousand.
    """
    from lockin.gaps import nothing_to_migrate, projects_gap

    scores = assessment.scores
    if gap := projects_gap(assessment):
        return [gap, _skipped_sentence(assessment)]
    total = scores.portfolio
    projects = scores.projects
    sentences = [_rating_sentence(total, history, period, len(projects))]
    if nothing_to_migrate(assessment):
        sentences.append(_nothing_to_migrate_sentence(assessment))
    else:
        sentences += [
            _drivers_sentence(assessment),
            _effort_sentence(total, scores),
            _recommendation_sentence(projects),
            _economics_sentence(total, assessment),
        ]
    sentences += [_hardware_sentence(assessment), _incomplete_sentence(projects), _skipped_sentence(assessment)]
    return [s for s in sentences if s]


def change_since_last(history: pd.DataFrame | None, period: str, project: str | None = None) -> dict | None:
    """The latest period before ``period`` with figures of ``project`` (None: the portfolio's totals), or None.

    "Before" is chronological (a quarter right after its last month, see
    :mod:`lockin.report.periods`), the order :func:`history_with` puts the
    trend in, so the summary's "since" names the row above this period's.
    """
    if history is None or history.empty:
        return None
    rows = history[history["record"] == PORTFOLIO_RECORD] if project is None else history[(history["record"] == PROJECT_RECORD) & (history["project"] == project)]
    earlier = rows[_periods_before(rows["period"], period)]
    if earlier.empty:
        return None
    return _chronological(earlier).iloc[-1].to_dict()


def top_drivers(assessment, n: int = 3) -> pd.DataFrame:
    """The catalog families with the most remediation hours, with where they are.

    Only what the scores price: the source vendor's findings without a
    target path (see :mod:`lockin.scoring.readiness`), grouped into pieces
    of work as the effort model groups them.
    """
    from lockin.scoring.effort import finding_hours, work_items
    from lockin.scoring.score import priced_findings

    findings = priced_findings(assessment.scores.findings, assessment.params)
    if findings.empty:
        return pd.DataFrame(columns=["family", "hours", "places", "project_names", "projects"])
    units = work_items(findings.assign(hours=finding_hours(findings, assessment.params)), assessment.params)
    # A construct is its own driver (wgmma, inline PTX); other findings group by family.
    named = (units["family"].astype(str) == "") | (units["kind"] == "construct")
    units["family"] = units["family"].where(~named, units["name"])
    grouped = units.groupby("family").agg(hours=("hours", "sum"), places=("occurrences", "sum"), project_names=("project", _by_count))
    grouped["projects"] = grouped["project_names"].map(", ".join)
    return grouped.sort_values(["hours", "places"], ascending=False).head(n).reset_index()


def readiness_sentence(assessment) -> str:
    """One sentence on target readiness: which projects already have a path on the target, and other vendors' code.

    Built from the score columns ``readiness``, ``covered``, ``vendor_bound``
    and ``other_vendors`` (see :mod:`lockin.scoring.readiness`); names at
    most three projects, the readiest first.
    """
    projects, total = assessment.scores.projects, assessment.scores.portfolio
    target = assessment.params.target_vendor
    if projects.empty:
        return ""
    ready = projects[projects["readiness"].fillna(0) > 0].sort_values(["readiness", "covered", "project"], ascending=[False, False, True], kind="stable")
    if ready.empty:
        text = f"Target readiness: no project already has a path on {target} for its vendor-bound code"
    else:
        names = [f"{r.project} {r.readiness:.0%}" for r in ready.itertuples()]
        text = (
            f"Target readiness: {len(ready):,} of {len(projects):,} project(s) already have a path on {target} for part of their vendor-bound code "
            f"({_some_names(names)}); {int(total['covered']):,} of {int(total['vendor_bound']):,} vendor-bound finding(s) are covered and cost validation only"
        )
    other = str(total.get("other_vendors") or "")
    if other:
        text += f"; code for other vendors ({other} finding(s)) is their lock-in, not a cost of this move"
    return text + "."


def _by_count(projects: pd.Series) -> list[str]:
    """Project names, the one with the most places first."""
    counts = projects.value_counts(sort=False)
    return sorted(counts.index, key=lambda name: (-counts[name], name))


def _rating_sentence(total: pd.Series, history, period: str, count: int) -> str:
    text = f"Across {count:,} project(s) the portfolio rates {total['rating']}, with a lock-in ratio of {total['lockin_ratio']:.0%} (migration effort over development cost)"
    before = change_since_last(history, period)
    if before is None:
        return text + "; this is the first period on record."
    delta = total["lockin_ratio"] - before["lockin_ratio"]
    direction = "up" if delta > 0.005 else "down" if delta < -0.005 else "unchanged"
    change = f"{direction} {abs(delta) * 100:.0f} points" if direction != "unchanged" else "unchanged"
    return text + f", {change} since {before['period']} (then {before['rating']}, {before['lockin_ratio']:.0%})."


def _drivers_sentence(assessment) -> str:
    drivers = top_drivers(assessment)
    if drivers.empty:
        return "No finding binds the portfolio to one vendor."
    parts = [f"{row.family} ({row.hours:,.0f} h in {row.places:,} place(s), {_some_names(row.project_names)})" for row in drivers.itertuples()]
    total = assessment.scores.portfolio
    target = assessment.params.target_vendor
    # The score's count: distinct roadblocks (project, kind and name), not findings.
    roadblocks, findings = int(total["roadblocks"]), int(total["rewrite"])
    if not roadblocks:
        return f"The top lock-in drivers are {', '.join(parts)}; every one has a path to {target}, none needs redesign."
    return f"The top lock-in drivers are {', '.join(parts)}; {roadblocks:,} roadblock(s) ({findings:,} finding(s)) have no equivalent on {target} and need redesign."


def _effort_sentence(total: pd.Series, scores) -> str:
    calibration = total.get("calibration", "")
    return (
        f"Moving everything to {scores.params.target_accelerator} would take {total['effort_pm_p10']:.1f} to {total['effort_pm_p90']:.1f} "
        f"person-months (P10–P90; median {total['effort_pm_p50']:.1f}), from {calibration}."
    )


def _recommendation_sentence(projects: pd.DataFrame) -> str:
    """Counts per recommendation, naming at most three projects of each (largest NPV, then effort)."""
    ranked = projects.assign(_npv=projects["npv_usd"].fillna(float("-inf"))).sort_values(["_npv", "effort_pm_p50"], ascending=False, kind="stable")
    parts = []
    for decision in ("migrate", "dual-source", "stay"):
        names = list(ranked.loc[ranked["recommendation"] == decision, "project"])
        if names:
            parts.append(f"{decision} {len(names):,} ({_some_names(names)})")
    return "Recommendation: " + "; ".join(parts) + "."


def _some_names(names: list[str], most: int = 3) -> str:
    """Up to ``most`` names, then how many more: never an enumeration of hundreds."""
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most:,} more"


def _nothing_to_migrate_sentence(assessment) -> str:
    target = assessment.params.target_vendor
    return f"Nothing to migrate: no project has vendor-bound evidence that needs work to run on {target}, so there is no migration effort to estimate."


def _incomplete_sentence(projects: pd.DataFrame) -> str:
    if "incomplete" not in projects.columns:
        return ""
    partial = projects[projects["incomplete"].fillna("").astype(str) != ""]
    if partial.empty:
        return ""
    return f"{len(partial):,} project(s) were read only in part ({_some_names(list(partial['project']))}): their figures are lower bounds; the appendix lists what was unreadable."


def _skipped_sentence(assessment) -> str:
    skipped = assessment.skipped
    scan_side = skipped[skipped["project"] != "(hardware)"] if len(skipped) else skipped
    if scan_side.empty:
        return ""
    return f"{len(scan_side):,} input(s) could not be read and were left out; the appendix lists each with the reason."


def _economics_sentence(total: pd.Series, assessment) -> str:
    from lockin.gaps import economics_gap

    params = assessment.params
    if total["npv_usd"] is None or (isinstance(total["npv_usd"], float) and math.isnan(total["npv_usd"])):
        return economics_gap(assessment) or ""
    return (
        f"Moving every project with GPU work would be worth {format_usd(total['npv_usd'])} over {params.horizon_years:g} years "
        f"at {params.discount_rate:.0%} (net present value; {format_usd(total['npv_usd_p10'])} at P90 effort)."
    )


def _hardware_sentence(assessment) -> str:
    params, hardware = assessment.params, assessment.hardware
    baseline, target = hardware.resolve(params.baseline_accelerator), hardware.resolve(params.target_accelerator)
    ratio, basis, _ = hardware.ratio_for(baseline, target)
    text = f"Per accelerator, {target} does {ratio:.2f}× the work of {baseline} ({basis})"
    prices = hardware.specs.frame.loc[[baseline, target], "purchase_usd"]
    if prices.notna().all():
        text += f" at {prices[target] / prices[baseline]:.0%} of its purchase price"
    supply = hardware.supply_concentration
    if hardware.fleet is not None:
        text += f"; the fleet is {supply} (HHI {hardware.supply_hhi:,.0f} by compute, {params.hhi_regime} thresholds)"
    else:
        text += "; no fleet file was given, so the fleet's vendor concentration is not assessed"
    return text + "."


def history_with(history: pd.DataFrame | None, figures: dict) -> pd.DataFrame:
    """The trend of the period in ``figures``: earlier periods, then this one.

    The report shows the trend before the run records the period, so the
    current period comes from ``figures`` (see ``assessment.period_figures``).
    Periods recorded after it (this one being back-filled) are left out:
    a report's trend ends at its own period. Rows are in chronological order
    of period, each period's rows in their recorded order.
    """
    projects = pd.DataFrame(figures["scores"], columns=list(figures["portfolio"]) + ["project"]).assign(record=PROJECT_RECORD)
    total = pd.DataFrame([{**figures["portfolio"], "project": None, "record": PORTFOLIO_RECORD}])
    current = pd.concat([projects, total], ignore_index=True).assign(period=figures["period"])
    if history is not None and not history.empty:
        earlier = history[_periods_before(history["period"], figures["period"])]
        current = _chronological(pd.concat([earlier, current], ignore_index=True))
    # The totals have no project name: None, not a NaN a string column would make of it.
    current["project"] = current["project"].astype(object).where(current["record"] == PROJECT_RECORD, None)
    # Figures of a portfolio without projects arrive as objects; the trend table formats numbers.
    numbers = [c for c in ("lockin_ratio", "roadblocks", "effort_pm_p10", "effort_pm_p50", "effort_pm_p90", "npv_usd") if c in current]
    current[numbers] = current[numbers].apply(pd.to_numeric, errors="coerce")
    return current


def _periods_before(periods: pd.Series, period: str) -> pd.Series:
    """Which of ``periods`` come strictly before ``period`` in time."""
    from lockin.report.periods import period_sort_key

    limit = period_sort_key(period)
    return periods.map(period_sort_key) < limit


def _chronological(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` in time order of its ``period`` column; a stable sort keeps each period's row order."""
    from lockin.report.periods import period_sort_key

    return frame.sort_values("period", key=lambda periods: periods.map(period_sort_key), kind="stable").reset_index(drop=True)
