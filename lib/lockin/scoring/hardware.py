"""What scoring needs from the hardware side: performance ratios for a
project's workloads and the fleet's vendor concentration."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lockin.hardware.fleet import FleetSummary, concentration, read_fleet, summarize_fleet
from lockin.hardware.parity import geometric_mean, parity
from lockin.hardware.results import ResultSet, exclusion_summary, load_benchmarks
from lockin.hardware.specs import SpecTable
from lockin.hardware.transfer import TransferModel, workload_family
from lockin.paths import resolve_path
from lockin.records import Problem
from lockin.scoring.parameters import Parameters

__all__ = ["HardwareContext", "load_hardware_context"]


@dataclass
class HardwareContext:
    """Specs, results, fleet and a lazily fitted transfer model.

    Attributes
    ----------
    specs : SpecTable
    results : ResultSet
    fleet : FleetSummary or None
    problems : list of Problem
        Inputs (benchmark records, fleet rows) that were skipped.
    """

    specs: SpecTable
    results: ResultSet
    fleet: FleetSummary | None
    params: Parameters
    problems: list[Problem] = field(default_factory=list)
    _model: TransferModel | None = None
    _parity: dict = field(default_factory=dict)

    @property
    def model(self) -> TransferModel:
        if self._model is None:
            self._model = TransferModel().fit(self.results.frame, self.specs)
        return self._model

    def resolve(self, name: str) -> str:
        return self.specs.resolve(name)

    def vendor(self, model: str) -> str:
        return str(self.specs.frame.loc[model, "vendor"])

    def comparisons(self, baseline: str, target: str) -> pd.DataFrame:
        key = (baseline, target)
        if key not in self._parity:
            self._parity[key] = parity(self.results.frame, baseline, target).comparisons if baseline != target else pd.DataFrame()
        return self._parity[key]

    def ratio_for(self, baseline: str, target: str, workloads: list[str] | None = None) -> tuple[float, str, tuple[float, float]]:
        """Target-over-baseline performance for a project's workloads.

        Returns the ratio, where it comes from, and a (low, high) band: the
        range of the measured ratios, or the transfer model's P10–P90 for
        an estimate.
        """
        if baseline == target:
            return 1.0, "same accelerator", (1.0, 1.0)
        measured = self.comparisons(baseline, target)
        if workloads:
            return self._ratio_for_workloads(baseline, target, workloads, measured)
        if len(measured):
            ratios = measured["ratio"]
            return geometric_mean(ratios), f"measured: geometric mean of {len(ratios)} MLPerf comparison(s)", (float(ratios.min()), float(ratios.max()))
        estimate = self.model.predict(baseline, target, "llm")
        return estimate.ratio, "estimate (transfer model, LLM inference)", (estimate.p10, estimate.p90)

    def _ratio_for_workloads(self, baseline, target, workloads, measured) -> tuple[float, str, tuple[float, float]]:
        ratios, lows, highs, labels = [], [], [], []
        for workload in workloads:
            family = workload_family(str(workload))
            rows = measured[measured["workload"].map(workload_family) == family] if len(measured) else measured
            if len(rows):
                ratio = geometric_mean(rows["ratio"])
                ratios.append(ratio)
                lows.append(float(rows["ratio"].min()))
                highs.append(float(rows["ratio"].max()))
                labels.append(f"{workload}: measured")
            else:
                estimate = self.model.predict(baseline, target, str(workload))
                ratios.append(estimate.ratio)
                lows.append(estimate.p10)
                highs.append(estimate.p90)
                labels.append(f"{workload}: estimate")
        return geometric_mean(ratios), "; ".join(labels), (float(np.min(lows)), float(np.max(highs)))

    @property
    def bundled_exclusions(self) -> pd.DataFrame:
        """Records of the bundled benchmark data left out, grouped by reason.

        One row per reason (count, reason, example); the report's appendix
        shows this instead of one line per record, which is the same on
        every run. Problems of the user's own files stay in ``problems``.
        """
        return exclusion_summary(self.problems)

    @property
    def supply_hhi(self) -> float:
        return float(self.fleet.hhi["compute"]) if self.fleet else float("nan")

    @property
    def supply_concentration(self) -> str:
        return concentration(self.supply_hhi, self.params.hhi_regime) if self.fleet else "no fleet given"


def load_hardware_context(params: Parameters) -> HardwareContext:
    """Read the spec table, results and fleet the parameters name."""
    prices = {name: values for name, values in params.prices.items()}
    specs, results = load_benchmarks([resolve_path(p) for p in params.results_files])
    if prices:
        specs = specs.with_prices(prices)
    problems = list(results.problems)
    fleet = None
    if params.fleet_file:
        installed = read_fleet(resolve_path(params.fleet_file), specs, default_pue=params.pue)
        problems += installed.problems
        if not installed.frame.empty:
            fleet = summarize_fleet(installed, regime=params.hhi_regime, grid_kg_per_kwh=params.grid_kg_per_kwh)
    for name in (params.baseline_accelerator, params.target_accelerator):
        specs.resolve(name)  # a name that fits no spec is an error here, not a NaN later
    return HardwareContext(specs, results, fleet, params, problems)

