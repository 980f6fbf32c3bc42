"""`lockin parity` and `lockin fleet`: contracts, errors, stdout/stderr."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lockin.cli import main

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "data" / "mlperf" / "summary_results_small.json"
FLEET = ROOT / "data" / "fleet" / "fleet.csv"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_parity_json_has_the_contract_fields_and_a_geomean_record():
    result = run("parity", "--baseline", "H200", "--target", "MI325X", "--results", FIXTURE, "--no-bundled", "--format", "json")
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    for record in records:
        assert {"workload", "scenario", "baseline_value", "target_value", "unit", "ratio"} <= set(record)
    assert records[-1]["workload"] == "geomean"
    offline = next(r for r in records if r["workload"] == "llama2-70b-99" and r["scenario"] == "Offline")
    assert offline["ratio"] == pytest.approx(34555.0 / 35316.7)
    assert "geometric mean ratio" in result.stderr
    # The records the fixture cannot use are named on stderr, with file and line.
    assert "summary_results_small.json:" in result.stderr and "several accelerator types" in result.stderr


def test_parity_csv_and_table():
    result = run("parity", "--baseline", "H200 SXM", "--target", "AMD Instinct MI325X", "--results", FIXTURE, "--no-bundled", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["workload"] and rows[-1]["workload"] == "geomean"
    table = run("parity", "--baseline", "H200", "--target", "MI325X", "--results", FIXTURE, "--no-bundled")
    assert "Parity: MI325X vs H200 SXM" in table.stdout and "5.1-0026" in table.stdout


def test_parity_with_bundled_data_and_estimates():
    result = run("parity", "--baseline", "H100", "--target", "MI300X", "--estimate", "--format", "json")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert any(r["basis"].startswith("estimate") for r in records)
    assert any(r["basis"].endswith("per-accelerator result") for r in records)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--baseline", "NVIDIA L4", "--target", "MI300X"], "matches no accelerator"),
        (["--baseline", "H100 SXM", "--target", "TPU v5p"], "no workload was measured on both"),
    ],
)
def test_parity_errors_are_clear_and_non_zero(args, message):
    result = CliRunner().invoke(main, ["parity", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_parity_writes_to_out(tmp_path):
    out = tmp_path / "p.json"
    result = run("parity", "--baseline", "H200", "--target", "MI325X", "--results", FIXTURE, "--no-bundled", "--format", "json", "--out", out)
    assert result.stdout == ""
    assert json.loads(out.read_text())[-1]["workload"] == "geomean"


def test_fleet_json_records_per_vendor_and_all():
    result = run("fleet", FLEET, "--format", "json", "--move", "20", "--to", "amd", "--target-model", "MI300X")
    assert result.exit_code == 0, result.stderr
    records = {r["vendor"]: r for r in json.loads(result.stdout)}
    assert set(records) == {"nvidia", "amd", "all"}
    everything = records["all"]
    assert everything["hhi_compute"] > everything["hhi_after_move"]
    assert everything["concentration_count"] == "highly concentrated"
    assert everything["target_model"] == "MI300X" and everything["target_energy_mwh"] > 0
    assert "HHI by compute" in result.stderr and "moving 20%" in result.stderr
    assert "MI300X over H100 SXM" in result.stderr  # where each ratio came from


def test_fleet_table_has_its_sections():
    result = run("fleet", FLEET, "--regime", "2010", "--move", "10", "--to", "amd")
    for title in ("Fleet by vendor", "Concentration (HHI; 2010 thresholds 1,500 / 2,500)", "What-if"):
        assert title in result.stdout


def test_fleet_reports_bad_rows_and_refuses_an_impossible_move(tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_text("site,vendor,model,count,utilisation,power_w,pue\na,nvidia,H100 SXM,10,0.5,600,1.2\nb,nvidia,NVIDIA L4,4,0.5,,1.2\n")
    result = CliRunner().invoke(main, ["fleet", str(path), "--move", "50", "--to", "amd", "--from", "amd"])
    assert result.exit_code != 0
    assert "fleet.csv:3" in result.output and "matches no accelerator" in result.output


def test_fleet_command_defaults_are_the_documented_parameters():
    from lockin.cli import fleet
    from lockin.hardware.fleet import DEFAULT_GRID_KG_PER_KWH, DEFAULT_PUE

    defaults = {p.name: p.default for p in fleet.params}
    assert defaults["grid_intensity"] == DEFAULT_GRID_KG_PER_KWH
    assert defaults["pue"] == DEFAULT_PUE
