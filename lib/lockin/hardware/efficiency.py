"""Performance per watt, per dollar, and energy per unit of work.

Each accelerator's result on a workload is turned into a *work rate* per
accelerator (tokens, samples or queries per second; for a time to train,
training runs per second at linear scaling), and that rate is set against a
power figure and a price. The power figure is MLPerf's measured system
power divided by the accelerators where the round measured it, otherwise
the spec sheet's board power, and every row says which it used: a board
power is an upper bound on what the card draws, and it leaves out the host.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lockin.hardware.results import LATENCY_UNITS
from lockin.hardware.specs import SpecTable
from lockin.hardware.tables import positive_or_none

__all__ = ["EFFICIENCY_COLUMNS", "efficiency", "work_unit"]

EFFICIENCY_COLUMNS = (
    "round",
    "workload",
    "scenario",
    "model",
    "vendor",
    "per_accelerator",
    "unit",
    "work_rate",
    "work_unit",
    "power_w",
    "power_basis",
    "perf_per_watt",
    "energy_per_unit_j",
    "purchase_usd",
    "perf_per_dollar",
    "hourly_usd",
    "cost_per_million_usd",
    "price_basis",
    "precision",
    "record",
)

_UNIT_WORDS = {"tokens/s": "token", "samples/s": "sample", "queries/s": "query", "images/s": "image", "sequences/s": "sequence"}


def work_unit(unit: str, direction: str) -> str:
    """What one unit of work is for a result unit (``Tokens/s`` → ``token``)."""
    key = unit.strip().lower()
    if direction == "lower":
        return "training run"
    return _UNIT_WORDS.get(key, key.removesuffix("/s") or "unit")


def efficiency(
    results: pd.DataFrame,
    specs: SpecTable,
    *,
    models: list[str] | None = None,
    pick: str = "best",
    division: str | None = "closed",
) -> pd.DataFrame:
    """Efficiency of each accelerator on each workload it was measured on.

    Parameters
    ----------
    results : DataFrame
        A results frame.
    specs : SpecTable
        Board power and prices come from here.
    models : list of str, optional
        Only these canonical models.
    pick : {"best", "median"}
        Which submission stands for a model on a workload (as in parity).
    division : str or None

    Returns
    -------
    DataFrame
        :data:`EFFICIENCY_COLUMNS`; latencies (which are no work rate) are
        left out. ``perf_per_watt`` is units of work per joule,
        ``energy_per_unit_j`` joules per unit, ``perf_per_dollar`` the work
        rate per dollar of purchase price, ``cost_per_million_usd`` the
        hourly rate spent on a million units.
    """
    rows = results
    if division:
        rows = rows[rows["division"].str.lower() == division.lower()]
    if models:
        rows = rows[rows["model"].isin(models)]
    rows = rows[~rows["unit"].str.strip().str.lower().isin(LATENCY_UNITS)]
    records = []
    for _, group in rows.groupby(["round", "workload", "scenario", "model"], sort=True):
        chosen = _representative(group, pick)
        records.append(_efficiency_record(chosen, specs))
    return pd.DataFrame(records, columns=list(EFFICIENCY_COLUMNS))


def _representative(group: pd.DataFrame, pick: str) -> pd.Series:
    direction = group["direction"].iloc[0]
    # Prefer a measured power figure among equally good candidates.
    ordered = group.assign(_measured=group["power_w"].notna()).sort_values(
        ["per_accelerator", "_measured"], ascending=[direction == "lower", False], kind="stable"
    )
    return ordered.iloc[0] if pick == "best" else ordered.iloc[(len(ordered) - 1) // 2]


def _efficiency_record(row: pd.Series, specs: SpecTable) -> dict:
    spec = specs.frame.loc[row["model"]]
    direction = row["direction"]
    # accelerator-minutes per run → runs per second per accelerator
    rate = row["per_accelerator"] if direction == "higher" else 1.0 / (row["per_accelerator"] * _seconds(row["unit"]))
    power, basis = _power(row, spec)
    purchase, hourly = positive_or_none(spec.get("purchase_usd")), positive_or_none(spec.get("hourly_usd"))
    return {
        "round": row["round"],
        "workload": row["workload"],
        "scenario": row["scenario"],
        "model": row["model"],
        "vendor": row["vendor"],
        "per_accelerator": row["per_accelerator"],
        "unit": row["unit"],
        "work_rate": rate,
        "work_unit": work_unit(row["unit"], direction),
        "power_w": power,
        "power_basis": basis,
        "perf_per_watt": rate / power if power else np.nan,
        "energy_per_unit_j": power / rate if power else np.nan,
        "purchase_usd": purchase,
        "perf_per_dollar": rate / purchase if purchase else np.nan,
        "hourly_usd": hourly,
        "cost_per_million_usd": hourly / 3600.0 / rate * 1e6 if hourly else np.nan,
        "price_basis": spec.get("price_source") or "no price parameter",
        "precision": row["precision"],
        "record": row["record"] or f"{row['file']}:{row['line']}",
    }


def _power(row: pd.Series, spec: pd.Series) -> tuple[float, str]:
    measured = positive_or_none(row.get("power_w"))
    if measured:
        return measured / row["accelerator_count"], "measured system power / accelerators (MLPerf power)"
    board = positive_or_none(spec.get("board_power_w"))
    if board:
        term = spec.get("power_term") or "board power"
        return board, f"board power from the spec sheet ({term}; upper bound, host excluded)"
    return np.nan, "no power figure"


def _seconds(unit: str) -> float:
    return {"s": 1.0, "seconds": 1.0, "minutes": 60.0, "hours": 3600.0}.get(unit.strip().lower(), 1.0)
