"""What the notebooks share: reading their parameters and starting a run.

A notebook runs from ``notebooks/`` in JupyterLab and from the report's
output folder under papermill, so relative paths are tried as given and
then, when spelled ``data/…``, as bundled data (:func:`resolve_path`).
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd

from lockin.assessment import Assessment, assess
from lockin.paths import resolve_path

__all__ = ["OVERRIDABLE", "resolve_path", "start", "current_period", "show", "say"]

#: Notebook parameters that override the parameter file when not None.
OVERRIDABLE = (
    "target_vendor",
    "baseline_accelerator",
    "target_accelerator",
    "fleet_file",
    "results_files",
    "prices",
    "energy_usd_per_kwh",
    "grid_kg_per_kwh",
    "horizon_years",
    "discount_rate",
    "labour_cost_per_pm",
    "seed",
)


def current_period(cadence: str = "month", today: _dt.date | None = None) -> str:
    """This month (``2026-11``) or quarter (``2026-Q4``), as text."""
    from lockin.report.periods import current_period as period_now

    return str(period_now(cadence, today))


def start(portfolio: str, params_file: str = "", catalog_dirs=(), **parameters) -> Assessment:
    """Run the assessment a notebook shows, from its parameter cell's values.

    Parameters
    ----------
    portfolio : str
        The portfolio folder.
    params_file : str
        YAML parameters; empty for the defaults.
    catalog_dirs : list of str, or str
        User catalog folders (``lockin report --catalog``); one folder may be
        given as a plain string, and None or empty means none.
    **parameters
        May hold any of :data:`OVERRIDABLE` (None: keep the parameter file's
        or the default value); other names are ignored, so a notebook can
        pass its whole parameter cell.
    """
    pd.set_option("display.max_colwidth", 80)
    pd.set_option("display.width", 160)
    overrides = {name: parameters[name] for name in OVERRIDABLE if parameters.get(name) is not None}
    for key in ("fleet_file",):
        if key in overrides:
            overrides[key] = str(resolve_path(overrides[key]))
    if "results_files" in overrides:
        overrides["results_files"] = [str(resolve_path(p)) for p in overrides["results_files"]]
    folder = resolve_path(portfolio)
    params = resolve_path(params_file) or _sample_params_for(folder)
    return assess(folder, params, catalog_dirs=_catalog_folders(catalog_dirs), **overrides)


def _sample_params_for(portfolio):
    # The sample's fleet belongs to the sample portfolio: any other
    # portfolio without a parameter file gets the defaults (no fleet).
    from lockin.paths import is_sample_portfolio, sample_params

    return sample_params() if is_sample_portfolio(portfolio) else None


def _catalog_folders(catalog_dirs) -> list[str]:
    # A string is one folder, not a sequence of one-letter folders.
    if not catalog_dirs:
        return []
    folders = [catalog_dirs] if isinstance(catalog_dirs, str) else list(catalog_dirs)
    return [str(resolve_path(folder)) for folder in folders]


def show(frame: pd.DataFrame, *, percent: tuple[str, ...] = (), money: tuple[str, ...] = (), digits: int = 2):
    """A DataFrame styled for reading: percentages, money and rounded numbers."""
    formats = {c: "{:.0%}" for c in percent if c in frame.columns}
    formats.update({c: "${:,.0f}" for c in money if c in frame.columns})
    for column in frame.columns:
        if column not in formats and pd.api.types.is_float_dtype(frame[column]):
            formats[column] = f"{{:,.{digits}f}}"
    return frame.style.format(formats, na_rep="—").hide(axis="index")


def say(*texts: str | None) -> None:
    """Display each non-empty text as Markdown (a gap's sentence, a "more" line).

    Sentences that may be empty or None are common in the report (nothing
    was cut, nothing is missing); an empty Markdown output would still
    leave a blank box in the HTML.
    """
    from IPython.display import Markdown, display

    for text in texts:
        if text:
            display(Markdown(text))
