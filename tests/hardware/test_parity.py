"""Parity: like with like, direction-aware, traceable, and never on a guess."""

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from lockin.hardware.parity import PARITY_COLUMNS, estimated_parity, geometric_mean, parity, ratio_between
from lockin.hardware.results import load_benchmarks, read_mlperf_summary, read_results_csv
from lockin.hardware.transfer import TransferModel

FIXTURE = Path(__file__).parents[1] / "data" / "mlperf" / "summary_results_small.json"
OFFICIAL_RECORDS = json.loads(FIXTURE.read_text())


def published(accelerator_part: str, model: str, scenario: str) -> float:
    """Best per-accelerator result in the official records, computed plainly."""
    values = [
        r["Performance_Result"] / (r["a#"] * r["Nodes"])
        for r in OFFICIAL_RECORDS
        if accelerator_part in r["Accelerator"] and "(x" not in r["Accelerator"]
        and r["Model"] == model and r["Scenario"] == scenario and r["Category"] == "closed"
    ]  # fmt: skip
    return max(values)


@pytest.fixture
def fixture_results(specs):
    return read_mlperf_summary(FIXTURE, specs).frame


@pytest.mark.parametrize("scenario", ["Offline", "Server"])
def test_mi325x_against_h200_on_llama2_70b_matches_the_published_figures(fixture_results, scenario):
    found = parity(fixture_results, "H200 SXM", "MI325X")
    row = found.frame[(found.frame["workload"] == "llama2-70b-99") & (found.frame["scenario"] == scenario)].iloc[0]
    expected = published("MI325X", "llama2-70b-99", scenario) / published("H200-SXM", "llama2-70b-99", scenario)
    assert row["ratio"] == pytest.approx(expected, rel=1e-12)
    assert row["baseline_value"] == pytest.approx(published("H200-SXM", "llama2-70b-99", scenario))
    assert row["unit"] == "Tokens/s per accelerator"


def test_the_published_records_behind_the_offline_and_server_ratios(fixture_results):
    # MLPerf Inference v5.1, closed, llama2-70b-99: MI325X 5.1-0003 34,555.0 and
    # 5.1-0002 32,027.6 tokens/s on 8 GPUs; H200-SXM 5.1-0026 35,316.7 and
    # 5.1-0007 34,193.8 tokens/s on 8 GPUs.
    frame = parity(fixture_results, "H200 SXM", "MI325X").frame.set_index(["workload", "scenario"])
    offline, server = frame.loc[("llama2-70b-99", "Offline")], frame.loc[("llama2-70b-99", "Server")]
    assert (offline["target_record"], offline["baseline_record"]) == ("5.1-0003", "5.1-0026")
    assert offline["ratio"] == pytest.approx(34555.0 / 35316.7)
    assert (server["target_record"], server["baseline_record"]) == ("5.1-0002", "5.1-0007")
    assert server["ratio"] == pytest.approx(32027.6 / 34193.8)


def test_records_have_the_contract_columns_and_a_geomean_last(fixture_results):
    found = parity(fixture_results, "H200 SXM", "MI325X")
    assert list(found.frame.columns) == list(PARITY_COLUMNS)
    assert found.frame["workload"].iloc[-1] == "geomean"
    assert found.geomean == pytest.approx(geometric_mean(found.comparisons.drop_duplicates(["scenario", "baseline_record", "target_record", "ratio"])["ratio"]))


def test_the_same_run_under_two_accuracy_targets_counts_once_in_the_geomean(fixture_results):
    found = parity(fixture_results, "H200 SXM", "MI325X")
    duplicated = found.comparisons[found.comparisons["workload"].str.startswith("llama2")]
    assert len(duplicated) > duplicated.drop_duplicates(["scenario", "baseline_record", "target_record", "ratio"]).shape[0]
    assert "distinct" in found.frame["candidates"].iloc[-1]


def test_the_ratio_is_inverse_when_baseline_and_target_swap(fixture_results):
    forward = parity(fixture_results, "H200 SXM", "MI325X").comparisons.set_index(["workload", "scenario"])["ratio"]
    backward = parity(fixture_results, "MI325X", "H200 SXM").comparisons.set_index(["workload", "scenario"])["ratio"]
    assert (forward * backward).round(12).eq(1.0).all()


def test_median_pick_uses_a_real_submission(fixture_results):
    found = parity(fixture_results, "H200 SXM", "MI325X", pick="median")
    ids = {r["ID"] for r in OFFICIAL_RECORDS}
    assert set(found.comparisons["baseline_record"]) <= ids
    assert (found.comparisons["basis"] == "median per-accelerator result").all()


def test_sources_list_the_rows_used(fixture_results):
    found = parity(fixture_results, "H200 SXM", "MI325X")
    used = found.sources[found.sources["used"]]
    assert set(used["record"]) >= {"5.1-0003", "5.1-0026", "5.1-0002", "5.1-0007"}
    assert set(found.sources["role"]) == {"baseline", "target"}


def test_time_to_train_is_inverted_so_above_one_means_faster(specs, tmp_path):
    path = tmp_path / "train.csv"
    path.write_text(
        "workload,scenario,accelerator,accelerator_count,result,unit,direction,round\n"
        "lora,time-to-train,H200 SXM,8,24,minutes,lower,Training v5.1\n"
        "lora,time-to-train,MI325X,8,21,minutes,lower,Training v5.1\n"
    )
    frame = read_results_csv(path, specs).frame
    row = parity(frame, "H200 SXM", "MI325X").comparisons.iloc[0]
    assert row["ratio"] == pytest.approx(24 / 21)
    assert row["unit"] == "accelerator-minutes"


def test_mixed_directions_in_one_comparison_are_an_error_not_a_ratio(specs, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "workload,scenario,accelerator,accelerator_count,result,unit,direction,round\n"
        "w,s,H200 SXM,8,24,minutes,lower,R1\n"
        "w,s,MI325X,8,2000,Tokens/s,higher,R1\n"
    )
    found = parity(read_results_csv(path, specs).frame, "H200 SXM", "MI325X")
    assert found.comparisons.empty
    assert "disagree on unit/direction" in found.problems[0].message
    assert str(path) in found.problems[0].message


def test_rounds_and_divisions_are_never_mixed(specs, tmp_path):
    path = tmp_path / "rounds.csv"
    path.write_text(
        "workload,scenario,accelerator,accelerator_count,result,unit,direction,round,division\n"
        "w,Offline,H200 SXM,8,800,Tokens/s,higher,R1,closed\n"
        "w,Offline,MI325X,8,900,Tokens/s,higher,R2,closed\n"
        "w,Offline,MI325X,8,990,Tokens/s,higher,R1,open\n"
    )
    found = parity(read_results_csv(path, specs).frame, "H200 SXM", "MI325X")
    assert found.comparisons.empty


def test_precision_and_count_differences_are_flagged(specs, tmp_path):
    path = tmp_path / "flags.csv"
    path.write_text(
        "workload,scenario,accelerator,accelerator_count,result,unit,direction,round,precision\n"
        "w,Offline,H200 SXM,8,800,Tokens/s,higher,R1,fp8\n"
        "w,Offline,B200 SXM,4,900,Tokens/s,higher,R1,fp4\n"
    )
    row = parity(read_results_csv(path, specs).frame, "H200 SXM", "B200 SXM").comparisons.iloc[0]
    assert "precision differs (fp8 vs fp4)" in row["flags"]
    assert "accelerator counts differ" in row["flags"]
    assert row["ratio"] == pytest.approx((900 / 4) / (800 / 8))


def test_the_latest_round_both_ran_is_used_unless_asked_otherwise(specs, tmp_path):
    path = tmp_path / "rounds.csv"
    path.write_text(
        "workload,scenario,accelerator,accelerator_count,result,unit,direction,round\n"
        "w,Offline,H200 SXM,8,800,Tokens/s,higher,Inference v4.1\n"
        "w,Offline,MI325X,8,700,Tokens/s,higher,Inference v4.1\n"
        "w,Offline,H200 SXM,8,800,Tokens/s,higher,Inference v5.1\n"
        "w,Offline,MI325X,8,880,Tokens/s,higher,Inference v5.1\n"
    )
    frame = read_results_csv(path, specs).frame
    assert parity(frame, "H200 SXM", "MI325X").comparisons["ratio"].tolist() == [pytest.approx(1.1)]
    assert len(parity(frame, "H200 SXM", "MI325X", latest_only=False).comparisons) == 2


def test_same_accelerator_or_unknown_pick_is_refused(fixture_results):
    with pytest.raises(ValueError, match="same accelerator"):
        parity(fixture_results, "MI325X", "MI325X")
    with pytest.raises(ValueError, match="pick"):
        parity(fixture_results, "H200 SXM", "MI325X", pick="luckiest")


def test_bundled_data_gives_a_measured_ratio_and_estimates_are_labelled():
    specs, results = load_benchmarks()
    ratio, basis = ratio_between(results.frame, "H100 SXM", "MI300X")
    assert 0.3 < ratio < 3 and basis.startswith("measured")
    model = TransferModel().fit(results.frame, specs)
    measured = parity(results.frame, "H100 SXM", "MI300X").comparisons
    estimates = estimated_parity(results.frame, measured, "H100 SXM", "MI300X", model)
    assert len(estimates) > 0
    assert estimates["basis"].str.startswith("estimate").all()
    assert not set(zip(estimates["workload"], estimates["scenario"])) & set(zip(measured["workload"], measured["scenario"]))


def test_geometric_mean_ignores_non_positive_values():
    assert geometric_mean([2.0, 0.5]) == pytest.approx(1.0)
    assert math.isnan(geometric_mean([]))
    assert geometric_mean([4.0, -1, None]) == pytest.approx(4.0)
