"""The click command: options, defaults, and what it hands to the run."""

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from lockin.report import command
from lockin.report.periods import current_period
from lockin import resources
from lockin.report.run import ReportOutcome


@pytest.fixture
def captured(monkeypatch, tmp_path):
    """Replace the run by one that records its settings and succeeds."""
    settings = []

    def fake_render(chosen, say):
        settings.append(chosen)
        folder = tmp_path / chosen.period
        return ReportOutcome(folder, folder / "strategy_report.html", folder / "strategy_report.pdf", tmp_path / "index.html", chosen.history_path, 0.1)

    monkeypatch.setattr(command, "render_period", fake_render)
    return settings


def invoke(*arguments):
    return CliRunner().invoke(command.report, list(arguments))


def test_the_defaults_are_the_sample_portfolio_and_reports(captured):
    result = invoke("--period", "2026-11")
    assert result.exit_code == 0, result.output
    [settings] = captured
    assert settings.period == "2026-11"
    assert settings.portfolio == resources.example_portfolio()
    assert settings.out_dir == Path("reports")
    assert settings.history_path == (Path("reports") / "history.sqlite").absolute()
    assert settings.params_file is None and settings.timeout == 600 and settings.progress is True
    assert settings.notebooks_dir == resources.notebooks_dir()
    assert settings.notebooks == ("01_inventory.ipynb", "02_hardware.ipynb", "03_lockin.ipynb", "04_economics.ipynb", "strategy_report.ipynb")


def test_every_option_reaches_the_run(captured, tmp_path):
    params = tmp_path / "params.yml"
    params.write_text("seed: 1\n")
    result = invoke("--period", "2026-q3", "--portfolio", str(tmp_path), "--params", str(params), "--out", str(tmp_path / "out"), "--history", str(tmp_path / "h.sqlite"), "--timeout", "42", "--top", "10", "--no-progress")
    assert result.exit_code == 0, result.output
    [settings] = captured
    assert settings.top == 10
    assert settings.period == "2026-Q3"
    assert (settings.portfolio, settings.params_file, settings.out_dir, settings.history_db) == (tmp_path, params, tmp_path / "out", tmp_path / "h.sqlite")
    assert settings.timeout == 42 and settings.progress is False


@pytest.mark.parametrize("cadence", ["month", "quarter"])
def test_auto_follows_the_cadence(captured, cadence):
    assert invoke("--period", "auto", "--cadence", cadence).exit_code == 0
    assert captured[0].period == str(current_period(cadence, dt.date.today()))


def test_a_malformed_period_is_a_usage_error_naming_both_forms(captured):
    result = invoke("--period", "2026-13")
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output and "YYYY-Qn" in result.output and "--period" in result.output
    assert captured == []


@pytest.mark.parametrize(
    "arguments",
    [[], ["--period", "auto", "--timeout", "0"], ["--period", "auto", "--cadence", "week"], ["--period", "auto", "--portfolio", "/no/such/folder"], ["--period", "auto", "--params", "/no/such.yml"]],
)
def test_bad_options_are_usage_errors(captured, arguments):
    assert invoke(*arguments).exit_code == 2
    assert captured == []


def test_success_prints_the_pdf_path_alone_on_stdout(captured, tmp_path):
    result = invoke("--period", "2026-11")
    assert result.stdout == f"{tmp_path / '2026-11' / 'strategy_report.pdf'}\n"
    assert "written in" in result.stderr


def test_catalog_folders_reach_the_run_in_order(captured, tmp_path):
    first, second = tmp_path / "ours", tmp_path / "theirs"
    first.mkdir(), second.mkdir()
    result = invoke("--period", "2026-11", "--catalog", str(first), "--catalog", str(second))
    assert result.exit_code == 0, result.output
    assert captured[0].catalog_dirs == (first, second)


def test_a_missing_catalog_folder_is_a_usage_error(captured, tmp_path):
    result = invoke("--period", "2026-11", "--catalog", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "--catalog" in result.output
    assert captured == []
