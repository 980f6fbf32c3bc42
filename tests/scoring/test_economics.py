"""Cash flows, NPV, break-even, the tornado and the recommendation rules."""

import math

import numpy as np
import pytest

from lockin.scoring.economics import HOURS_PER_MONTH, CaseResult, ProjectCase, breakeven_month, evaluate_case, monthly_cashflows, monthly_cost, npv, recommend, tornado
from lockin.scoring.parameters import Parameters

BASE = {"model": "H100 SXM", "board_power_w": 700.0, "purchase_usd": 30000.0, "hourly_usd": 6.0}
TARGET = {"model": "MI300X", "board_power_w": 750.0, "purchase_usd": 15000.0, "hourly_usd": 5.0}
PARAMS = Parameters({"horizon_years": 2, "discount_rate": 0.0, "team_size": 2, "dual_running_months": 1, "retraining_usd_per_engineer": 1000, "labour_cost_per_pm": 10000})


def case(effort=(1.0, 2.0, 4.0), ratio=1.0, hours=7300.0, same_vendor=False):
    return ProjectCase("p", hours, "H100 SXM", "MI300X", BASE, TARGET, ratio, (ratio * 0.8, ratio * 1.2), effort, same_vendor)


def test_owned_hardware_costs_its_write_off_and_energy():
    cost, energy = monthly_cost(BASE, 7300.0, PARAMS)
    accelerators = 7300.0 / (HOURS_PER_MONTH * PARAMS.utilisation)
    energy_mwh = accelerators * 0.7 * PARAMS.power_load * HOURS_PER_MONTH * PARAMS.pue / 1000
    assert energy == pytest.approx(energy_mwh)
    assert cost == pytest.approx(accelerators * 30000 / 48 + energy_mwh * 1000 * PARAMS.energy_usd_per_kwh)


def test_rented_hardware_costs_its_hours():
    cost, _ = monthly_cost(BASE, 7300.0, PARAMS.replace(hardware_cost="rented"))
    assert cost == pytest.approx(7300.0 * 6.0)


def test_a_missing_price_is_an_error_that_says_which():
    with pytest.raises(ValueError, match="purchase_usd for MI300X"):
        monthly_cost({**TARGET, "purchase_usd": float("nan")}, 100.0, PARAMS)


def test_the_timeline_of_a_move():
    flows = monthly_cashflows(case(), 2.0, PARAMS)
    stay, _ = monthly_cost(BASE, 7300.0, PARAMS)
    target, _ = monthly_cost(TARGET, 7300.0, PARAMS)
    assert len(flows) == 24
    # 2 PM with a team of 2: one month of migration, paid 2 × 10,000, and retraining of 2 engineers
    assert flows["move"].iloc[0] == pytest.approx(stay + 20000 + 2000)
    assert flows["move"].iloc[1] == pytest.approx(stay + target)  # one month running both
    assert flows["move"].iloc[2] == pytest.approx(target)
    assert (flows["savings"] == flows["stay"] - flows["move"]).all()


def test_npv_discounts_monthly_at_the_annual_rate():
    params = PARAMS.replace(discount_rate=0.1)
    flows = monthly_cashflows(case(), 2.0, params)
    expected = sum(s / 1.1 ** (m / 12) for m, s in zip(flows["month"], flows["savings"]))
    assert npv(flows) == pytest.approx(expected)


def test_breakeven_is_the_first_month_from_which_the_cumulative_stays_positive():
    flows = monthly_cashflows(case(), 2.0, PARAMS)
    month = breakeven_month(flows)
    cumulative = flows.set_index("month")["cumulative"]
    assert cumulative[month] >= 0 and cumulative[month - 1] < 0
    assert (cumulative[cumulative.index >= month] >= 0).all()


def test_no_breakeven_within_the_horizon_is_nan():
    slow = case(ratio=0.3)
    assert math.isnan(breakeven_month(monthly_cashflows(slow, 2.0, PARAMS)))


def test_more_effort_lowers_npv_so_its_percentiles_map_across():
    result = evaluate_case(case(), PARAMS)
    assert result.npv_usd_p10 <= result.npv_usd <= result.npv_usd_p90
    assert result.migration_months == 1


def test_tornado_is_sorted_by_swing_and_names_its_ranges():
    frame = tornado([case()], PARAMS)
    assert list(frame["swing_usd"]) == sorted(frame["swing_usd"], reverse=True)
    assert set(frame["parameter"]) >= {"effort", "performance_ratio", "target_price", "energy_usd_per_kwh"}
    effort = frame.set_index("parameter").loc["effort"]
    assert (effort["low"], effort["high"]) == ("P10", "P90")
    assert effort["npv_low_usd"] > effort["npv_high_usd"]  # more effort, less value


def result_with(npv50, npv_worst, npv_best, status="ok"):
    return CaseResult("p", 0, 0, npv50, npv_worst, npv_best, 5.0, 1.0, 0, 0, status=status)


@pytest.mark.parametrize(
    "result, effort, roadblocks, same, expected",
    [
        (result_with(100, 50, 150), (1, 2, 3), 0, False, "migrate"),
        (result_with(100, 50, 150), (1, 2, 3), 4, False, "dual-source"),
        (result_with(100, -50, 150), (1, 2, 3), 0, False, "dual-source"),
        (result_with(-100, -150, -50), (1, 2, 3), 2, False, "stay"),
        (result_with(-100, -150, -50), (0, 0, 0), 0, False, "dual-source"),
        (result_with(100, 100, 100), (0, 0, 0), 0, False, "migrate"),
        (result_with(100, 50, 150), (1, 2, 3), 0, True, "stay"),
        (result_with(math.nan, math.nan, math.nan, status="it uses no accelerator hours"), (0, 0, 0), 0, False, "stay"),
    ],
)
def test_recommendation_rules(result, effort, roadblocks, same, expected):
    decision, reasons = recommend(result, case(effort=effort, same_vendor=same), roadblocks, PARAMS, "moderately concentrated")
    assert decision == expected
    assert reasons


def test_a_small_move_in_a_concentrated_fleet_is_insurance():
    decision, reasons = recommend(result_with(-10, -20, -5), case(effort=(0.5, 1, 2)), 0, PARAMS, "highly concentrated")
    assert decision == "dual-source" and "insurance" in reasons
