"""Real ports: the proxy, the dataset file, `lockin calibrate`, and the bundled calibration
used by default with its error (issue 16, parts 2 and 3)."""

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from lockin.cli import main
from lockin.records import InputError
from lockin.scoring.calibration import BUNDLED_CALIBRATION, load_calibration
from lockin.scoring.parameters import Parameters
from lockin.scoring.ports import (
    PORT_COLUMNS,
    compare,
    lines_per_author_day,
    observed_days,
    proxy_person_days,
    proxy_pm,
    read_ports,
)

REPO = Path(__file__).resolve().parents[2]
BUNDLED_PORTS = REPO / "data" / "calibration" / "ports.csv"
HEADER = [c.name for c in PORT_COLUMNS]


def port_row(port_id, days=1, followup=0, lines=(100, 10), observed="yes", commits="a", use="yes", scope="."):
    row = dict.fromkeys(HEADER, "")
    row.update(
        port_id=port_id, repository=f"example/{port_id}", category="python-extension", parent_commit="0" * 40, port_commits=commits,
        merge_date="2024-01-01", people="1", active_author_days=str(days), followup_author_days=str(followup), files_changed="3",
        lines_added=str(lines[0]), lines_deleted=str(lines[1]), branch_observed=observed, confidence="high", use=use, scope_roots=scope,
    )
    return row


def write_ports(path: Path, rows) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_observed_days_are_counted_and_hidden_ones_imputed_from_lines(tmp_path):
    ports = read_ports(write_ports(tmp_path / "ports.csv", [
        port_row("a", days=4, lines=(300, 100)),           # 100 lines a day
        port_row("b", days=2, lines=(120, 80)),            # 100 lines a day
        port_row("c", days=1, lines=(500, 100), observed="no", followup=2),  # a squash: 600 / 100 = 6 days, plus 2
        port_row("d", days=1, lines=(20, 0), observed="no"),  # at least one day
    ]))
    assert list(observed_days(ports)) == [True, True, False, False]
    assert lines_per_author_day(ports) == pytest.approx(100.0)
    assert list(proxy_person_days(ports)) == pytest.approx([4, 2, 8, 1])
    assert list(proxy_pm(ports)) == pytest.approx([d * 8 / 152 for d in (4, 2, 8, 1)])


def test_a_bad_ports_file_names_its_line(tmp_path):
    rows = [port_row("a"), port_row("b")]
    rows[1]["confidence"] = "certain"
    with pytest.raises(InputError) as caught:
        read_ports(write_ports(tmp_path / "ports.csv", rows))
    assert caught.value.problem.line == 3 and "confidence" in caught.value.problem.message
    rows[1].update(confidence="high", active_author_days="two")
    with pytest.raises(InputError) as caught:
        read_ports(write_ports(tmp_path / "ports.csv", rows))
    assert caught.value.problem.line == 3 and "active_author_days" in caught.value.problem.message


def test_the_bundled_dataset_has_fifteen_fitted_ports_across_kinds_with_commit_ids():
    ports = read_ports(BUNDLED_PORTS)
    fitted = ports[ports["use"] == "yes"]
    assert len(fitted) >= 15
    assert {"kernel-library", "python-extension", "server", "infrastructure"} <= set(fitted["category"])
    assert ports["parent_commit"].str.fullmatch(r"[0-9a-f]{40}").all()
    assert ports["port_commits"].map(lambda ids: all(len(i) == 40 for i in ids.split())).all()
    assert (ports.loc[ports["use"] == "no", "notes"].str.startswith("Not fitted:")).all()
    rows = pd.read_csv(REPO / BUNDLED_CALIBRATION)
    assert set(rows["project"]) == set(fitted["port_id"])
    # Each calibration row's proxy is the dataset's.
    expected = proxy_pm(ports).set_axis(ports["port_id"])
    assert np.allclose(rows.set_index("project")["actual_pm"], expected[rows["project"]].to_numpy(), atol=1e-3)


def test_compare_measures_log_error_worst_factor_and_rank():
    measures = compare([2.0, 1.0, 8.0], [1.0, 1.0, 2.0])
    assert measures["mdale"] == pytest.approx(np.log(2.0))
    assert measures["worst_factor"] == pytest.approx(4.0)
    assert measures["spearman"] == pytest.approx(pd.Series([2.0, 1.0, 8.0]).corr(pd.Series([1.0, 1.0, 2.0]), method="spearman"))


def kernel_project(root: Path, kernels: int) -> None:
    (root / "csrc").mkdir(parents=True)
    (root / "CMakeLists.txt").write_text("project(p LANGUAGES CXX CUDA)\nadd_library(p csrc/k0.cu)\n")
    for k in range(kernels):
        calls = "\n".join(f"  cudaMemcpy(p, q, {i}, cudaMemcpyDeviceToDevice);" for i in range(20))
        (root / "csrc" / f"k{k}.cu").write_text(f"#include <cuda_runtime.h>\nvoid copy{k}(float* p, float* q) {{\n{calls}\n}}\n")


def test_calibrate_scans_each_parent_and_reports_before_and_after(tmp_path):
    trees = tmp_path / "trees"
    sizes = {"one": 1, "two": 2, "four": 4, "eight": 8}
    for port_id, kernels in sizes.items():
        kernel_project(trees / port_id, kernels)
    rows = [port_row(p, days=k * 3, lines=(k * 40, 0)) for p, k in sizes.items()] + [port_row("absent")]
    ports = write_ports(tmp_path / "ports.csv", rows)
    written = tmp_path / "calibration.csv"
    result = CliRunner().invoke(main, ["calibrate", "--ports", str(ports), "--trees", str(trees), "--write", str(written), "--format", "json", "--no-progress", "-j", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    table = pd.DataFrame(json.loads(result.stdout)).set_index("port_id")
    assert table.loc[list(sizes), "estimate_pm"].is_monotonic_increasing, "more kernels, more effort"
    assert table.loc[list(sizes), "calibrated_pm"].notna().all() and pd.isna(table.loc["absent", "estimate_pm"])
    assert "skipped: absent" in result.stderr
    assert "before (uncalibrated): 4 ports" in result.stderr and "after (leave-one-out): 4 ports" in result.stderr
    calibration = pd.read_csv(written)
    assert list(calibration["project"]) == list(sizes) and (calibration["actual_pm"] > 0).all()
    # The written file is a calibration_file lockin fits.
    fitted = load_calibration(Parameters({"calibration_file": str(written)}))
    assert fitted.n == 4 and not fitted.bundled and "your calibration on 4 past migrations" in fitted.describe()


def test_scores_use_the_bundled_calibration_by_default_and_say_so(tmp_path):
    kernel_project(tmp_path / "p", 3)
    from lockin.scan import ScanOptions, scan
    from lockin.scoring.score import score

    scanned = scan([tmp_path / "p"], ScanOptions(project_name="p", progress=False))
    calibrated = score(scanned, Parameters({"draws": 2000}))
    plain = score(scanned, Parameters({"draws": 2000, "calibration_file": ""}))
    text = calibrated.portfolio["calibration"]
    assert text.startswith("the bundled calibration on ") and "real CUDA→ROCm ports" in text and "leave-one-out median error ×" in text
    assert plain.portfolio["calibration"] == "uncalibrated defaults"
    assert calibrated.calibration.bundled and calibrated.draws.calibrated
    # The band carries the calibration's own error: wider, relative to its median, than the model's alone.
    spread = lambda s: s.portfolio["effort_pm_p90"] / s.portfolio["effort_pm_p10"]
    assert spread(calibrated) > spread(plain)
    assert any("bundled calibration" in note for note in calibrated.notes)


def test_the_calibration_does_not_extrapolate_its_slope_beyond_its_data():
    from lockin.scoring.calibration import Calibration

    calibration = Calibration(intercept=0.0, slope=0.5, n=3, loo_mdale=0.0, loo_worst_factor=1.0, loo_spearman=1.0, estimate_range=(1.0, 4.0))
    mapped = calibration.apply(np.array([[0.0, 0.5, 1.0, 4.0, 8.0]]))[0]
    # Inside [1, 4]: draw^0.5; beyond, the edge's value in proportion.
    assert list(mapped) == pytest.approx([0.0, 0.5, 1.0, 2.0, 4.0])


def test_a_projects_credit_for_target_support_keeps_its_share_after_calibration(tmp_path):
    """The calibration maps the effort without target support (it was fitted on CUDA-only
    projects); what already runs on the target scales the calibrated figure in proportion."""
    import shutil

    from lockin.scan import ScanOptions, scan
    from lockin.scoring.score import score

    fixtures = REPO / "tests" / "fixtures" / "readiness"
    project = tmp_path / "mixed" / "src"
    project.mkdir(parents=True)
    shutil.copy(fixtures / "dual" / "src" / "ops.cu", project / "ops.cu")
    shutil.copy(fixtures / "cuda-only" / "src" / "ops.cu", project / "legacy.cu")
    scanned = scan([tmp_path / "mixed"], ScanOptions(project_name="mixed", progress=False))

    def share(values):
        credited = score(scanned, Parameters(values)).portfolio["effort_pm_p50"]
        uncredited = score(scanned, Parameters(values), credit_target_support=False).portfolio["effort_pm_p50"]
        return credited / uncredited

    raw, calibrated = share({"calibration_file": ""}), share({})
    assert 0 < raw < 1 and calibrated == pytest.approx(raw, abs=0.03)
