"""Calibration on past migrations: the fit, its cross-validated error, and bad files."""

import numpy as np
import pandas as pd
import pytest

from lockin.records import InputError
from lockin.scoring.calibration import fit_calibration, nominal_effort
from lockin.scoring.parameters import Parameters

PARAMS = Parameters()
HEADER = "project,adapted_sloc,manual_sloc,code_hours,libraries_hours,platform_hours,actual_pm,source\n"
SIZES = [(2000, 800, 40, 16, 8), (12000, 5000, 200, 40, 24), (500, 500, 0, 8, 4), (30000, 9000, 320, 80, 40), (6000, 1000, 24, 24, 8)]


def write(tmp_path, rows):
    path = tmp_path / "migrations.csv"
    path.write_text(HEADER + "".join(f"m{i},{a},{m},{c},{l},{p},{actual},postmortem\n" for i, (a, m, c, l, p, actual) in enumerate(rows)))
    return path


def nominal(sizes):
    facts = pd.DataFrame([dict(project=f"m{i}", adapted_sloc=a, manual_sloc=m, code_hours=c, libraries_hours=l, platform_hours=p) for i, (a, m, c, l, p) in enumerate(sizes)])
    return nominal_effort(facts, PARAMS)


def test_a_team_that_takes_twice_the_model_gets_a_factor_of_two(tmp_path):
    actual = 2.0 * nominal(SIZES)
    calibration = fit_calibration(write(tmp_path, [(*s, a) for s, a in zip(SIZES, actual)]), PARAMS)
    assert calibration.slope == pytest.approx(1.0, abs=1e-9)
    assert np.exp(calibration.intercept) == pytest.approx(2.0)
    assert calibration.loo_mape_pct == pytest.approx(0.0, abs=1e-6)
    draws = np.array([[0.0, 1.0, 3.0]])
    assert calibration.apply(draws)[0].tolist() == pytest.approx([0.0, 2.0, 6.0])
    assert "5 past migrations" in calibration.describe() and "leave-one-out" in calibration.describe()


def test_noisy_history_reports_a_real_cross_validated_error(tmp_path):
    noise = np.array([1.3, 0.8, 1.1, 0.7, 1.25])
    calibration = fit_calibration(write(tmp_path, [(*s, a) for s, a in zip(SIZES, nominal(SIZES) * noise)]), PARAMS)
    assert 5 < calibration.loo_mape_pct < 200


def test_fewer_than_three_migrations_are_refused(tmp_path):
    with pytest.raises(InputError, match="at least 3"):
        fit_calibration(write(tmp_path, [(*SIZES[0], 3.0), (*SIZES[1], 9.0)]), PARAMS)


def test_bad_rows_name_their_line(tmp_path):
    path = write(tmp_path, [(*SIZES[0], 3.0), (*SIZES[1], -9.0), (*SIZES[2], 1.0)])
    with pytest.raises(InputError) as caught:
        fit_calibration(path, PARAMS)
    assert caught.value.problem.line == 3 and "actual_pm" in caught.value.problem.message


def test_manual_lines_cannot_exceed_adapted_lines(tmp_path):
    path = write(tmp_path, [(100, 200, 0, 0, 0, 1.0), *[(*s, 2.0) for s in SIZES[:2]]])
    with pytest.raises(InputError, match="manual_sloc cannot exceed"):
        fit_calibration(path, PARAMS)
