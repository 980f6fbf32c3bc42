"""Reading MLPerf summary_results.json and the results CSV, good and bad."""

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockin.hardware.results import RESULT_COLUMNS, load_results, per_accelerator, read_mlperf_summary, read_results_csv
from lockin.records import InputError

FIXTURE = Path(__file__).parents[1] / "data" / "mlperf" / "summary_results_small.json"


def record(**overrides):
    base = {
        "ID": "5.1-9999",
        "Submitter": "Example",
        "Availability": "available",
        "Category": "closed",
        "Suite": "datacenter",
        "Platform": "8xMI325X_test",
        "Model": "llama2-70b-99",
        "Scenario": "Offline",
        "Accelerator": "AMD Instinct MI325X 256GB HBM3e",
        "a#": 8,
        "Nodes": 1,
        "version": "v5.1",
        "has_power": False,
        "weight_data_types": "fp8",
        "Software": "vLLM",
        "Performance_Result": 34520.4,
        "Performance_Units": "Tokens/s",
    }
    return {**base, **overrides}


def write_json(tmp_path, records) -> Path:
    path = tmp_path / "summary_results.json"
    path.write_text(json.dumps(records, indent=1))
    return path


def test_the_official_fixture_reads_with_totals_and_per_accelerator_values(specs):
    found = read_mlperf_summary(FIXTURE, specs)
    frame = found.frame
    assert list(frame.columns) == list(RESULT_COLUMNS)
    row = frame[(frame["record"] == "5.1-0002") & (frame["workload"] == "llama2-70b-99") & (frame["scenario"] == "Offline")].iloc[0]
    assert row["model"] == "MI325X" and row["vendor"] == "amd"
    assert row["accelerator_count"] == 8
    assert row["per_accelerator"] == pytest.approx(34520.4 / 8)
    assert row["round"] == "Inference v5.1" and row["division"] == "closed" and row["precision"] == "fp8"
    two_nodes = frame[frame["record"] == "5.1-0013"]
    if len(two_nodes):
        assert set(two_nodes["accelerator_count"]) == {16}


def test_lines_point_at_the_record_in_the_file(specs, tmp_path):
    path = write_json(tmp_path, [record(), record(Accelerator="NVIDIA L40S"), record()])
    found = read_mlperf_summary(path, specs)
    assert len(found.frame) == 2
    (problem,) = found.problems
    text = path.read_text().splitlines()
    assert problem.line is not None and text[problem.line - 1].strip() == "{"
    assert "NVIDIA L40S" in text[problem.line + 8] or "L40S" in str(problem)
    assert "matches no accelerator" in problem.message


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"Performance_Units": "Furlongs/s"}, "unknown unit"),
        ({"Performance_Result": -5}, "not a positive number"),
        ({"Performance_Result": "fast"}, "not a positive number"),
        ({"a#": 0}, "not a positive whole number"),
        ({"Nodes": 1.5}, "not a positive whole number"),
        ({"Accelerator": "AMD Instinct MI300X 192GB HBM3 (x32), AMD Instinct MI325X 256GB HBM3e (x16)"}, "several accelerator types"),
    ],
)
def test_bad_records_are_reported_and_left_out(specs, tmp_path, overrides, message):
    found = read_mlperf_summary(write_json(tmp_path, [record(**overrides)]), specs)
    assert found.frame.empty
    assert message in found.problems[0].message
    assert found.problems[0].path.endswith("summary_results.json")


def test_a_record_missing_keys_names_them(specs, tmp_path):
    broken = record()
    del broken["Performance_Units"], broken["Nodes"]
    found = read_mlperf_summary(write_json(tmp_path, [broken]), specs)
    assert "Nodes" in found.problems[0].message and "Performance_Units" in found.problems[0].message


def test_invalid_json_is_an_input_error_with_a_line(specs, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n {"ID": "x"},\n {"ID": \n')
    with pytest.raises(InputError) as caught:
        read_mlperf_summary(path, specs)
    assert caught.value.problem.line == 4 or caught.value.problem.line == 3


def test_a_json_object_instead_of_an_array_is_refused(specs, tmp_path):
    path = tmp_path / "object.json"
    path.write_text('{"results": []}')
    with pytest.raises(InputError, match="JSON array"):
        read_mlperf_summary(path, specs)


def test_measured_power_is_kept_only_when_the_record_has_power(specs, tmp_path):
    rows = [record(has_power=True, Power_Result=9000.0, Power_Units="Watts"), record(ID="x", Power_Result=9000.0)]
    frame = read_mlperf_summary(write_json(tmp_path, rows), specs).frame
    assert frame["power_w"].iloc[0] == 9000.0
    assert frame["power_w"].iloc[1] is None or frame["power_w"].isna().iloc[1]


CSV_HEADER = "workload,scenario,system,accelerator,accelerator_count,result,unit,direction,power_w,precision,software,round,division,availability,source\n"


def test_the_results_csv_reads_training_time_as_lower_is_better(specs, tmp_path):
    path = tmp_path / "ours.csv"
    path.write_text(CSV_HEADER + "llama2_70b_lora,time-to-train,dgx,NVIDIA H200-SXM-141GB,8,23.5,minutes,lower,,fp8,NeMo,Training v5.1,closed,available,our log\n")
    frame = read_results_csv(path, specs).frame
    row = frame.iloc[0]
    assert row["model"] == "H200 SXM" and row["direction"] == "lower"
    assert row["per_accelerator"] == pytest.approx(23.5 * 8)  # accelerator-minutes
    assert row["line"] == 2


@pytest.mark.parametrize(
    "line, message",
    [
        ("w,Offline,s,MI300X,8,-1,Tokens/s,higher,,,,,,,", "result must be above 0"),
        ("w,Offline,s,MI300X,8,abc,Tokens/s,higher,,,,,,,", "result is not a number"),
        ("w,Offline,s,MI300X,8,100,Parsecs,higher,,,,,,,", "unknown unit"),
        ("w,Offline,s,MI300X,8,100,Tokens/s,lower,,,,,,,", "higher-is-better, but direction says lower"),
        ("w,Offline,s,MI300X,8,100,Tokens/s,sideways,,,,,,,", "direction must be"),
        ("w,Offline,s,NVIDIA L4,8,100,Tokens/s,higher,,,,,,,", "matches no accelerator"),
        ("w,Offline,s,MI300X,0,100,Tokens/s,higher,,,,,,,", "accelerator_count must be at least 1"),
        ("w,Offline,s,MI300X,8,100,Tokens/s,higher,-3,,,,,,", "power_w must be above 0"),
        ("w,Offline,s,MI300X,8", "cells where the header has"),
    ],
)
def test_bad_csv_rows_name_file_line_and_problem(specs, tmp_path, line, message):
    path = tmp_path / "ours.csv"
    good = "w,Offline,s,MI300X,8,100,Tokens/s,higher,,,,,,,\n"
    path.write_text(CSV_HEADER + good + line + "\n")
    found = read_results_csv(path, specs)
    assert len(found.frame) == 1
    (problem,) = found.problems
    assert problem.line == 3 and message in problem.message and problem.path == str(path)


def test_a_csv_missing_columns_is_refused_whole(specs, tmp_path):
    path = tmp_path / "ours.csv"
    path.write_text("workload,accelerator,result\nw,MI300X,1\n")
    with pytest.raises(InputError, match="missing column"):
        read_results_csv(path, specs)


def test_one_bad_file_does_not_stop_the_others(specs, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    found = load_results([bad, FIXTURE], specs)
    assert len(found.frame) > 20
    assert any(p.path == str(bad) for p in found.problems)


def test_per_accelerator_normalisation_by_unit():
    assert per_accelerator(800.0, 8, "Tokens/s") == 100.0
    assert per_accelerator(20.0, 8, "minutes") == 160.0
    assert per_accelerator(12.0, 8, "Latency (ms)") == 12.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["Model", "Scenario", "Accelerator", "a#", "Nodes", "Performance_Result", "Performance_Units", "Category"]), st.one_of(st.none(), st.integers(-3, 10), st.text(max_size=12), st.floats(allow_nan=True))), max_size=5))
def test_arbitrary_records_never_crash_the_reader(records):
    from lockin.hardware.specs import load_specs

    specs = load_specs()
    found = read_mlperf_summary("fuzz.json", specs, text=json.dumps(records))
    assert len(found.frame) + len(found.problems) == len(records)
    assert (found.frame["per_accelerator"] > 0).all()
