"""Efficiency figures and the performance transfer model."""

import math

import numpy as np
import pandas as pd
import pytest

from lockin.hardware.efficiency import EFFICIENCY_COLUMNS, efficiency, work_unit
from lockin.hardware.results import load_benchmarks, read_results_csv
from lockin.hardware.transfer import FEATURES, TransferModel, training_pairs, workload_class, workload_family

HEADER = "workload,scenario,accelerator,accelerator_count,result,unit,direction,round,power_w\n"


def results(specs, tmp_path, body):
    path = tmp_path / "r.csv"
    path.write_text(HEADER + body)
    return read_results_csv(path, specs).frame


def test_measured_power_beats_board_power_and_says_which(specs, tmp_path):
    frame = results(specs, tmp_path, "w,Offline,H100 SXM,8,8000,Tokens/s,higher,R,4800\nw,Offline,MI300X,8,8000,Tokens/s,higher,R,\n")
    eff = efficiency(frame, specs).set_index("model")
    assert list(efficiency(frame, specs).columns) == list(EFFICIENCY_COLUMNS)
    h100, mi300x = eff.loc["H100 SXM"], eff.loc["MI300X"]
    assert h100["power_w"] == 600 and h100["power_basis"].startswith("measured")
    assert mi300x["power_w"] == 750 and "board power" in mi300x["power_basis"]
    assert h100["perf_per_watt"] == pytest.approx(1000 / 600)
    assert h100["energy_per_unit_j"] == pytest.approx(0.6)  # J per token
    assert h100["work_unit"] == "token"
    assert h100["perf_per_dollar"] == pytest.approx(1000 / 25000)
    assert h100["cost_per_million_usd"] == pytest.approx(2.5 / 3600 / 1000 * 1e6)


def test_missing_price_or_power_stays_empty_not_zero(specs, tmp_path):
    frame = results(specs, tmp_path, "w,Offline,TPU v6e,4,400,Tokens/s,higher,R,\n")
    row = efficiency(frame, specs).iloc[0]
    assert math.isnan(row["perf_per_watt"]) and row["power_basis"] == "no power figure"
    assert math.isnan(row["perf_per_dollar"]) and row["price_basis"] == "no price parameter"


def test_time_to_train_becomes_runs_and_energy_per_run(specs, tmp_path):
    frame = results(specs, tmp_path, "lora,time-to-train,H100 SXM,8,30,minutes,lower,R,\n")
    row = efficiency(frame, specs).iloc[0]
    assert row["work_unit"] == "training run"
    # 8 accelerators for 30 minutes at 700 W = 8 × 1800 s × 700 W
    assert row["energy_per_unit_j"] == pytest.approx(8 * 1800 * 700)


def test_latencies_are_not_work_rates(specs, tmp_path):
    frame = results(specs, tmp_path, "w,SingleStream,H100 SXM,1,12,Latency (ms),lower,R,\n")
    assert efficiency(frame, specs).empty


def test_work_units():
    assert work_unit("Tokens/s", "higher") == "token"
    assert work_unit("Queries/s", "higher") == "query"
    assert work_unit("minutes", "lower") == "training run"


@pytest.mark.parametrize(
    "name, kind",
    [("llama2-70b-99", "llm"), ("llama2_70b_lora", "training"), ("stable-diffusion-xl", "diffusion"), ("resnet", "vision"), ("dlrm-v2-99", "recommendation"), ("whisper", "speech"), ("our-ranker", "other")],
)
def test_workload_classes(name, kind):
    assert workload_class(name) == kind


def test_workload_family_drops_the_accuracy_target():
    assert workload_family("llama2-70b-99.9") == workload_family("llama2-70b-99") == "llama2-70b"


@pytest.fixture(scope="module")
def bundled():
    return load_benchmarks()


@pytest.fixture(scope="module")
def fitted(bundled):
    specs, found = bundled
    return TransferModel().fit(found.frame, specs)


def test_training_pairs_are_antisymmetric(bundled):
    specs, found = bundled
    pairs = training_pairs(found.frame, specs)
    keyed = pairs.set_index(["round", "workload", "scenario", "baseline", "target"])
    for (r, w, s, b, t), row in keyed.head(40).iterrows():
        back = keyed.loc[(r, w, s, t, b)]
        assert back["log_ratio"] == pytest.approx(-row["log_ratio"])
        assert np.allclose(back[list(FEATURES)].to_numpy(float), -row[list(FEATURES)].to_numpy(float))


def test_the_model_reports_grouped_cross_validated_error(fitted):
    cv = fitted.cv
    assert cv["n_pairs"] >= 50 and cv["n_groups"] >= 5
    assert "workload family" in cv["method"]
    assert 0 < cv["mape_pct"] < 100
    # On held-out workload families it should beat reading the bandwidth ratio.
    assert cv["mape_pct"] < cv["naive_mape_pct"]


def test_estimates_are_inverse_symmetric_labelled_and_banded(fitted):
    forward = fitted.predict("H100 SXM", "MI300X", "llama2-70b-99", precision="fp8")
    backward = fitted.predict("MI300X", "H100 SXM", "llama2-70b-99", precision="fp8")
    assert forward.ratio * backward.ratio == pytest.approx(1.0)
    assert forward.p10 <= forward.ratio <= forward.p90
    assert forward.label.startswith("estimate")
    assert forward.cv_error_pct == fitted.cv["mape_pct"]
    same = fitted.predict("MI300X", "MI300X", "llama2-70b-99")
    assert same.ratio == pytest.approx(1.0)


def test_too_little_data_is_refused_with_the_counts(specs, tmp_path):
    frame = results(specs, tmp_path, "w,Offline,H100 SXM,8,8000,Tokens/s,higher,R,\nw,Offline,MI300X,8,8000,Tokens/s,higher,R,\n")
    with pytest.raises(ValueError, match="too few comparable results"):
        TransferModel().fit(frame, specs)


def test_methodology_states_the_measured_error(fitted):
    import re
    from pathlib import Path

    text = " ".join((Path(__file__).parents[2] / "docs" / "methodology.md").read_text().split())
    cv = fitted.cv
    assert f"{cv['n_pairs']} ordered pairs over {cv['n_groups']} workload families" in text
    assert f"is **{cv['mape_pct']:.0f} %**" in text
    assert f"RMSE {cv['rmse_log']:.2f} in ln ratio" in text
    assert f"{cv['within_10_pct'] * 100:.0f} % of predictions within 10 %" in text
    assert f"against {cv['naive_mape_pct']:.0f} % for the naive estimate" in text
    low, high = np.exp(np.quantile(fitted.residuals, [0.1, 0.9]))
    assert f"about ×{low:.2f} to ×{high:.2f}" in text
    assert re.search(r"leave[sd]? one workload family out|each workload family .* is\s+left out in turn", text)
