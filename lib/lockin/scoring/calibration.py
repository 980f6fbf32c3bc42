"""Calibrating the effort model on a team's past migrations.

The calibration file (CSV, see ``docs/data-formats.md``) has one row per
past migration: its size and findings in the terms of the effort model,
and the effort it actually took. lockin computes its own nominal estimate
for each row (the effort model at the mode of every input) and fits

    ln(actual) = a + b · ln(estimate)

with scikit-learn's linear regression; every Monte Carlo draw is then
mapped through exp(a) · draw^b. The fit's error is measured by
leave-one-out cross-validation and reported beside every calibrated figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import LeaveOneOut

from lockin.hardware.tables import Column, read_table
from lockin.records import InputError
from lockin.scoring.parameters import Parameters

__all__ = ["CALIBRATION_COLUMNS", "Calibration", "fit_calibration", "load_calibration", "nominal_effort"]

CALIBRATION_COLUMNS = (
    Column("project"),
    Column("adapted_sloc", "count", minimum=0),
    Column("manual_sloc", "count", minimum=0),
    Column("code_hours", "number", required=False, nonempty=False, minimum=0, default=0.0),
    Column("libraries_hours", "number", required=False, nonempty=False, minimum=0, default=0.0),
    Column("platform_hours", "number", required=False, nonempty=False, minimum=0, default=0.0),
    Column("actual_pm", "number", minimum=0, strict=True),
    Column("source", required=False, nonempty=False, default=""),
)

#: Fewest past migrations a fit is attempted on.
MIN_ROWS = 3


@dataclass
class Calibration:
    """A fitted calibration: ``actual = exp(intercept) · estimate^slope``."""

    intercept: float
    slope: float
    n: int
    loo_mape_pct: float
    file: str

    def apply(self, draws: np.ndarray) -> np.ndarray:
        positive = draws > 0
        out = np.zeros_like(draws, dtype=float)
        out[positive] = np.exp(self.intercept) * np.power(draws[positive], self.slope)
        return out

    def describe(self) -> str:
        return f"calibrated on {self.n} past migrations ({Path(self.file).name}; leave-one-out median error {self.loo_mape_pct:.0f}%)"


def nominal_effort(facts: pd.DataFrame, params: Parameters) -> np.ndarray:
    """The effort model with every uncertain input at its mode (one draw)."""
    from lockin.scoring.effort import simulate_effort

    modes = {name: [params[name][1]] * 3 for name in ("atprod", "dm", "cm", "im", "su", "unfm", "aa", "remediation_spread", "validation_share", "validation_fixed_pm")}
    nominal = params.replace(draws=200, **modes)
    return simulate_effort(facts, nominal).total[:, 0]


def fit_calibration(path: str | Path, params: Parameters) -> Calibration:
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
    estimate = nominal_effort(frame.assign(project=frame["project"]), params)
    if (estimate <= 0).any():
        line = int(frame.loc[estimate <= 0, "line"].iloc[0])
        raise InputError(str(path), line, "this migration has no vendor-bound work in the model's terms (all sizes and hours 0)")
    x, y = np.log(estimate).reshape(-1, 1), np.log(frame["actual_pm"].to_numpy(float))
    model = LinearRegression().fit(x, y)
    errors = []
    for train, test in LeaveOneOut().split(x):
        fold = LinearRegression().fit(x[train], y[train])
        errors.append(abs(np.expm1(fold.predict(x[test])[0] - y[test][0])))
    return Calibration(float(model.intercept_), float(model.coef_[0]), len(frame), float(np.median(errors) * 100), str(path))


def load_calibration(params: Parameters) -> Calibration:
    from lockin.paths import resolve_path

    return fit_calibration(resolve_path(params.calibration_file), params)
