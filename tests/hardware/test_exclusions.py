"""Records of the bundled benchmark data left out: one summary line, a table by reason.

The bundled data's exclusions are the same on every run, so parity and score
print one note about them; a user's own --results files keep one line per
record. The tests plant their own "bundled" folder so the counts are known.
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lockin.cli import main
from lockin.hardware import results
from lockin.hardware.results import EXCLUSION_COLUMNS, exclusion_reason, exclusion_summary, load_benchmarks, split_bundled
from lockin.records import Problem

MIXED = "AMD Instinct MI300X 192GB HBM3 (x32), AMD Instinct MI325X 256GB HBM3e (x16)"


def record(number: int, **overrides) -> dict:
    base = {
        "ID": f"5.1-{number:04d}",
        "Submitter": "Example",
        "Availability": "available",
        "Category": "closed",
        "Platform": "test",
        "Model": "llama2-70b-99",
        "Scenario": "Offline",
        "Accelerator": "AMD Instinct MI325X 256GB HBM3e",
        "a#": 8,
        "Nodes": 1,
        "version": "v5.1",
        "Performance_Result": 34000.0,
        "Performance_Units": "Tokens/s",
    }
    return {**base, **overrides}


#: Two usable records (one per accelerator) and four that are left out:
#: three mixed-accelerator systems and one unknown unit.
BUNDLED = [
    record(1),
    record(2, Accelerator="NVIDIA H200-SXM-141GB", Performance_Result=35000.0),
    record(3, Accelerator=MIXED),
    record(4, Accelerator="AMD Instinct MI325X 256GB HBM3E (x16), AMD Instinct MI300X 192GB HBM3 (x8)"),
    record(5, Accelerator=MIXED, Scenario="Server"),
    record(6, Performance_Units="Furlongs/s"),
]

#: The user's own file: one usable record, two left out.
OWN = [record(11), record(12, Accelerator=MIXED), record(13, Performance_Result=-1)]


@pytest.fixture
def bundled_dir(tmp_path, monkeypatch) -> Path:
    """A stand-in for data/benchmarks holding the planted MLPerf file."""
    folder = tmp_path / "checkout" / "data" / "benchmarks"
    (folder / "mlperf").mkdir(parents=True)
    (folder / "mlperf" / "inference_test.json").write_text(json.dumps(BUNDLED, indent=1))
    monkeypatch.setattr(results, "BENCHMARK_DATA_DIR", folder)
    return folder


@pytest.fixture
def own_file(tmp_path) -> Path:
    path = tmp_path / "ours" / "summary_results.json"
    path.parent.mkdir()
    path.write_text(json.dumps(OWN, indent=1))
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_the_summary_groups_bundled_exclusions_by_reason(bundled_dir, own_file):
    _, loaded = load_benchmarks([own_file])
    summary = exclusion_summary(loaded.problems)
    assert list(summary.columns) == list(EXCLUSION_COLUMNS)
    assert summary[["count", "reason"]].values.tolist() == [[3, "several accelerator types in one system"], [1, "unknown unit …"]]
    # The example is the first such record, by file (relative to the checkout) and line.
    first_mixed = next(p for p in loaded.problems if "5.1-0003" in p.message)
    assert summary.loc[0, "example"] == f"data/benchmarks/mlperf/inference_test.json:{first_mixed.line} record 5.1-0003 (llama2-70b-99, Offline)"


def test_the_users_own_files_are_not_in_the_bundled_summary(bundled_dir, own_file):
    _, loaded = load_benchmarks([own_file])
    own, bundled = split_bundled(loaded.problems)
    assert {p.path for p in own} == {str(own_file)} and len(own) == 2
    assert len(bundled) == 4
    everything = exclusion_summary(loaded.problems, bundled_only=False)
    assert dict(zip(everything["reason"], everything["count"])) == {
        "several accelerator types in one system": 4,
        "unknown unit …": 1,
        "Performance_Result … is not a positive number": 1,
    }


def test_no_bundled_exclusions_give_an_empty_table(bundled_dir, own_file):
    _, loaded = load_benchmarks([own_file], bundled=False)
    assert exclusion_summary(loaded.problems).empty
    assert list(exclusion_summary(loaded.problems).columns) == list(EXCLUSION_COLUMNS)


@pytest.mark.parametrize(
    "message, reason",
    [
        (f"record 5.1-0003 (llama2-70b-99, Offline): accelerator '{MIXED}': several accelerator types in one system; results cannot be attributed to one", "several accelerator types in one system"),
        ("record 5.1-0007 (gptj-99, Server): accelerator 'NVIDIA L4': matches no accelerator of the spec table (H100 SXM, MI300X)", "matches no accelerator of the spec table"),
        ("record 5.1-0008 (gptj-99, Server): accelerator count a#=0 × Nodes=1.5 is not a positive whole number", "accelerator count a#=… × Nodes=… is not a positive whole number"),
        ("4 cells where the header has 5", "… cells where the header has …"),
    ],
)
def test_the_reason_drops_the_values_of_one_record(message, reason):
    assert exclusion_reason(Problem("x.json", 3, message)) == reason


def test_parity_prints_one_note_for_bundled_data_and_every_line_for_own_files(bundled_dir, own_file):
    result = run("parity", "--baseline", "H200", "--target", "MI325X", "--results", own_file)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    skipped = [line for line in lines if line.startswith("skipped:")]
    assert len(skipped) == 2 and all(str(own_file) in line for line in skipped)
    (note,) = [line for line in lines if "bundled benchmark data" in line]
    assert note.startswith("note: 4 record(s)") and "3 × several accelerator types in one system" in note and "1 × unknown unit" in note
    assert "--list-excluded" in note
    assert str(bundled_dir) not in result.stderr


def test_parity_list_excluded_shows_every_bundled_record(bundled_dir, own_file):
    result = run("parity", "--baseline", "H200", "--target", "MI325X", "--results", own_file, "--list-excluded")
    assert result.exit_code == 0, result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped:")]
    assert len(skipped) == 6
    assert sum(str(bundled_dir) in line for line in skipped) == 4
    assert "bundled benchmark data" not in result.stderr


def test_the_hardware_context_offers_the_table_for_the_appendix(bundled_dir):
    from lockin.scoring.hardware import load_hardware_context
    from lockin.scoring.parameters import load_parameters

    context = load_hardware_context(load_parameters(None, baseline_accelerator="H200", target_accelerator="MI325X"))
    assert context.bundled_exclusions["count"].tolist() == [3, 1]


def test_score_on_the_real_bundled_data_prints_no_bundled_record_lines(tmp_path):
    project = tmp_path / "svc"
    project.mkdir()
    (project / "requirements.txt").write_text("torch==2.4.0\n")
    result = run("score", project, "--project", "svc", "--no-progress")
    assert result.exit_code == 0, result.stderr
    bundled = str(results.BENCHMARK_DATA_DIR)
    assert not [line for line in result.stderr.splitlines() if line.startswith("skipped:") and bundled in line]
    assert sum("bundled benchmark data" in line for line in result.stderr.splitlines()) <= 1
