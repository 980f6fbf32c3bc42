"""Staying or moving: monthly cash flows, net present value, break-even,
sensitivity, and a recommendation per project.

A project's compute is its GPU-hours per month on its current accelerator.
On the target it needs GPU-hours ÷ the performance ratio. Each month either
option costs its hardware (owned: purchase price written off over the
amortisation period, plus energy = board power × load × hours × PUE × price;
rented: the hourly rate, energy included). Moving adds the migration labour
(spread over the months a team of ``team_size`` needs), a period of running
both platforms, and retraining. Savings are staying minus moving, month by
month; their present value at the discount rate is the NPV, and the
break-even month is the first from which the discounted cumulative savings
stay at or above zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lockin.scoring.parameters import Parameters

__all__ = ["ProjectCase", "CaseResult", "evaluate_case", "monthly_cashflows", "npv", "breakeven_month", "tornado", "recommend", "format_usd", "HOURS_PER_MONTH"]

#: Average hours in a month (8,760 / 12).
HOURS_PER_MONTH = 730.0


@dataclass(frozen=True)
class ProjectCase:
    """What the economics of one project depend on.

    ``effort_pm`` is (P10, P50, P90); ``ratio`` the target's performance over
    the baseline's, with ``ratio_band`` its (low, high) range.
    """

    project: str
    gpu_hours_per_month: float
    baseline: str
    target: str
    baseline_spec: dict
    target_spec: dict
    ratio: float
    ratio_band: tuple[float, float]
    effort_pm: tuple[float, float, float]
    same_vendor: bool = False


@dataclass
class CaseResult:
    project: str
    stay_usd: float
    move_usd: float
    npv_usd: float
    npv_usd_p10: float
    npv_usd_p90: float
    breakeven_month: float
    migration_months: float
    energy_mwh_stay: float
    energy_mwh_move: float
    status: str = "ok"
    cashflows: pd.DataFrame = field(default=None, repr=False)


def monthly_cost(spec: dict, gpu_hours: float, params: Parameters) -> tuple[float, float]:
    """Cost (USD) and energy (MWh) per month of running ``gpu_hours`` on a part."""
    if gpu_hours <= 0:
        return 0.0, 0.0
    accelerators = gpu_hours / (HOURS_PER_MONTH * params.utilisation)
    draw_kw = float(spec.get("board_power_w") or 0.0) * params.power_load / 1000.0
    energy_mwh = accelerators * draw_kw * HOURS_PER_MONTH * params.pue / 1000.0
    if params.hardware_cost == "rented":
        hourly = _price(spec, "hourly_usd")
        return gpu_hours * hourly, energy_mwh
    purchase = _price(spec, "purchase_usd")
    write_off = accelerators * purchase / (params.amortisation_years * 12.0)
    return write_off + energy_mwh * 1000.0 * params.energy_usd_per_kwh, energy_mwh


def _price(spec: dict, key: str) -> float:
    value = spec.get(key)
    if value is None or not value == value or value <= 0:
        raise ValueError(f"no {key} for {spec.get('model', 'the accelerator')} (set it in the prices parameter)")
    return float(value)


def monthly_cashflows(case: ProjectCase, effort_pm: float, params: Parameters, *, ratio: float | None = None) -> pd.DataFrame:
    """Month-by-month cost of staying and of moving, and the savings.

    Columns: ``month`` (1…horizon), ``stay``, ``move``, ``labour``,
    ``savings`` (stay − move), ``discounted``, ``cumulative`` (discounted).
    """
    ratio = case.ratio if ratio is None else ratio
    months = int(round(params.horizon_years * 12))
    stay, _ = monthly_cost(case.baseline_spec, case.gpu_hours_per_month, params)
    target, _ = monthly_cost(case.target_spec, case.gpu_hours_per_month / ratio, params)
    migration = migration_months(effort_pm, params)
    labour_per_month = effort_pm * params.labour_cost_per_pm / migration if migration else 0.0
    retraining = math.ceil(params.team_size) * params.retraining_usd_per_engineer if effort_pm > 0 else 0.0
    month = np.arange(1, months + 1)
    migrating = month <= migration
    dual = (month > migration) & (month <= migration + params.dual_running_months)
    after = month > migration + params.dual_running_months
    move = np.where(migrating, stay + labour_per_month, 0.0) + np.where(dual, stay + target, 0.0) + np.where(after, target, 0.0)
    move[0] += retraining
    savings = stay - move
    discounted = savings / np.power(1.0 + params.discount_rate, month / 12.0)
    return pd.DataFrame(
        {
            "month": month,
            "stay": stay,
            "move": move,
            "labour": np.where(migrating, labour_per_month, 0.0),
            "savings": savings,
            "discounted": discounted,
            "cumulative": np.cumsum(discounted),
        }
    )


def migration_months(effort_pm: float, params: Parameters) -> int:
    """Calendar months a team of ``team_size`` needs for ``effort_pm``."""
    return math.ceil(effort_pm / params.team_size - 1e-9) if effort_pm > 0 else 0


def npv(flows: pd.DataFrame) -> float:
    return float(flows["discounted"].sum())


def breakeven_month(flows: pd.DataFrame) -> float:
    """First month from which the discounted cumulative savings stay ≥ 0 (NaN: not within the horizon)."""
    cumulative = flows["cumulative"].to_numpy()
    if not len(cumulative) or cumulative[-1] < 0:
        return float("nan")
    below = np.nonzero(cumulative < 0)[0]
    return float(flows["month"].iloc[below[-1] + 1]) if len(below) else float(flows["month"].iloc[0])


def evaluate_case(case: ProjectCase, params: Parameters) -> CaseResult:
    """NPV at the median effort, and at P90/P10 effort for its pessimistic and
    optimistic values (NPV falls as effort grows, so the percentiles of the
    effort map onto those of the NPV)."""
    p10, p50, p90 = case.effort_pm
    try:
        flows = monthly_cashflows(case, p50, params)
        worst, best = npv(monthly_cashflows(case, p90, params)), npv(monthly_cashflows(case, p10, params))
    except ValueError as exc:
        return CaseResult(case.project, *([float("nan")] * 9), status=str(exc))
    _, energy_stay = monthly_cost(case.baseline_spec, case.gpu_hours_per_month, params)
    _, energy_move = monthly_cost(case.target_spec, case.gpu_hours_per_month / case.ratio, params)
    return CaseResult(
        project=case.project,
        stay_usd=float(flows["stay"].sum()),
        move_usd=float(flows["move"].sum()),
        npv_usd=npv(flows),
        npv_usd_p10=worst,
        npv_usd_p90=best,
        breakeven_month=breakeven_month(flows),
        migration_months=float(migration_months(p50, params)),
        energy_mwh_stay=energy_stay * 12,
        energy_mwh_move=energy_move * 12,
        cashflows=flows.assign(project=case.project),
    )


#: Parameters the tornado swings, with how each is varied.
TORNADO_PARAMETERS = (
    "effort",
    "performance_ratio",
    "target_price",
    "baseline_price",
    "energy_usd_per_kwh",
    "labour_cost_per_pm",
    "discount_rate",
    "utilisation",
    "dual_running_months",
)


def tornado(cases: list[ProjectCase], params: Parameters) -> pd.DataFrame:
    """One-at-a-time sensitivity of the summed NPV of ``cases``.

    Effort swings between its P10 and P90 and the performance ratio across
    its band; every other input by ± ``sensitivity_swing``. Returns one row
    per input with the NPV at its low and high value and the swing,
    largest first.
    """
    base = sum(_npv_with(case, params, {}) for case in cases)
    rows = []
    swing = params.sensitivity_swing
    for name in TORNADO_PARAMETERS:
        if name == "effort":
            low, high = {"effort": 0}, {"effort": 2}
            label_low, label_high = "P10", "P90"
        elif name == "performance_ratio":
            low, high = {"ratio": "low"}, {"ratio": "high"}
            label_low, label_high = "band low", "band high"
        else:
            low, high = {name: 1 - swing}, {name: 1 + swing}
            label_low, label_high = f"-{swing:.0%}", f"+{swing:.0%}"
        npv_low = sum(_npv_with(case, params, low) for case in cases)
        npv_high = sum(_npv_with(case, params, high) for case in cases)
        if any(map(math.isnan, (npv_low, npv_high))):
            continue
        rows.append({"parameter": name, "low": label_low, "high": label_high, "npv_low_usd": npv_low, "npv_high_usd": npv_high, "swing_usd": abs(npv_high - npv_low), "npv_base_usd": base})
    frame = pd.DataFrame(rows, columns=["parameter", "low", "high", "npv_low_usd", "npv_high_usd", "swing_usd", "npv_base_usd"])
    return frame.sort_values("swing_usd", ascending=False, kind="stable").reset_index(drop=True)


def _npv_with(case: ProjectCase, params: Parameters, change: dict) -> float:
    effort = case.effort_pm[change.get("effort", 1)]
    ratio = case.ratio
    if change.get("ratio") == "low":
        ratio = case.ratio_band[0]
    elif change.get("ratio") == "high":
        ratio = case.ratio_band[1]
    baseline_spec, target_spec = dict(case.baseline_spec), dict(case.target_spec)
    scaled = {}
    for name, factor in change.items():
        if name == "target_price":
            target_spec = _scale_prices(target_spec, factor)
        elif name == "baseline_price":
            baseline_spec = _scale_prices(baseline_spec, factor)
        elif name in ("energy_usd_per_kwh", "labour_cost_per_pm", "discount_rate", "utilisation", "dual_running_months"):
            scaled[name] = _clamped(name, params[name] * factor)
    varied = params.replace(**scaled) if scaled else params
    moved = ProjectCase(**{**case.__dict__, "baseline_spec": baseline_spec, "target_spec": target_spec})
    try:
        return npv(monthly_cashflows(moved, effort, varied, ratio=ratio))
    except ValueError:
        return float("nan")


def _scale_prices(spec: dict, factor: float) -> dict:
    return {**spec, **{k: spec[k] * factor for k in ("purchase_usd", "hourly_usd") if spec.get(k) == spec.get(k) and spec.get(k)}}


def _clamped(name: str, value: float) -> float:
    from lockin.scoring.parameters import PARAMETERS

    spec = next(p for p in PARAMETERS if p.name == name)
    if spec.maximum is not None:
        value = min(value, spec.maximum)
    if spec.minimum is not None:
        value = max(value, spec.minimum)
    return value


def recommend(result: CaseResult, case: ProjectCase, roadblocks: int, params: Parameters, supply: str) -> tuple[str, str]:
    """``stay``, ``dual-source`` or ``migrate``, and the reasons in a sentence.

    The rules, in order: a project already on the target's vendor stays; a
    project with nothing to move migrates if the target is cheaper for its
    work and otherwise keeps both options (dual-source); a move that pays
    back even at P90 effort migrates unless roadblocks need a redesign
    first (then dual-source: prove them on the target while the rest runs
    where it is); a move that pays back at median effort only is
    dual-source; anything else stays, except a small move without
    roadblocks in a highly concentrated fleet, which is cheap insurance.
    """
    target = case.target
    p10, p50, p90 = case.effort_pm
    horizon = f"{params.horizon_years:g}-year horizon"
    if case.same_vendor:
        return "stay", f"already runs on {case.baseline} ({params.target_vendor}); nothing to move"
    if result.status != "ok":
        if p50 == 0:
            return "stay", f"nothing to move: no vendor-bound evidence towards {params.target_vendor} ({result.status})"
        return "stay", f"economics not computed ({result.status}); effort P50 {p50:.1f} PM"
    if p50 == 0:
        if result.npv_usd > 0:
            return "migrate", f"portable already (no code to change) and {target} does the same work for less: NPV {format_usd(result.npv_usd)} over a {horizon}"
        return "dual-source", f"portable already: it runs on {target} without changes, though moving alone would not pay (NPV {format_usd(result.npv_usd)})"
    if result.npv_usd_p10 > 0:
        payback = f"pays back even at P90 effort ({p90:.1f} PM): NPV {format_usd(result.npv_usd_p10)} to {format_usd(result.npv_usd_p90)}, break-even in month {result.breakeven_month:.0f}"
        if roadblocks:
            return "dual-source", f"{payback}; but {roadblocks} roadblock(s) need redesign, so prove them on {target} while the rest runs where it is"
        return "migrate", payback
    if result.npv_usd > 0:
        return "dual-source", f"pays back at median effort (NPV {format_usd(result.npv_usd)}, break-even month {result.breakeven_month:.0f}) but not at P90 effort ({format_usd(result.npv_usd_p10)}); move new work first"
    reasons = f"does not pay back within the {horizon} (NPV {format_usd(result.npv_usd)} at {p50:.1f} PM)"
    if roadblocks:
        reasons += f"; {roadblocks} roadblock(s) need redesign"
    if supply == "highly concentrated" and roadblocks == 0 and p50 <= params.team_size * 3:
        return "dual-source", reasons + f"; but the fleet is {supply} and the move is small, so a second source is cheap insurance"
    return "stay", reasons


def format_usd(value: float) -> str:
    """Money for sentences: $1.95M, $191k, -$39k, n/a."""
    if not math.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1e6:
        return f"{sign}${value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{sign}${value / 1e3:.0f}k"
    return f"{sign}${value:.0f}"
