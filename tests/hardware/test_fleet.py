"""Fleet shares, HHI under both regimes, what-if moves, energy and emissions."""

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lockin.errors import LockinError
from lockin.hardware.fleet import REGIMES, concentration, hhi, move_capacity, read_fleet, summarize_fleet, vendor_shares

HEADER = "site,vendor,model,count,utilisation,power_w,pue,purchase_usd,hourly_usd\n"


def fleet_file(tmp_path, body):
    path = tmp_path / "fleet.csv"
    path.write_text(HEADER + body)
    return path


def test_hhi_of_textbook_markets():
    assert hhi([1.0]) == pytest.approx(10_000)
    assert hhi([0.5, 0.5]) == pytest.approx(5_000)
    assert hhi([0.3, 0.3, 0.2, 0.2]) == pytest.approx(2_600)
    assert math.isnan(hhi([]))


@pytest.mark.parametrize(
    "index, regime, words",
    [
        (999, "2023", "unconcentrated"),
        (1000, "2023", "moderately concentrated"),
        (1800, "2023", "moderately concentrated"),
        (1801, "2023", "highly concentrated"),
        (1499, "2010", "unconcentrated"),
        (2000, "2010", "moderately concentrated"),
        (2600, "2010", "highly concentrated"),
    ],
)
def test_concentration_thresholds_of_both_regimes(index, regime, words):
    assert concentration(index, regime) == words


def test_unknown_regime_is_refused():
    with pytest.raises(LockinError, match="regime"):
        concentration(100, "1992")


def test_shares_by_count_compute_and_power(specs, tmp_path):
    path = fleet_file(tmp_path, "a,nvidia,H100 SXM,300,0.7,600,1.2,,\nb,amd,MI300X,100,0.5,,1.3,,\n")
    fleet = read_fleet(path, specs)
    assert fleet.problems == []
    assert vendor_shares(fleet.frame, "count").to_dict() == pytest.approx({"nvidia": 0.75, "amd": 0.25})
    compute = vendor_shares(fleet.frame, "compute")
    assert compute["amd"] == pytest.approx(100 * 1307.4 / (100 * 1307.4 + 300 * 989))
    power = vendor_shares(fleet.frame, "power")
    # MI300X has no measured draw: its board power (750 W) stands in.
    assert power["amd"] == pytest.approx(100 * 750 / (100 * 750 + 300 * 600))
    assert fleet.frame.set_index("model").loc["MI300X", "draw_basis"].startswith("board power")


def test_energy_and_emissions(specs, tmp_path):
    path = fleet_file(tmp_path, "a,nvidia,H100 SXM,100,0.7,500,1.2,,\n")
    summary = summarize_fleet(read_fleet(path, specs), grid_kg_per_kwh=0.4)
    total = summary.vendors.set_index("vendor").loc["all"]
    expected_mwh = 100 * 500 * 8760 * 1.2 / 1e6
    assert total["energy_mwh"] == pytest.approx(expected_mwh)
    assert total["emissions_t"] == pytest.approx(expected_mwh * 0.4)
    assert total["hhi_count"] == pytest.approx(10_000)


def test_what_if_move_lowers_concentration(specs, tmp_path):
    path = fleet_file(tmp_path, "a,nvidia,H100 SXM,900,0.7,600,1.2,,\nb,amd,MI300X,100,0.5,600,1.2,,\n")
    summary = summarize_fleet(read_fleet(path, specs), basis="count", move_percent=40, move_to="amd")
    assert summary.whatif["hhi_before"] == pytest.approx(8_200)
    assert summary.whatif["hhi_after"] == pytest.approx(5_000)
    assert summary.whatif["from"] == "nvidia"


def test_cannot_move_more_than_a_vendor_holds():
    shares = pd.Series({"nvidia": 0.9, "amd": 0.1})
    with pytest.raises(LockinError, match="holds 10.0%"):
        move_capacity(shares, 20, "nvidia", "amd")


@given(st.lists(st.floats(min_value=0.01, max_value=100), min_size=1, max_size=8), st.floats(min_value=0, max_value=100))
def test_hhi_bounds_and_moves_keep_shares_whole(weights, percent):
    total = sum(weights)
    shares = pd.Series({f"v{i}": w / total for i, w in enumerate(weights)})
    index = hhi(shares)
    assert 10_000 / len(weights) - 1e-6 <= index <= 10_000 + 1e-6
    source = shares.idxmax()
    movable = min(percent, shares[source] * 100)
    after = move_capacity(shares, movable, "newcomer")
    assert after.sum() == pytest.approx(1.0)
    assert (after >= -1e-12).all()


def test_same_work_on_the_target_needs_fewer_cards_when_it_is_faster(specs, tmp_path):
    path = fleet_file(tmp_path, "a,nvidia,H100 SXM,100,0.7,700,1.0,,\n")
    summary = summarize_fleet(read_fleet(path, specs), target_model="MI300X", target_ratios={"H100 SXM": 1.25}, specs=specs)
    total = summary.vendors.set_index("vendor").loc["all"]
    assert total["target_accelerators"] == pytest.approx(80)
    assert total["target_energy_mwh"] == pytest.approx(80 * 750 * 8760 / 1e6)


def test_same_work_without_a_ratio_for_every_model_is_refused(specs, tmp_path):
    path = fleet_file(tmp_path, "a,nvidia,H100 SXM,100,0.7,700,1.0,,\nb,nvidia,H200 SXM,10,0.7,700,1.0,,\n")
    with pytest.raises(LockinError, match="H200 SXM"):
        summarize_fleet(read_fleet(path, specs), target_model="MI300X", target_ratios={"H100 SXM": 1.2}, specs=specs)


@pytest.mark.parametrize(
    "row, message",
    [
        ("a,nvidia,NVIDIA L4,10,0.5,,,,", "matches no accelerator"),
        ("a,amd,H100 SXM,10,0.5,,,,", "disagrees with the spec table"),
        ("a,nvidia,H100 SXM,-4,0.5,,,,", "count must be at least 1"),
        ("a,nvidia,H100 SXM,10,1.7,,,,", "utilisation must be at most 1"),
        ("a,nvidia,H100 SXM,10,0.5,,0.8,,", "pue must be at least 1"),
    ],
)
def test_bad_fleet_rows_are_reported_with_their_line(specs, tmp_path, row, message):
    path = fleet_file(tmp_path, "ok,nvidia,H100 SXM,8,0.5,,,,\n" + row + "\n")
    fleet = read_fleet(path, specs)
    assert len(fleet.frame) == 1
    (problem,) = fleet.problems
    assert problem.line == 3 and message in problem.message


def test_a_fleet_with_no_usable_row_is_an_error(specs, tmp_path):
    path = fleet_file(tmp_path, "a,nvidia,NVIDIA L4,10,0.5,,,,\n")
    with pytest.raises(LockinError, match="no usable fleet rows"):
        summarize_fleet(read_fleet(path, specs))


def test_the_sample_fleet_is_highly_concentrated_under_both_regimes():
    from pathlib import Path

    from lockin.hardware.specs import load_specs

    sample = Path(__file__).parents[2] / "data" / "fleet" / "fleet.csv"
    fleet = read_fleet(sample, load_specs())
    assert fleet.problems == []
    for regime in REGIMES:
        summary = summarize_fleet(fleet, regime=regime)
        assert summary.vendors.iloc[-1]["concentration_compute"] == "highly concentrated"
