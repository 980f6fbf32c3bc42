"""What an assessment could not show, each said in one sentence with the remedy.

A report renders for every portfolio: an empty folder, a CPU-only project,
a portfolio without ``portfolio.yml``. Where a section has no data, it says
what is missing and how to add it instead of failing or drawing an empty
figure. Each function returns that sentence (Markdown), or None when the
section has what it needs, so a notebook cell reads::

    gap = economics_gap(a)
    if gap: display(Markdown(gap))
    else: ...draw...
"""

from __future__ import annotations

import math

from lockin.records import PORTFOLIO_RECORD

__all__ = [
    "DOCS",
    "projects_gap",
    "findings_gap",
    "roadblocks_gap",
    "economics_gap",
    "sensitivity_gap",
    "fleet_gap",
    "parity_gap",
    "trend_gap",
    "nothing_to_migrate",
]

#: Where each remedy is documented (relative to the repository).
DOCS = {
    "portfolio": "docs/data-formats.md, section 'The portfolio'",
    "fleet": "docs/data-formats.md, section 'Fleet'",
    "results": "docs/data-formats.md, section 'Benchmark results'",
    "parameters": "docs/data-formats.md, section 'Scoring parameters'",
}


def projects_gap(assessment, brief: bool = False) -> str | None:
    """The sentence for a portfolio without projects, or None.

    ``brief``: the short form for sections after the one that explained it.
    """
    if len(assessment.scores.projects):
        return None
    if brief:
        return "**No projects** in this portfolio (see the executive summary)."
    return (
        f"**No projects.** The portfolio folder `{assessment.portfolio}` holds no project: a portfolio is a folder "
        f"whose subfolders are projects, or a `portfolio.yml` listing them ({DOCS['portfolio']})."
    )


def findings_gap(assessment) -> str | None:
    """The sentence for a portfolio whose scan found no vendor-bound evidence, or None."""
    if gap := projects_gap(assessment, brief=True):
        return gap
    findings = assessment.scan.findings
    if len(findings):
        return None
    files = int(assessment.scan.inputs.shape[0])
    return (
        f"**No vendor-bound evidence.** The scan read {files:,} file(s) in {len(assessment.scores.projects):,} project(s) "
        "and found nothing tied to an accelerator vendor: nothing to migrate."
    )


def roadblocks_gap(assessment) -> str | None:
    """The sentence when no finding needs redesign, or None."""
    if len(assessment.scores.roadblocks):
        return None
    return f"**No roadblocks.** Every vendor-bound finding has a path to {assessment.params.target_vendor} (translation, an equivalent library, or one the project already has); nothing needs redesign."


def economics_gap(assessment) -> str | None:
    """Why the staying-versus-moving economics were not computed, or None.

    The economics need, per project, GPU-hours (``gpu_hours_per_month``) on
    an accelerator (``accelerator``) of another vendor than the target.
    """
    projects = assessment.scores.projects
    if gap := projects_gap(assessment, brief=True):
        return gap
    if len(assessment.scores.cashflows):
        return None
    target = assessment.params.target_vendor
    has_hours = projects["gpu_hours_per_month"].fillna(0) > 0
    on_target = projects["reasons"].astype(str).str.startswith("already runs on")
    if has_hours.any() and on_target[has_hours].all():
        return f"**Economics not computed:** every project with GPU work already runs on {target}; there is no move to price."
    return (
        "**Economics not computed:** no project has both `gpu_hours_per_month` (above 0) and `accelerator` in portfolio.yml, "
        f"so there is no hardware spend to compare; add them per project ({DOCS['portfolio']})."
    )


def sensitivity_gap(assessment) -> str | None:
    """Why there is no tornado, or None."""
    gap = economics_gap(assessment)
    if gap:
        return gap
    if len(assessment.scores.tornado):
        return None
    return "**No sensitivity analysis:** no project's move was priced."


def fleet_gap(assessment) -> str | None:
    """The sentence when no fleet file was given (or it had no usable row), or None."""
    if assessment.hardware.fleet is not None:
        return None
    given = assessment.params.fleet_file
    if given:
        return f"**Fleet not shown:** the fleet file `{given}` has no usable row (see the skipped inputs in the appendix)."
    return (
        "**No fleet file was given**, so vendor shares, concentration (HHI), energy and emissions are not shown: "
        f"set `fleet_file` in the parameters ({DOCS['fleet']})."
    )


def parity_gap(comparisons, baseline: str, target: str) -> str | None:
    """The sentence when no benchmark measured both accelerators, or None."""
    if comparisons is not None and len(comparisons):
        return None
    return (
        f"**No measured parity:** no benchmark in the results measured both {baseline} and {target} under the same rules; "
        f"performance figures are transfer-model estimates. Add your own results with `results_files` ({DOCS['results']})."
    )


def trend_gap(trend) -> str | None:
    """The sentence while the history holds fewer than two periods, or None."""
    periods = trend.loc[trend["record"] == PORTFOLIO_RECORD, "period"].nunique() if len(trend) else 0
    if periods >= 2:
        return None
    return "**No trend yet:** this is the first period on record; the trend appears from the next report on (or back-fill earlier periods from git history)."


def nothing_to_migrate(assessment) -> bool:
    """Whether no project has migration effort towards the target (a short report)."""
    projects = assessment.scores.projects
    if projects.empty:
        return True
    p90 = projects["effort_pm_p90"].fillna(0)
    return bool((p90 <= 0).all()) and not _finite_positive(projects["npv_usd"])


def _finite_positive(values) -> bool:
    return any(isinstance(v, (int, float)) and math.isfinite(v) and v > 0 for v in values)
