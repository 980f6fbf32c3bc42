"""The command line prints what users cause as file, line and problem, and
shows a traceback only for a bug."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lockin.cli import main
from lockin.errors import LockinError
from lockin.hardware.results import read_mlperf_summary
from lockin.records import InputError

ROOT = Path(__file__).parents[1]


def run(*args):
    # catch_exceptions=False: an exception that escapes the CLI fails the test.
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"site,vendor\nx,nvidia\n", "fleet.csv:1: missing column(s) model, count"),
        (b"", "fleet.csv: empty file"),
        (b"site,vendor,model,count\n\xff\xfe,nvidia,H100,3\n", "fleet.csv:2: not UTF-8: byte 0xff"),
        (b"site,vendor,model,count\nx,nvidia,Nonesuch 9000,3\n", "fleet.csv: no usable fleet rows"),
    ],
)
def test_fleet_file_errors_name_file_and_line(tmp_path, content, expected):
    path = tmp_path / "fleet.csv"
    path.write_bytes(content)
    result = run("fleet", path)
    assert result.exit_code == 1
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_deeply_nested_results_json_is_a_skipped_input_not_a_recursion_error(tmp_path):
    from lockin.hardware.specs import load_specs

    path = tmp_path / "summary_results.json"
    path.write_text("[\n" + "[" * 100_000 + "]" * 100_000 + "\n]")
    with pytest.raises(InputError, match="nested too deeply") as caught:
        read_mlperf_summary(path, load_specs())
    assert caught.value.problem.line == 2
    result = run("parity", "--baseline", "H100", "--target", "MI300X", "--results", path)
    assert result.exit_code == 0 and "summary_results.json:2: invalid JSON: nested too deeply" in result.stderr


def test_a_manifest_error_prints_file_line_project_and_field(tmp_path):
    (tmp_path / "alpha").mkdir()
    (tmp_path / "portfolio.yml").write_text("projects:\n  - name: alpha\n    gpu_hours_per_month: lots\n")
    for command in ("scan", "score"):
        result = run(command, tmp_path, "--no-progress")
        assert result.exit_code == 1
        assert f"{tmp_path / 'portfolio.yml'}:3: project 'alpha', field 'gpu_hours_per_month'" in result.stderr


def test_an_unknown_accelerator_and_a_bad_what_if_are_user_errors():
    assert "accelerator 'Nonesuch'" in run("parity", "--baseline", "Nonesuch", "--target", "MI300X").stderr
    result = run("fleet", ROOT / "data" / "fleet" / "fleet.csv", "--move", "20", "--to", "amd", "--from", "intel")
    assert result.exit_code == 1 and "vendor 'intel' has no share" in result.stderr


def test_a_bug_is_not_dressed_as_a_user_error(tmp_path, monkeypatch):
    import lockin.scoring.score

    def broken(*args, **kwargs):
        raise ValueError("an internal bug")

    monkeypatch.setattr(lockin.scoring.score, "score", broken)
    (tmp_path / "a").mkdir()
    result = CliRunner().invoke(main, ["score", str(tmp_path), "--no-progress"])
    assert isinstance(result.exception, ValueError)
    assert "Error: an internal bug" not in result.stderr


def test_every_user_error_class_derives_from_lockin_error():
    from lockin.errors import UsageError
    from lockin.report.figures import FiguresError
    from lockin.report.periods import PeriodError
    from lockin.yamlsafe import YamlError

    for error in (InputError, UsageError, PeriodError, FiguresError, YamlError):
        assert issubclass(error, LockinError), error
    assert not issubclass(LockinError, ValueError)


def test_too_few_results_for_an_estimate_is_a_user_error(tmp_path):
    import json

    records = json.loads((ROOT / "tests" / "data" / "mlperf" / "summary_results_small.json").read_text())
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(records[:3]))
    result = run("parity", "--baseline", "H200", "--target", "MI325X", "--results", path, "--no-bundled", "--estimate")
    assert result.exit_code == 1 and "too few comparable results" in result.stderr


def test_files_that_are_not_utf8_are_errors_with_their_line(tmp_path):
    (tmp_path / "p" / "a").mkdir(parents=True)
    params = tmp_path / "params.yml"
    params.write_bytes(b"discount_rate: 0.1\n\xff\n")
    result = run("score", tmp_path / "p", "--params", params, "--no-progress")
    assert result.exit_code == 1 and "params.yml:2: not UTF-8: byte 0xff" in result.stderr
    (tmp_path / "p" / "portfolio.yml").write_bytes(b"projects:\n  - name: a\n\xff\n")
    result = run("scan", tmp_path / "p", "--no-progress")
    assert result.exit_code == 1 and "portfolio.yml:3: not UTF-8" in result.stderr
    (tmp_path / "p" / "portfolio.yml").unlink()
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "mine.csv").write_bytes(b"kind,match\n\xff\n")
    result = run("scan", tmp_path / "p", "--catalog", catalog, "--no-progress")
    assert result.exit_code == 1 and "mine.csv:2: not UTF-8" in result.stderr
