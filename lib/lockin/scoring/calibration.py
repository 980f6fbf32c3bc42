"""Calibrating the effort model on real migrations.

A calibration file (CSV, see ``docs/data-formats.md``) has one row per
past migration: its size and findings in the terms of the effort model,
and the effort it actually took. lockin bundles one
(``data/calibration/calibration.csv``), fitted on public CUDA → ROCm ports
mined from git history (:mod:`lockin.scoring.ports`); a team gives its own
with ``calibration_file``. lockin computes its own nominal estimate for
each row (the effort model at the mode of every input) and fits

    ln(actual) = a + b · ln(estimate)

with scikit-learn's linear regression; every Monte Carlo draw is then
mapped through exp(a) · draw^b (in proportion beyond the range of
estimates the fit saw) and multiplied by a residual of the fit
drawn from its leave-one-out residuals, so the P10–P90 band carries the
calibration's own error. That error (median absolute log error, the worst
factor, the rank correlation) is measured by leave-one-out cross-validation
and reported beside every calibrated figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import LeaveOneOut

from lockin.hardware.tables import Column, read_table
from lockin.records import InputError
from lockin.scoring.parameters import Parameters

__all__ = [
    "BUNDLED_CALIBRATION",
    "CALIBRATION_COLUMNS",
    "CALIBRATION_FACTS",
    "Calibration",
    "fit_calibration",
    "fit_estimates",
    "load_calibration",
    "nominal_effort",
]

#: The bundled calibration on real ports, as parameters spell it.
BUNDLED_CALIBRATION = "data/calibration/calibration.csv"

#: The effort model's facts a calibration row carries (besides ``project``).
CALIBRATION_FACTS = ("adapted_sloc", "manual_sloc", "build_translated_sloc", "code_hours", "libraries_hours", "platform_hours", "covered_hours")

CALIBRATION_COLUMNS = (
    Column("project"),
    Column("adapted_sloc", "count", minimum=0),
    Column("manual_sloc", "count", minimum=0),
    Column("build_translated_sloc", "count", required=False, nonempty=False, minimum=0, default=0),
    Column("code_hours", "number", required=False, nonempty=False, minimum=0, default=0.0),
    Column("libraries_hours", "number", required=False, nonempty=False, minimum=0, default=0.0),
    Column("platform_hours", "number", required=False, nonempty=False, minimum=0, default=0.0),
    Column("covered_hours", "number", required=False, nonempty=False, minimum=0, default=0.0),
    Column("actual_pm", "number", minimum=0, strict=True),
    Column("source", required=False, nonempty=False, default=""),
)

#: Fewest past migrations a fit is attempted on.
MIN_ROWS = 3


@dataclass
class Calibration:
    """A fitted calibration: ``actual = exp(intercept) · estimate^slope``, with its leave-one-out error.

    Attributes
    ----------
    intercept, slope : float
    n : int
        Migrations fitted on.
    loo_mdale : float
        Median absolute log error of the leave-one-out predictions
        (0.69 is a factor of 2).
    loo_worst_factor : float
        The largest exp|ln predicted − ln actual| over the left-out rows.
    loo_spearman : float
        Rank correlation of the leave-one-out predictions with the actual efforts.
    residuals : ndarray
        The leave-one-out log residuals (actual over predicted), drawn from
        to widen every draw by the calibration's own error.
    file : str
    bundled : bool
        The bundled real-port calibration, not the user's own.
    """

    intercept: float
    slope: float
    n: int
    loo_mdale: float
    loo_worst_factor: float
    loo_spearman: float
    residuals: np.ndarray = field(default_factory=lambda: np.zeros(0))
    file: str = ""
    bundled: bool = False
    #: Smallest and largest nominal estimate the fit saw: beyond them the fitted slope is not extrapolated.
    estimate_range: tuple[float, float] = (0.0, float("inf"))

    @property
    def loo_median_factor(self) -> float:
        """exp of the median absolute log error: "off by ×1.6 in the median"."""
        return float(np.exp(self.loo_mdale))

    @property
    def loo_mape_pct(self) -> float:
        """The median absolute percentage error of the leave-one-out predictions (of the actual)."""
        return float(np.median(np.abs(np.expm1(self.residuals))) * 100) if len(self.residuals) else 0.0

    def apply(self, draws: np.ndarray, seed: int | None = None) -> np.ndarray:
        """Map effort draws through the fit; with ``seed``, times a drawn leave-one-out residual each.

        Inside the range of estimates the fit saw, ``exp(a)·draw^b``;
        beyond it the fitted slope is not extrapolated: the mapped value at
        the edge scales in proportion (a project twice the largest port
        costs twice its calibrated figure).
        """
        positive = draws > 0
        low, high = self.estimate_range
        clipped = np.clip(np.where(positive, draws, 1.0), max(low, 1e-12), high)
        mapped = np.exp(self.intercept) * np.power(clipped, self.slope) * (np.where(positive, draws, 1.0) / clipped)
        out = np.where(positive, mapped, 0.0).astype(float)
        if seed is not None and len(self.residuals):
            rng = np.random.default_rng(seed)
            # One residual per draw, the same for every project: the error is the model's, shared.
            factor = np.exp(rng.choice(self.residuals, size=draws.shape[-1]))
            out = out * factor
        return out

    @property
    def kind(self) -> str:
        return "bundled real-port calibration" if self.bundled else "your calibration"

    @property
    def label(self) -> str:
        """Short form for a figure's title: whose calibration, and its median error."""
        return f"{self.kind}, leave-one-out median error ×{self.loo_median_factor:.1f}"

    def describe(self) -> str:
        """A noun phrase for outputs: what the figures are calibrated on, and the calibration's error."""
        what = f"the bundled calibration on {self.n} real CUDA→ROCm ports" if self.bundled else f"your calibration on {self.n} past migrations ({Path(self.file).name})"
        return (
            f"{what} (leave-one-out median error ×{self.loo_median_factor:.1f}, "
            f"worst ×{self.loo_worst_factor:.1f}, rank correlation {self.loo_spearman:.2f})"
        )


def nominal_effort(facts: pd.DataFrame, params: Parameters) -> np.ndarray:
    """The effort model with every uncertain input at its mode (one draw)."""
    from lockin.scoring.effort import simulate_effort

    modes = {name: [params[name][1]] * 3 for name in ("atprod", "dm", "cm", "im", "su", "unfm", "aa", "remediation_spread", "validation_share", "validation_fixed_pm")}
    nominal = params.replace(draws=200, **modes)
    return simulate_effort(facts, nominal).total[:, 0]


def fit_estimates(estimate, actual) -> tuple[LinearRegression, np.ndarray]:
    """Fit ln(actual) on ln(estimate); return the model and the leave-one-out predictions (PM)."""
    x = np.log(np.asarray(estimate, dtype=float)).reshape(-1, 1)
    y = np.log(np.asarray(actual, dtype=float))
    model = LinearRegression().fit(x, y)
    predicted = np.empty(len(y))
    for train, test in LeaveOneOut().split(x):
        predicted[test] = LinearRegression().fit(x[train], y[train]).predict(x[test])
    return model, np.exp(predicted)


def fit_calibration(path: str | Path, params: Parameters, bundled: bool = False) -> Calibration:
    """Read past migrations and fit the calibration.

    Raises
    ------
    InputError
        When the file is unusable or has fewer than three good rows.
    """
    table = read_table(path, CALIBRATION_COLUMNS)
    if table.problems:
        raise InputError(str(path), table.problems[0].line, table.problems[0].message)
    frame = table.frame
    if len(frame) < MIN_ROWS:
        raise InputError(str(path), None, f"{len(frame)} past migration(s); calibration needs at least {MIN_ROWS}")
    bad = frame[frame["manual_sloc"] > frame["adapted_sloc"]]
    if len(bad):
        raise InputError(str(path), int(bad["line"].iloc[0]), "manual_sloc cannot exceed adapted_sloc")
    bad = frame[frame["build_translated_sloc"] > frame["adapted_sloc"]]
    if len(bad):
        raise InputError(str(path), int(bad["line"].iloc[0]), "build_translated_sloc cannot exceed adapted_sloc")
    estimate = nominal_effort(frame.assign(project=frame["project"]), params)
    if (estimate <= 0).any():
        line = int(frame.loc[estimate <= 0, "line"].iloc[0])
        raise InputError(str(path), line, "this migration has no vendor-bound work in the model's terms (all sizes and hours 0)")
    actual = frame["actual_pm"].to_numpy(float)
    model, predicted = fit_estimates(estimate, actual)
    residuals = np.log(actual) - np.log(predicted)
    errors = np.abs(residuals)
    spearman = float(pd.Series(predicted).corr(pd.Series(actual), method="spearman"))
    return Calibration(
        intercept=float(model.intercept_),
        slope=float(model.coef_[0]),
        n=len(frame),
        loo_mdale=float(np.median(errors)),
        loo_worst_factor=float(np.exp(errors.max())),
        loo_spearman=spearman,
        residuals=residuals,
        file=str(path),
        bundled=bundled,
        estimate_range=(float(estimate.min()), float(estimate.max())),
    )


def load_calibration(params: Parameters) -> Calibration:
    """The calibration the parameters name (the bundled real-port one by default)."""
    from lockin import resources
    from lockin.paths import resolve_path

    path = resolve_path(params.calibration_file)
    bundled_path = resources.bundled_file(BUNDLED_CALIBRATION)
    bundled = bundled_path is not None and path is not None and Path(path).resolve() == Path(bundled_path).resolve()
    return fit_calibration(path, params, bundled=bundled)
