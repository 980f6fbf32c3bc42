"""Performance parity between a baseline and a target accelerator.

For each workload and scenario the two accelerators were both measured on,
like is compared with like: the same benchmark round, the same division
(closed by default), the same model with the same accuracy target, the same
scenario and unit. Results are normalised per accelerator and the ratio is
direction-aware, so above 1 always means the target does more work per
accelerator. Differences the rules of the round allow but a reader should
know (weight precision, accelerator count) are flagged beside the ratio.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lockin.errors import UsageError
from lockin.hardware.results import LATENCY_UNITS
from lockin.records import Problem

__all__ = ["PARITY_COLUMNS", "PICKS", "ParityResult", "parity", "estimated_parity", "ratio_between", "geometric_mean", "round_key"]

#: Columns of a parity record, contract first.
PARITY_COLUMNS = (
    "workload",
    "scenario",
    "baseline_value",
    "target_value",
    "unit",
    "ratio",
    "baseline",
    "target",
    "round",
    "division",
    "direction",
    "baseline_precision",
    "target_precision",
    "flags",
    "baseline_record",
    "target_record",
    "baseline_system",
    "target_system",
    "baseline_count",
    "target_count",
    "candidates",
    "basis",
)

#: How one value is chosen when several systems ran the same test.
PICKS = ("best", "median")

#: Identifies a comparison: only rows equal on all of these are compared.
LIKE_FOR_LIKE = ("round", "division", "workload", "scenario")


@dataclass
class ParityResult:
    """Parity records, their geometric mean, and the rows behind them.

    Attributes
    ----------
    frame : DataFrame
        :data:`PARITY_COLUMNS`, one record per workload and scenario, then
        a ``geomean`` record (``workload == "geomean"``).
    sources : DataFrame
        The result rows each value came from (results columns plus
        ``role``: ``baseline``/``target``, and ``used``).
    problems : list of Problem
        Comparisons that could not be made, and why.
    """

    frame: pd.DataFrame
    sources: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def comparisons(self) -> pd.DataFrame:
        return self.frame[self.frame["workload"] != "geomean"]

    @property
    def geomean(self) -> float:
        row = self.frame[self.frame["workload"] == "geomean"]
        return float(row["ratio"].iloc[0]) if len(row) else float("nan")


def parity(
    results: pd.DataFrame,
    baseline: str,
    target: str,
    *,
    pick: str = "best",
    division: str | None = "closed",
    include_preview: bool = False,
    rounds: list[str] | None = None,
    latest_only: bool = True,
) -> ParityResult:
    """Compare ``target`` with ``baseline`` workload by workload.

    Parameters
    ----------
    results : DataFrame
        A results frame (:func:`lockin.hardware.results.load_results`).
    baseline, target : str
        Canonical model names of the spec table.
    pick : {"best", "median"}
        Which per-accelerator value stands for an accelerator when several
        systems ran the same test: the best (as vendors quote) or the median
        submission (closer to what a typical buyer gets).
    division : str or None
        Only this division (None: any, still never mixed in one comparison).
    include_preview : bool
        Also use systems not yet available (MLPerf ``preview``).
    rounds : list of str, optional
        Only these rounds (``Inference v5.1``).
    latest_only : bool
        Keep, per workload and scenario, only the latest round both ran.

    Returns
    -------
    ParityResult
    """
    if pick not in PICKS:
        raise ValueError(f"pick must be one of {', '.join(PICKS)}, got {pick!r}")
    if baseline == target:
        raise UsageError(f"baseline and target are the same accelerator ({baseline})")
    rows = _eligible(results, baseline, target, division, include_preview, rounds)
    records, used, problems = [], [], []
    for key, group in rows.groupby(list(LIKE_FOR_LIKE), sort=True, dropna=False):
        record, chosen, problem = _compare(dict(zip(LIKE_FOR_LIKE, key)), group, baseline, target, pick)
        if problem:
            problems.append(problem)
        if record:
            records.append(record)
            used.extend(chosen)
    frame = pd.DataFrame(records, columns=list(PARITY_COLUMNS))
    if latest_only and not frame.empty:
        frame = _latest_rounds(frame)
    frame = frame.sort_values(["workload", "scenario", "round"], kind="stable").reset_index(drop=True)
    sources = _sources(rows, used, frame, baseline)
    geo = _geomean_record(frame, baseline, target)
    frame = pd.concat([frame, pd.DataFrame([geo], columns=list(PARITY_COLUMNS))], ignore_index=True) if len(frame) else frame
    return ParityResult(frame, sources, problems)


def geometric_mean(ratios) -> float:
    """Geometric mean of positive ratios (NaN when there are none)."""
    values = np.asarray([r for r in ratios if r is not None and r > 0 and math.isfinite(r)], dtype=float)
    return float(np.exp(np.log(values).mean())) if len(values) else float("nan")


def round_key(name: str) -> tuple:
    """Sort key of a round name: ``Inference v5.1`` after ``Inference v4.1``."""
    numbers = [int(n) for n in re.findall(r"\d+", str(name))]
    return (str(name).split(" ")[0].lower(), numbers)


def _eligible(results, baseline, target, division, include_preview, rounds) -> pd.DataFrame:
    rows = results[results["model"].isin([baseline, target])]
    if division:
        rows = rows[rows["division"].str.lower() == division.lower()]
    if not include_preview:
        rows = rows[~rows["availability"].fillna("").str.lower().str.startswith("preview")]
    if rounds:
        rows = rows[rows["round"].isin(rounds)]
    return rows


def _compare(key: dict, group: pd.DataFrame, baseline: str, target: str, pick: str):
    base, targ = group[group["model"] == baseline], group[group["model"] == target]
    if base.empty or targ.empty:
        return None, [], None
    units = sorted(set(group["unit"]))
    directions = sorted(set(group["direction"]))
    where = f"{key['workload']} {key['scenario']} ({key['round'] or 'no round'})"
    if len(directions) > 1 or len(units) > 1:
        # Comparing tokens/s with minutes would give a number, and a wrong one.
        files = ", ".join(sorted({f"{f}:{l}" for f, l in zip(group["file"], group["line"])}))
        message = f"{where}: results disagree on unit/direction ({', '.join(units)}; {', '.join(directions)}); not compared. Rows: {files}"
        return None, [], Problem(str(group["file"].iloc[0]), int(group["line"].iloc[0]), message)
    direction, unit = directions[0], units[0]
    base_row, targ_row = _choose(base, direction, pick), _choose(targ, direction, pick)
    base_value, targ_value = base_row["per_accelerator"], targ_row["per_accelerator"]
    ratio = targ_value / base_value if direction == "higher" else base_value / targ_value
    record = {
        **key,
        "baseline_value": base_value,
        "target_value": targ_value,
        "unit": _per_accelerator_unit(unit, direction),
        "ratio": ratio,
        "baseline": baseline,
        "target": target,
        "direction": direction,
        "baseline_precision": base_row["precision"],
        "target_precision": targ_row["precision"],
        "flags": _flags(base_row, targ_row, pick),
        "baseline_record": _label(base_row),
        "target_record": _label(targ_row),
        "baseline_system": base_row["system"],
        "target_system": targ_row["system"],
        "baseline_count": int(base_row["accelerator_count"]),
        "target_count": int(targ_row["accelerator_count"]),
        "candidates": f"{len(base)} baseline, {len(targ)} target",
        "basis": f"{pick} per-accelerator result",
    }
    chosen = [(key, "baseline", base_row.name), (key, "target", targ_row.name)]
    return record, chosen, None


def _choose(rows: pd.DataFrame, direction: str, pick: str) -> pd.Series:
    ordered = rows.sort_values("per_accelerator", ascending=(direction == "lower"), kind="stable")
    if pick == "best":
        return ordered.iloc[0]
    # The median submission itself (the lower middle one), so the value
    # stays one that a real system reached and can be traced.
    return ordered.iloc[(len(ordered) - 1) // 2]


def _flags(base: pd.Series, targ: pd.Series, pick: str) -> str:
    flags = []
    if (base["precision"] or "") != (targ["precision"] or ""):
        flags.append(f"precision differs ({base['precision'] or '?'} vs {targ['precision'] or '?'})")
    if int(base["accelerator_count"]) != int(targ["accelerator_count"]):
        flags.append(f"accelerator counts differ ({int(base['accelerator_count'])} vs {int(targ['accelerator_count'])}; per-accelerator at linear scaling)")
    if (base["submitter"] or "") and (targ["submitter"] or "") and base["submitter"] != targ["submitter"]:
        flags.append("different submitters")
    return "; ".join(flags)


def _label(row: pd.Series) -> str:
    return row["record"] or f"{row['file']}:{row['line']}"


def _per_accelerator_unit(unit: str, direction: str) -> str:
    if unit.strip().lower() in LATENCY_UNITS:
        return unit
    return f"{unit} per accelerator" if direction == "higher" else f"accelerator-{unit}"


def _latest_rounds(frame: pd.DataFrame) -> pd.DataFrame:
    latest = frame.assign(_key=frame["round"].map(round_key))
    keep = latest.groupby(["workload", "scenario"])["_key"].transform(lambda keys: keys == max(keys))
    return frame[keep.astype(bool)]


def _sources(rows: pd.DataFrame, used: list, frame: pd.DataFrame, baseline: str) -> pd.DataFrame:
    kept = {(k["round"], k["workload"], k["scenario"]) for k in frame[["round", "workload", "scenario"]].to_dict("records")}
    chosen = {index: role for key, role, index in used if (key["round"], key["workload"], key["scenario"]) in kept}
    in_kept = rows.apply(lambda r: (r["round"], r["workload"], r["scenario"]) in kept, axis=1) if len(rows) else pd.Series(dtype=bool)
    sources = rows[in_kept].copy() if len(rows) else rows.copy()
    sources["role"] = ["baseline" if model == baseline else "target" for model in sources["model"]]
    sources["used"] = [index in chosen for index in sources.index]
    return sources.reset_index(drop=True)


def _geomean_record(frame: pd.DataFrame, baseline: str, target: str) -> dict:
    # A run submitted under two accuracy targets is one measurement, not two.
    distinct = frame.drop_duplicates(["round", "scenario", "baseline_record", "target_record", "baseline_value", "target_value"])
    flagged = int((distinct["flags"].str.contains("precision")).sum())
    return {
        "workload": "geomean",
        "scenario": "",
        "baseline_value": None,
        "target_value": None,
        "unit": "",
        "ratio": geometric_mean(distinct["ratio"]),
        "baseline": baseline,
        "target": target,
        "round": "",
        "division": "",
        "direction": "higher",
        "baseline_precision": "",
        "target_precision": "",
        "flags": f"{flagged} comparison(s) with different precision" if flagged else "",
        "baseline_record": "",
        "target_record": "",
        "baseline_system": "",
        "target_system": "",
        "baseline_count": None,
        "target_count": None,
        "candidates": f"{len(distinct)} distinct comparison(s) of {len(frame)}",
        "basis": "geometric mean of the ratios",
    }


def estimated_parity(results: pd.DataFrame, measured: pd.DataFrame, baseline: str, target: str, model) -> pd.DataFrame:
    """Parity records estimated by the transfer model where only the baseline ran.

    For each workload and scenario with a baseline result (latest round)
    but no record in ``measured``, the target's value is the baseline's
    times the estimated ratio; ``basis`` says it is an estimate and gives
    the model's cross-validated error and the P10–P90 band.
    """
    done = set(zip(measured["workload"], measured["scenario"]))
    rows = results[(results["model"] == baseline) & ~results["unit"].str.strip().str.lower().isin(LATENCY_UNITS)]
    records = []
    for (workload, scenario), group in rows.groupby(["workload", "scenario"], sort=True):
        if (workload, scenario) in done:
            continue
        latest = group[group["round"].map(round_key) == max(group["round"].map(round_key))]
        direction = latest["direction"].iloc[0]
        base_row = _choose(latest, direction, "best")
        estimate = model.predict(baseline, target, workload, scenario=scenario, precision=base_row["precision"])
        value = base_row["per_accelerator"]
        target_value = value * estimate.ratio if direction == "higher" else value / estimate.ratio
        records.append(
            {
                "workload": workload,
                "scenario": scenario,
                "baseline_value": value,
                "target_value": target_value,
                "unit": _per_accelerator_unit(base_row["unit"], direction),
                "ratio": estimate.ratio,
                "baseline": baseline,
                "target": target,
                "round": base_row["round"],
                "division": base_row["division"],
                "direction": direction,
                "baseline_precision": base_row["precision"],
                "target_precision": "",
                "flags": f"estimate: P10 {estimate.p10:.2f}, P90 {estimate.p90:.2f}",
                "baseline_record": _label(base_row),
                "target_record": "",
                "baseline_system": base_row["system"],
                "target_system": "",
                "baseline_count": int(base_row["accelerator_count"]),
                "target_count": None,
                "candidates": f"{len(latest)} baseline, 0 target",
                "basis": f"estimate (transfer model, cross-validated median error {estimate.cv_error_pct:.0f}%)",
            }
        )
    return pd.DataFrame(records, columns=list(PARITY_COLUMNS))


def ratio_between(results: pd.DataFrame, baseline: str, target: str, model=None) -> tuple[float, str]:
    """One performance ratio of ``target`` over ``baseline`` and where it comes from.

    The geometric mean of the measured parity when the two were ever
    compared like with like; otherwise the transfer model's estimate for an
    LLM inference workload (the suite's typical case), labelled as such.
    """
    if baseline == target:
        return 1.0, "same accelerator"
    measured = parity(results, baseline, target)
    if len(measured.comparisons):
        return measured.geomean, f"measured: geometric mean of {len(measured.comparisons)} MLPerf comparison(s)"
    if model is None:
        raise UsageError(f"no like-for-like results of {target} and {baseline}, and no transfer model to estimate them")
    estimate = model.predict(baseline, target, "llm inference")
    return estimate.ratio, f"estimate (transfer model, LLM inference, P10 {estimate.p10:.2f}–P90 {estimate.p90:.2f})"
