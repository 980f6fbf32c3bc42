"""The installed fleet: vendor shares, concentration (HHI), energy, emissions.

Concentration is measured with the Herfindahl-Hirschman Index the US
merger guidelines use: the sum of squared percentage shares, from near 0
(many small suppliers) to 10,000 (one supplier). A fleet is a market of
one buyer, so the index here says how dependent the team is on each vendor;
the guidelines' thresholds give the words for it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lockin.hardware.specs import SpecTable
from lockin.errors import InputError, UsageError, quote, read_utf8
from lockin.hardware.tables import Column, positive_or_none, read_table
from lockin.records import Problem

__all__ = [
    "FLEET_COLUMNS",
    "BASES",
    "REGIMES",
    "HOURS_PER_YEAR",
    "DEFAULT_GRID_KG_PER_KWH",
    "DEFAULT_PUE",
    "Fleet",
    "FleetSummary",
    "read_fleet",
    "hhi",
    "concentration",
    "vendor_shares",
    "move_capacity",
    "summarize_fleet",
]

HOURS_PER_YEAR = 8760.0

#: World average carbon intensity of electricity generation in 2022,
#: 436 g CO2/kWh (Ember, Global Electricity Review 2023). A parameter:
#: use your grid's or your supplier's figure.
DEFAULT_GRID_KG_PER_KWH = 0.436

#: Industry average PUE in 2023, 1.58 (Uptime Institute, Global Data Center
#: Survey 2023); used for fleet rows that give none.
DEFAULT_PUE = 1.58

FLEET_COLUMNS = (
    Column("site", nonempty=False, default=""),
    Column("vendor", required=False, nonempty=False, default=""),
    Column("model"),
    Column("count", "count", minimum=1),
    Column("utilisation", "number", required=False, nonempty=False, minimum=0, maximum=1),
    Column("power_w", "number", required=False, nonempty=False, minimum=0, strict=True),
    Column("pue", "number", required=False, nonempty=False, minimum=1, maximum=3, default=None),
    Column("purchase_usd", "number", required=False, nonempty=False, minimum=0, strict=True),
    Column("hourly_usd", "number", required=False, nonempty=False, minimum=0, strict=True),
)

#: What a share is measured in.
BASES = ("count", "compute", "power")

#: HHI thresholds (unconcentrated below the first, highly concentrated above
#: the second): 2010 US Horizontal Merger Guidelines §5.3 and 2023 Merger
#: Guidelines §2.1.
REGIMES = {"2010": (1500.0, 2500.0), "2023": (1000.0, 1800.0)}


@dataclass
class Fleet:
    """Fleet rows with specs joined, and the rows that could not be used.

    ``frame`` columns: the file's columns plus ``model`` (canonical),
    ``vendor``, ``fp16_dense_tflops``, ``board_power_w``, ``draw_w`` (per
    accelerator), ``draw_basis``, ``compute_tflops``, ``power_kw``,
    ``file``, ``line``.
    """

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    file: str = ""


@dataclass
class FleetSummary:
    """Shares, HHI, energy and emissions of a fleet.

    Attributes
    ----------
    vendors : DataFrame
        One record per vendor and an ``all`` record (see :func:`summarize_fleet`).
    hhi : dict
        ``{basis: index}``.
    regime : str
    whatif : dict or None
        The what-if move, when one was asked for.
    """

    vendors: pd.DataFrame
    hhi: dict[str, float]
    regime: str
    whatif: dict | None = None
    parameters: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The summary as titled tables, for text reports."""
        share_columns = ["vendor", "accelerators", "compute_pflops", "power_kw", "energy_mwh", "emissions_t", "count_share", "compute_share", "power_share"]
        low, high = REGIMES[self.regime]
        concentration_rows = [{"basis": b, "hhi": round(self.hhi[b]), "concentration": concentration(self.hhi[b], self.regime)} for b in BASES]
        tables = {
            "Fleet by vendor": self.vendors[share_columns].round({"compute_pflops": 2, "power_kw": 1, "energy_mwh": 1, "emissions_t": 1, "count_share": 3, "compute_share": 3, "power_share": 3}),
            f"Concentration (HHI; {self.regime} thresholds {low:,.0f} / {high:,.0f})": pd.DataFrame(concentration_rows),
        }
        if self.whatif:
            w = self.whatif
            tables["What-if"] = pd.DataFrame(
                [{k: w[k] for k in ("basis", "percent", "from", "to", "hhi_before", "hhi_after", "concentration_before", "concentration_after")}]
            ).round({"hhi_before": 0, "hhi_after": 0})
        total = self.vendors.iloc[-1]
        if "target_model" in self.vendors.columns and isinstance(total.get("target_model"), str):
            tables[f"The same work on {total['target_model']}"] = pd.DataFrame(
                [
                    {"": "today", "accelerators": total["accelerators"], "energy_mwh": total["energy_mwh"], "emissions_t": total["emissions_t"]},
                    {"": total["target_model"], "accelerators": total["target_accelerators"], "energy_mwh": total["target_energy_mwh"], "emissions_t": total["target_emissions_t"]},
                ]
            ).round(1)
        return tables


def read_fleet(path: str | Path, specs: SpecTable, *, default_pue: float = DEFAULT_PUE) -> Fleet:
    """Read a fleet CSV and join each row to the spec table.

    A row whose model matches no spec, or whose vendor disagrees with the
    spec table's, is reported and left out.
    """
    # Read here rather than by read_table, so a file that is not UTF-8 is
    # an error with the line of the first bad byte.
    table = read_table(path, FLEET_COLUMNS, text=read_utf8(path))
    problems, rows = list(table.problems), []
    for record in table.frame.to_dict("records"):
        line = int(record["line"])
        match = specs.matcher.match(record["model"])
        if match.model is None:
            problems.append(Problem(str(path), line, f"accelerator {quote(record['model'])}: {match.reason}"))
            continue
        spec = specs.frame.loc[match.model]
        vendor = (record["vendor"] or "").strip().lower()
        if vendor and vendor != spec["vendor"]:
            problems.append(Problem(str(path), line, f"vendor {quote(record['vendor'])} disagrees with the spec table ({match.model} is {spec['vendor']})"))
            continue
        rows.append(_fleet_row(record, match.model, spec, default_pue, str(path)))
    frame = pd.DataFrame(rows)
    return Fleet(frame, problems, str(path))


def _fleet_row(record: dict, model: str, spec: pd.Series, default_pue: float, path: str) -> dict:
    measured = positive_or_none(record.get("power_w"))
    board = positive_or_none(spec.get("board_power_w"))
    draw, basis = (measured, "measured") if measured else (board, "board power (upper bound)") if board else (np.nan, "unknown")
    count = int(record["count"])
    pue = positive_or_none(record.get("pue")) or default_pue
    return {
        "site": record["site"] or "",
        "vendor": spec["vendor"],
        "model": model,
        "name": record["model"],
        "count": count,
        "utilisation": _fraction(record.get("utilisation")),
        "draw_w": draw,
        "draw_basis": basis,
        "board_power_w": board or np.nan,
        "pue": pue,
        "purchase_usd": positive_or_none(record.get("purchase_usd")) or np.nan,
        "hourly_usd": positive_or_none(record.get("hourly_usd")) or np.nan,
        "fp16_dense_tflops": float(spec["fp16_dense_tflops"]),
        "compute_tflops": count * float(spec["fp16_dense_tflops"]),
        "power_kw": count * draw / 1000.0 if draw == draw else np.nan,
        "file": path,
        "line": int(record["line"]),
    }


def hhi(shares) -> float:
    """Herfindahl-Hirschman Index of shares given as fractions (sum to 1)."""
    values = np.asarray(list(shares), dtype=float)
    values = values[values > 0]
    if not len(values):
        return float("nan")
    return float(((values / values.sum() * 100.0) ** 2).sum())


def concentration(index: float, regime: str = "2023") -> str:
    """Words for an HHI under a regime's thresholds."""
    if regime not in REGIMES:
        raise UsageError(f"regime must be one of {', '.join(REGIMES)}, got {quote(regime)}")
    low, high = REGIMES[regime]
    if not math.isfinite(index):
        return "unknown"
    if index < low:
        return "unconcentrated"
    return "moderately concentrated" if index <= high else "highly concentrated"


def vendor_shares(frame: pd.DataFrame, basis: str = "count") -> pd.Series:
    """Each vendor's share (fraction) of the fleet by count, compute or power."""
    column = _basis_column(basis)
    totals = frame.groupby("vendor")[column].sum()
    return totals / totals.sum() if totals.sum() > 0 else totals


def move_capacity(shares: pd.Series, percent: float, to_vendor: str, from_vendor: str | None = None) -> pd.Series:
    """Shares after moving ``percent`` of the fleet from one vendor to another.

    ``percent`` is of the whole fleet; it cannot exceed what the source
    vendor holds. The source is the largest vendor unless named.
    """
    if not 0 <= percent <= 100:
        raise UsageError(f"the share to move must be between 0 and 100 percent, got {percent}")
    shares = shares.astype(float).copy()
    source = from_vendor or str(shares.idxmax())
    if source not in shares.index:
        raise UsageError(f"vendor {quote(source)} has no share of this fleet ({', '.join(shares.index)})")
    if source == to_vendor:
        raise UsageError(f"moving capacity from {source} to itself changes nothing")
    moved = percent / 100.0
    if moved > shares[source] + 1e-12:
        raise UsageError(f"cannot move {percent:g}% from {source}: it holds {shares[source] * 100:.1f}%")
    shares[source] -= moved
    shares[to_vendor] = shares.get(to_vendor, 0.0) + moved
    return shares


def summarize_fleet(
    fleet: Fleet,
    *,
    regime: str = "2023",
    basis: str = "compute",
    grid_kg_per_kwh: float = DEFAULT_GRID_KG_PER_KWH,
    move_percent: float | None = None,
    move_to: str | None = None,
    move_from: str | None = None,
    target_model: str | None = None,
    target_ratios: Mapping[str, float] | None = None,
    specs: SpecTable | None = None,
) -> FleetSummary:
    """Shares, HHI, annual energy and emissions of a fleet, by vendor.

    Parameters
    ----------
    fleet : Fleet
    regime : {"2023", "2010"}
        Which HHI thresholds name the concentration.
    basis : {"count", "compute", "power"}
        The share the what-if move and the headline concentration use.
    grid_kg_per_kwh : float
        Grid carbon intensity, kg CO2e per kWh (= t per MWh).
    move_percent, move_to, move_from
        A what-if: move this percent of the fleet (by ``basis``) to vendor
        ``move_to``; the HHI after is reported.
    target_model, target_ratios, specs
        The same work on another accelerator: ``target_ratios`` maps each
        fleet model to the target's per-accelerator performance over that
        model's (from parity or the transfer model), so a row of ``count``
        accelerators takes ``count / ratio`` targets, drawing the target's
        board power scaled by the load the row shows.

    Returns
    -------
    FleetSummary
        ``vendors`` has one record per vendor and an ``all`` record:
        ``accelerators``, ``count_share``, ``compute_share``, ``power_share``,
        ``compute_pflops``, ``power_kw``, ``energy_mwh``, ``emissions_t``,
        and on ``all`` the HHI by each basis and its concentration words.
    """
    if basis not in BASES:
        raise UsageError(f"basis must be one of {', '.join(BASES)}, got {quote(basis)}")
    if regime not in REGIMES:
        raise UsageError(f"regime must be one of {', '.join(REGIMES)}, got {quote(regime)}")
    if not grid_kg_per_kwh >= 0:
        raise UsageError(f"grid intensity must be 0 or more kg CO2e/kWh, got {grid_kg_per_kwh}")
    if fleet.frame.empty:
        raise InputError(fleet.file or "fleet", None, "no usable fleet rows (each row needs a known model and a count)")
    frame = fleet.frame.assign(energy_mwh=lambda f: f["power_kw"] * f["pue"] * HOURS_PER_YEAR / 1000.0)
    shares = {b: vendor_shares(frame, b) for b in BASES}
    indexes = {b: hhi(shares[b]) for b in BASES}
    by_vendor = frame.groupby("vendor").agg(
        accelerators=("count", "sum"), compute_pflops=("compute_tflops", "sum"), power_kw=("power_kw", "sum"), energy_mwh=("energy_mwh", "sum")
    )
    by_vendor["compute_pflops"] /= 1000.0
    for b in BASES:
        by_vendor[f"{b}_share"] = shares[b]
    by_vendor["emissions_t"] = by_vendor["energy_mwh"] * grid_kg_per_kwh
    total = by_vendor[["accelerators", "compute_pflops", "power_kw", "energy_mwh", "emissions_t"]].sum()
    all_row = {**total.to_dict(), **{f"{b}_share": 1.0 for b in BASES}}
    for b in BASES:
        all_row[f"hhi_{b}"] = indexes[b]
        all_row[f"concentration_{b}"] = concentration(indexes[b], regime)
    whatif = None
    if move_percent is not None:
        if not move_to:
            raise UsageError("a what-if move needs the vendor to move to")
        after = move_capacity(shares[basis], move_percent, move_to.lower(), move_from.lower() if move_from else None)
        whatif = {
            "basis": basis,
            "percent": move_percent,
            "from": move_from.lower() if move_from else str(shares[basis].idxmax()),
            "to": move_to.lower(),
            "hhi_before": indexes[basis],
            "hhi_after": hhi(after),
            "concentration_before": concentration(indexes[basis], regime),
            "concentration_after": concentration(hhi(after), regime),
            "shares_after": after.to_dict(),
        }
        all_row["hhi_after_move"] = whatif["hhi_after"]
    if target_model is not None:
        all_row.update(_same_work_on(frame, target_model, target_ratios or {}, specs, grid_kg_per_kwh))
    vendors = by_vendor.reset_index()
    vendors = pd.concat([vendors, pd.DataFrame([{"vendor": "all", **all_row}])], ignore_index=True)
    parameters = {"regime": regime, "basis": basis, "grid_kg_per_kwh": grid_kg_per_kwh, "thresholds": REGIMES[regime]}
    return FleetSummary(vendors, indexes, regime, whatif, parameters)


def _same_work_on(frame: pd.DataFrame, model: str, ratios: Mapping[str, float], specs: SpecTable | None, grid: float) -> dict:
    if specs is None:
        raise UsageError("the same work on a target accelerator needs the spec table")
    target = specs.resolve(model)
    ratio = frame["model"].map(lambda m: 1.0 if m == target else ratios.get(m))
    missing = sorted(set(frame.loc[ratio.isna(), "model"]))
    if missing:
        raise UsageError(f"no performance ratio of {target} over {', '.join(missing)}; give one per fleet model")
    if not (ratio > 0).all():
        raise UsageError("performance ratios must be above 0")
    spec = specs.frame.loc[target]
    board = positive_or_none(spec.get("board_power_w"))
    if not board:
        raise UsageError(f"{model} has no board power in the spec table; its energy cannot be estimated")
    # The fleet's own rows say how hard the cards run relative to board power.
    load = (frame["draw_w"] / frame["board_power_w"]).where(frame["board_power_w"] > 0).fillna(1.0).clip(upper=1.0)
    needed = frame["count"] / ratio.astype(float)
    power_kw = needed * board * load / 1000.0
    energy = float((power_kw * frame["pue"] * HOURS_PER_YEAR / 1000.0).sum())
    return {
        "target_model": target,
        "target_accelerators": float(needed.sum()),
        "target_energy_mwh": energy,
        "target_emissions_t": energy * grid,
    }


def _basis_column(basis: str) -> str:
    try:
        return {"count": "count", "compute": "compute_tflops", "power": "power_kw"}[basis]
    except KeyError:
        raise UsageError(f"basis must be one of {', '.join(BASES)}, got {quote(basis)}") from None


def _fraction(value) -> float:
    number = positive_or_none(value)
    return number if number is not None else np.nan
