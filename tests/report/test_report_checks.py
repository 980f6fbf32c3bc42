"""What a run checks before any notebook runs: parameters, catalogs, output folder, history.

The notebooks are replaced by a sentinel that fails the test if reached, so
each check is shown to come first, not merely to fail somewhere.

Read-only folders and files: the tests run as root, which ignores mode bits
(a ``chmod 0555`` folder is still writable for root), so they use the
immutable attribute (``chattr +i``), which binds root too, as a read-only
mount would. Where it is unavailable (not root, or a file system without
it) those tests are skipped rather than passing vacuously.
"""

import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from lockin.report import run as report_run
from lockin.report.command import report
from lockin.report.history import check_history, record_period
from lockin.report.run import LOCK_FILE, ReportError, ReportSettings, SettingsError, check_settings, notebook_parameters, render_period

PROJECT_ROWS = [
    {"project": "alpha", "rating": "C", "lockin_ratio": 0.3, "roadblocks": 1, "effort_pm_p10": 1.0, "effort_pm_p50": 2.0, "effort_pm_p90": 3.0, "npv_usd": None, "recommendation": "stay"},
    {"project": "beta", "rating": "C", "lockin_ratio": 0.3, "roadblocks": 1, "effort_pm_p10": 1.0, "effort_pm_p50": 2.0, "effort_pm_p90": 3.0, "npv_usd": 5.0, "recommendation": "stay"},
]
TOTAL = {"rating": "C", "lockin_ratio": 0.3, "roadblocks": 2, "effort_pm_p10": 2.0, "effort_pm_p50": 4.0, "effort_pm_p90": 6.0, "npv_usd": 5.0, "recommendation": "stay"}


@pytest.fixture
def no_notebook_may_run(monkeypatch):
    """Fail loudly if the run gets as far as executing a notebook."""

    def sentinel(*args, **kwargs):
        raise AssertionError("a notebook ran although a setting was wrong")

    monkeypatch.setattr(report_run, "execute_notebooks", sentinel)


@pytest.fixture
def settings(tmp_path, tiny_portfolio, tiny_notebooks):
    def make(**overrides):
        values = {"period": "2026-11", "portfolio": tiny_portfolio, "out_dir": tmp_path / "reports", "notebooks_dir": tiny_notebooks, "notebooks": ("first.ipynb", "strategy_report.ipynb"), "progress": False}
        return ReportSettings(**(values | overrides))

    return make


@pytest.fixture
def immutable():
    """``immutable(path)`` makes ``path`` immutable until the test ends (skips where impossible)."""
    made = []

    def make(path: Path) -> Path:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"cannot make {path} immutable here: {done.stderr.strip()}")
        made.append(path)
        return path

    yield make
    for path in reversed(made):
        subprocess.run(["chattr", "-i", str(path)], check=True)


def a_folder_holding_a_report(out_dir: Path) -> Path:
    """What an earlier run leaves: a period folder, the lock, the index and the history."""
    (out_dir / "2026-10").mkdir(parents=True)
    (out_dir / "2026-10" / "strategy_report.pdf").write_bytes(b"%PDF-1.7 earlier report")
    (out_dir / "index.html").write_text("<html></html>")
    (out_dir / LOCK_FILE).touch()
    record_period(out_dir / "history.sqlite", {"period": "2026-10", "catalog_version": "c", "params_hash": "h", "scores": PROJECT_ROWS, "portfolio": TOTAL})
    return out_dir


# The output folder


def test_a_read_only_output_folder_holding_a_report_is_refused_up_front(settings, immutable, no_notebook_may_run, tmp_path):
    out_dir = immutable(a_folder_holding_a_report(tmp_path / "reports"))
    with pytest.raises(SettingsError, match=f"cannot write to the output folder {out_dir}: Operation not permitted"):
        render_period(settings(out_dir=out_dir))


def test_the_command_says_so_in_one_line_and_exits_2(tmp_path, tiny_portfolio, tiny_notebooks, immutable, no_notebook_may_run, monkeypatch):
    monkeypatch.setattr(report_run, "bundled_notebooks_dir", lambda: tiny_notebooks)
    monkeypatch.setattr(report_run, "NOTEBOOKS", ("first.ipynb", "strategy_report.ipynb"))
    out_dir = immutable(a_folder_holding_a_report(tmp_path / "reports"))
    result = CliRunner().invoke(report, ["--period", "2026-11", "--portfolio", str(tiny_portfolio), "--out", str(out_dir), "--no-progress"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), "no traceback"
    lines = result.stderr.splitlines()
    assert lines[1:] == [f"lockin report: cannot write to the output folder {out_dir.absolute()}: Operation not permitted; nothing was run"]


def test_a_read_only_lock_file_is_refused_up_front(settings, immutable, no_notebook_may_run, tmp_path):
    out_dir = a_folder_holding_a_report(tmp_path / "reports")
    immutable(out_dir / LOCK_FILE)
    with pytest.raises(SettingsError, match=f"cannot write the lock file {out_dir / LOCK_FILE}"):
        render_period(settings(out_dir=out_dir))


def test_an_output_folder_whose_parent_is_read_only_is_refused(settings, immutable, no_notebook_may_run, tmp_path):
    parent = tmp_path / "shared"
    parent.mkdir()
    immutable(parent)
    with pytest.raises(SettingsError, match=f"cannot write to the folder that would hold the output folder {parent}"):
        render_period(settings(out_dir=parent / "reports"))


def test_a_missing_chain_of_output_folders_is_refused_and_nothing_created(settings, no_notebook_may_run, tmp_path):
    out_dir = tmp_path / "typo" / "deeper" / "reports"
    with pytest.raises(SettingsError, match=f"output folder {out_dir}: parent folder {out_dir.parent} does not exist"):
        render_period(settings(out_dir=out_dir))
    assert not (tmp_path / "typo").exists()


def test_the_output_folder_itself_is_created_when_its_parent_exists(settings, tmp_path):
    check_settings(settings(out_dir=tmp_path / "reports"))
    assert (tmp_path / "reports").is_dir()
    assert [path.name for path in (tmp_path / "reports").iterdir()] == [], "the writability probe leaves nothing behind"


def test_an_output_folder_that_is_a_file_is_refused(settings, no_notebook_may_run, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(SettingsError, match=f"the output folder {blocker} is not a folder"):
        render_period(settings(out_dir=blocker))


# The history


def test_a_history_that_is_not_sqlite_is_refused_before_any_notebook(settings, no_notebook_may_run, tmp_path):
    history = tmp_path / "history.sqlite"
    history.write_bytes(b"these are not the bytes of an SQLite database, not even close" * 20)
    with pytest.raises(SettingsError, match=f"history {history}: not an SQLite database"):
        render_period(settings(history_db=history))
    assert not (tmp_path / "reports").exists(), "a refused run creates no output folder"


def test_a_foreign_sqlite_database_is_refused_and_left_untouched(settings, no_notebook_may_run, tmp_path):
    history = tmp_path / "app.db"
    with sqlite3.connect(history) as connection:
        connection.execute("CREATE TABLE users (id INTEGER, name TEXT)")
    before = history.read_bytes()
    with pytest.raises(SettingsError, match=f"history {history}: an SQLite database but not a lockin history \\(no table periods, scores; it has users\\)"):
        render_period(settings(history_db=history))
    assert history.read_bytes() == before


def test_a_history_with_the_tables_but_not_their_columns_is_refused(tmp_path):
    history = tmp_path / "h.sqlite"
    with sqlite3.connect(history) as connection:
        connection.execute("CREATE TABLE periods (period TEXT)")
        connection.execute("CREATE TABLE scores (period TEXT, project TEXT)")
    with pytest.raises(ValueError, match="table periods lacks rendered_at, catalog_version, params_hash"):
        check_history(history)


def test_a_history_from_a_newer_lockin_is_refused(tmp_path):
    history = tmp_path / "h.sqlite"
    record_period(history, {"period": "2026-10", "catalog_version": "c", "params_hash": "h", "scores": PROJECT_ROWS, "portfolio": TOTAL})
    with sqlite3.connect(history) as connection:
        connection.execute("PRAGMA user_version = 99")
    with pytest.raises(ValueError, match="newer lockin \\(schema version 99"):
        check_history(history)


@pytest.mark.parametrize("kind", ["missing", "empty file", "recorded"])
def test_a_missing_empty_or_real_history_passes(tmp_path, kind):
    history = tmp_path / "h.sqlite"
    if kind == "empty file":
        history.touch()
    elif kind == "recorded":
        record_period(history, {"period": "2026-10", "catalog_version": "c", "params_hash": "h", "scores": PROJECT_ROWS, "portfolio": TOTAL})
    check_history(history)
    assert history.exists() == (kind != "missing"), "checking never creates the file"


def test_a_read_only_history_is_refused_before_any_notebook(settings, immutable, no_notebook_may_run, tmp_path):
    history = tmp_path / "history.sqlite"
    record_period(history, {"period": "2026-10", "catalog_version": "c", "params_hash": "h", "scores": PROJECT_ROWS, "portfolio": TOTAL})
    immutable(history)
    with pytest.raises(SettingsError, match=f"history {history}: cannot be written \\(Operation not permitted\\)"):
        render_period(settings(history_db=history))


def test_a_history_in_a_read_only_folder_is_refused_before_any_notebook(settings, immutable, no_notebook_may_run, tmp_path):
    folder = tmp_path / "state"
    folder.mkdir()
    immutable(folder)
    with pytest.raises(SettingsError, match=f"cannot write to the history's folder {folder}"):
        render_period(settings(history_db=folder / "history.sqlite"))


def test_a_history_under_a_missing_chain_of_folders_is_refused(settings, no_notebook_may_run, tmp_path):
    history = tmp_path / "no" / "such" / "history.sqlite"
    with pytest.raises(SettingsError, match=f"parent folder {tmp_path / 'no'} does not exist"):
        render_period(settings(history_db=history))


# Parameters and catalogs


def test_an_invalid_parameter_file_fails_fast_with_file_line_and_problem(settings, no_notebook_may_run, tmp_path):
    params = tmp_path / "params.yml"
    params.write_text("seed: 1\nhorizon_years: 5\ndiscount_rate: lots\n")
    with pytest.raises(SettingsError) as error:
        render_period(settings(params_file=params))
    assert str(error.value) == f"parameters: {params}:3: discount_rate: expected a number (/year), got 'lots'"
    assert not (tmp_path / "reports").exists(), "nothing is created for a run that cannot start"


def test_the_command_reports_an_invalid_parameter_file_without_running(tmp_path, tiny_portfolio, tiny_notebooks, no_notebook_may_run, monkeypatch):
    monkeypatch.setattr(report_run, "bundled_notebooks_dir", lambda: tiny_notebooks)
    monkeypatch.setattr(report_run, "NOTEBOOKS", ("first.ipynb", "strategy_report.ipynb"))
    params = tmp_path / "params.yml"
    params.write_text("seed: [1, 2\n")
    result = CliRunner().invoke(report, ["--period", "2026-11", "--portfolio", str(tiny_portfolio), "--params", str(params), "--out", str(tmp_path / "reports"), "--no-progress"])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()[1:]
    assert line.startswith(f"lockin report: parameters: {params.absolute()}:") and line.endswith("; nothing was run")


def test_an_invalid_catalog_folder_fails_fast_with_file_and_line(settings, no_notebook_may_run, tmp_path):
    catalog = tmp_path / "our-catalog"
    catalog.mkdir()
    (catalog / "ours.csv").write_text("kind,ecosystem,match_type,match,vendor,layer,family,amd,amd_alternative,note,source\npackage,pypi,exact,ourcorp-cuda,nvidia,library,,fast,,,ours\n")
    with pytest.raises(SettingsError, match=f"catalog: {catalog / 'ours.csv'}:2: .*unknown portability 'fast'"):
        render_period(settings(catalog_dirs=(catalog,)))


def test_a_missing_catalog_folder_is_refused(settings, no_notebook_may_run, tmp_path):
    with pytest.raises(SettingsError, match="catalog folder .*nowhere does not exist"):
        render_period(settings(catalog_dirs=(tmp_path / "nowhere",)))


def test_catalog_folders_reach_the_notebooks_as_absolute_paths(settings, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ours").mkdir()
    parameters = notebook_parameters(report_run._absolute(settings(catalog_dirs=(Path("ours"),))), "2026-11", tmp_path)
    assert parameters["catalog_dirs"] == [str(tmp_path / "ours")]
    assert notebook_parameters(report_run._absolute(settings()), "2026-11", tmp_path)["catalog_dirs"] == []


def test_a_check_failure_is_a_report_error_too(settings, no_notebook_may_run, tmp_path):
    # Callers that catch ReportError (the command before SettingsError existed) still see it.
    with pytest.raises(ReportError):
        render_period(settings(out_dir=tmp_path / "a" / "b"))
