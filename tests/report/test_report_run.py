"""A whole run with small notebooks: outputs, re-runs, failures, the lock, parallel runs."""

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from lockin.report import run as report_run
from lockin.report.command import report
from lockin.report.history import read_history, recorded_periods
from lockin.report.run import LOCK_FILE, ReportError, ReportSettings, clean_up_interrupted_runs, exclusive_lock, render_period

FAILING = ("first.ipynb", "failing.ipynb", "strategy_report.ipynb")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with the hash of its bytes."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.rglob("*")) if path.is_file()}


def leftovers(out_dir: Path) -> list[str]:
    return sorted(path.name for path in out_dir.iterdir() if path.name.startswith((".staging-", ".previous-", ".index-")))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, tiny_notebooks, tiny_portfolio):
    """One successful run, shared by the tests that only look at its outputs."""
    out_dir = tmp_path_factory.mktemp("rendered") / "reports"
    started = time.monotonic()
    outcome = render_period(ReportSettings(period="2026-11", portfolio=tiny_portfolio, out_dir=out_dir, notebooks_dir=tiny_notebooks, notebooks=("first.ipynb", "strategy_report.ipynb"), progress=False))
    return outcome, out_dir, tiny_portfolio, time.monotonic() - started


def test_a_run_writes_the_period_folder(rendered):
    outcome, out_dir, _, seconds = rendered
    folder = out_dir / "2026-11"
    assert outcome.folder == folder
    names = {path.name for path in folder.iterdir()}
    assert {"first.ipynb", "strategy_report.ipynb", "strategy_report.html", "strategy_report.pdf", "period_figures.json", "report.json"} <= names
    assert outcome.pdf.read_bytes().startswith(b"%PDF")
    assert (out_dir / "index.html").is_file() and (out_dir / LOCK_FILE).is_file()
    umask = os.umask(0)
    os.umask(umask)
    assert folder.stat().st_mode & 0o777 == 0o777 & ~umask, "the published folder is as readable as any other"
    assert leftovers(out_dir) == []
    print(f"\nsmall report rendered in {seconds:.1f} s")


def test_the_notebooks_receive_the_six_parameters_as_absolute_paths(rendered):
    _, out_dir, portfolio, _ = rendered
    executed = nbformat.read(out_dir / "2026-11" / "first.ipynb", as_version=4)
    parameters = executed.metadata["papermill"]["parameters"]
    assert set(parameters) == {"period", "portfolio", "params_file", "history_db", "output_dir", "catalog_dirs", "top"}
    assert parameters["catalog_dirs"] == []
    assert parameters["period"] == "2026-11"
    assert parameters["portfolio"] == str(portfolio.absolute())
    assert parameters["params_file"] == ""
    assert parameters["history_db"] == str((out_dir / "history.sqlite").absolute())
    assert Path(parameters["output_dir"]).is_absolute() and Path(parameters["output_dir"]).parent == out_dir.absolute()
    outputs = "".join(output.get("text", "") for cell in executed.cells for output in cell.get("outputs", []))
    assert "inventory for 2026-11" in outputs


def test_the_notebooks_run_in_the_folder_they_are_written_to(tmp_path, render_tiny, tiny_notebooks):
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os, pathlib\npathlib.Path(output_dir, 'cwd.txt').write_text(os.getcwd())")]),
        tiny_notebooks / "cwd.ipynb",
    )
    render_tiny(tmp_path / "out", "2026-11", notebooks=("cwd.ipynb", "strategy_report.ipynb"))
    # The run's staging folder, since swapped in as the period's folder.
    ran_in = Path((tmp_path / "out" / "2026-11" / "cwd.txt").read_text())
    assert ran_in.parent == (tmp_path / "out").absolute() and ran_in.name.startswith(".staging-")


def test_the_period_is_recorded_in_the_history(rendered):
    outcome, out_dir, _, _ = rendered
    assert outcome.history_db == (out_dir / "history.sqlite").absolute()
    history = read_history(outcome.history_db)
    assert list(history["project"]) == ["alpha", "beta", None]
    assert list(history["record"]) == ["project", "project", "portfolio"]
    assert set(history["period"]) == {"2026-11"}


def test_the_report_html_and_pdf_carry_the_notebook_but_not_its_code(rendered):
    outcome, _, _, _ = rendered
    page = outcome.html.read_text()
    assert "Executive summary" in page and "alpha" in page
    assert "read_history" not in page, "code cells must be hidden"
    assert "output_dir" not in page, "parameter cells must be removed"
    text = "\n".join(page.extract_text() for page in PdfReader(outcome.pdf).pages)
    assert "Vendor lock-in strategy report" in text and "2026-11" in text
    assert "Executive summary" in text and "Trend" in text and "beta" in text
    assert "periods in the trend: 1" in text


def test_the_index_links_the_report(rendered):
    _, out_dir, _, _ = rendered
    page = (out_dir / "index.html").read_text()
    for link in ("2026-11/strategy_report.pdf", "2026-11/strategy_report.html", "2026-11/first.ipynb", "2026-11/strategy_report.ipynb"):
        assert f'href="{link}"' in page


def test_rerunning_a_period_replaces_its_folder_and_its_history(tmp_path, render_tiny):
    out_dir = tmp_path / "reports"
    render_tiny(out_dir, "2026-10")
    first = render_tiny(out_dir, "2026-11")
    (first.folder / "stale-marker.txt").write_text("from the first run")
    second = render_tiny(out_dir, "2026-11")
    assert second.folder == first.folder
    assert not (second.folder / "stale-marker.txt").exists()
    assert recorded_periods(second.history_db) == ["2026-10", "2026-11"]
    assert len(read_history(second.history_db)) == 6
    assert leftovers(out_dir) == []
    text = "\n".join(page.extract_text() for page in PdfReader(second.pdf).pages)
    assert "periods in the trend: 2" in text, "the earlier period reaches the notebook through the history"


def test_a_failing_notebook_leaves_everything_as_it_was(tmp_path, render_tiny):
    out_dir = tmp_path / "reports"
    render_tiny(out_dir, "2026-10")
    render_tiny(out_dir, "2026-11")
    before = snapshot(out_dir)
    with pytest.raises(ReportError) as failure:
        render_tiny(out_dir, "2026-11", notebooks=FAILING)
    kept = failure.value.kept
    assert "failing.ipynb failed" in str(failure.value) and "RuntimeError" in str(failure.value)
    assert kept.name == "failing.ipynb" and kept.parent.parent == out_dir / "failed" and kept.parent.name.startswith("2026-11-")
    errors = [output for cell in nbformat.read(kept, as_version=4).cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert errors and errors[0].ename == "RuntimeError" and "deliberate failure" in errors[0].evalue
    assert errors[0].traceback, "the traceback is kept for debugging"
    after = {name: digest for name, digest in snapshot(out_dir).items() if not name.startswith("failed/")}
    assert after == before
    assert leftovers(out_dir) == []


def test_a_failing_first_period_creates_no_report_folder_and_no_history(tmp_path, render_tiny):
    out_dir = tmp_path / "reports"
    with pytest.raises(ReportError):
        render_tiny(out_dir, "2026-12", notebooks=FAILING)
    assert not (out_dir / "2026-12").exists()
    assert not (out_dir / "history.sqlite").exists()
    assert not (out_dir / "index.html").exists()


def test_a_strategy_notebook_without_figures_fails_before_recording(tmp_path, render_tiny):
    out_dir = tmp_path / "reports"
    with pytest.raises(ReportError, match="period_figures.json") as failure:
        render_tiny(out_dir, "2026-11", notebooks=("first.ipynb",))
    assert failure.value.kept.parent == out_dir / "failed"
    assert (failure.value.kept / "first.ipynb").is_file()
    assert str(failure.value.kept / "period_figures.json") in str(failure.value), "the error names the file where it now is"
    assert not (out_dir / "history.sqlite").exists() and not (out_dir / "2026-11").exists()


def test_a_cell_over_the_timeout_fails_the_run(tmp_path, render_tiny):
    started = time.monotonic()
    with pytest.raises(ReportError, match="longer than 2 s") as failure:
        render_tiny(tmp_path / "reports", "2026-11", notebooks=("slow.ipynb", "strategy_report.ipynb"), timeout=2)
    assert time.monotonic() - started < 25
    assert failure.value.kept.name == "slow.ipynb" and failure.value.kept.is_file()


def test_missing_notebooks_are_named_before_anything_runs(tmp_path, render_tiny):
    with pytest.raises(ReportError, match="not found.*nope.ipynb"):
        render_tiny(tmp_path / "reports", "2026-11", notebooks=("nope.ipynb",))
    assert not (tmp_path / "reports").exists()


def test_the_command_prints_the_kept_notebook_and_exits_non_zero(tmp_path, tiny_notebooks, tiny_portfolio, monkeypatch):
    monkeypatch.setattr(report_run, "bundled_notebooks_dir", lambda: tiny_notebooks)
    monkeypatch.setattr(report_run, "NOTEBOOKS", FAILING)
    result = CliRunner().invoke(report, ["--period", "2026-11", "--portfolio", str(tiny_portfolio), "--out", str(tmp_path / "reports"), "--no-progress"])
    assert result.exit_code == 1
    assert result.stdout == ""
    line = next(line for line in result.stderr.splitlines() if "is kept at" in line)
    kept = Path(line.split("is kept at ", 1)[1])
    assert kept.is_file() and kept.name == "failing.ipynb"
    assert "unchanged" in result.stderr


def test_the_command_prints_the_pdf_path_on_success(tmp_path, tiny_notebooks, tiny_portfolio, monkeypatch):
    monkeypatch.setattr(report_run, "bundled_notebooks_dir", lambda: tiny_notebooks)
    monkeypatch.setattr(report_run, "NOTEBOOKS", ("first.ipynb", "strategy_report.ipynb"))
    history = tmp_path / "elsewhere" / "h.sqlite"
    result = CliRunner().invoke(report, ["--period", "2026-Q4", "--portfolio", str(tiny_portfolio), "--out", str(tmp_path / "reports"), "--history", str(history), "--no-progress"])
    assert result.exit_code == 0, result.stderr
    assert Path(result.stdout.strip()) == (tmp_path / "reports" / "2026-Q4" / "strategy_report.pdf").absolute()
    assert recorded_periods(history) == ["2026-Q4"]
    assert not (tmp_path / "reports" / "history.sqlite").exists()


def test_a_second_run_waits_for_the_lock_and_says_so(tmp_path, tiny_notebooks, tiny_portfolio):
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    messages = []
    outcome = {}
    with exclusive_lock(out_dir / LOCK_FILE):
        worker = threading.Thread(target=lambda: outcome.update(result=render_period(
            ReportSettings(period="2026-11", portfolio=tiny_portfolio, out_dir=out_dir, notebooks_dir=tiny_notebooks, notebooks=("first.ipynb", "strategy_report.ipynb"), progress=False),
            say=messages.append,
        )))
        worker.start()
        deadline = time.monotonic() + 10
        while not messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert messages and messages[0].startswith("waiting for another lockin report run")
        time.sleep(0.3)
        assert not (out_dir / "2026-11").exists(), "nothing happens while the lock is held"
    worker.join(timeout=120)
    assert outcome["result"].folder == out_dir / "2026-11"


def test_interrupted_runs_are_cleaned_up_and_a_report_moved_aside_is_restored(tmp_path):
    (tmp_path / ".staging-2026-11-abc").mkdir()
    (tmp_path / ".staging-2026-11-abc" / "x.ipynb").write_text("{}")
    aside = tmp_path / ".previous-2026-10-1234abcd"
    aside.mkdir()
    (aside / "strategy_report.pdf").write_text("old")
    (tmp_path / "2026-09").mkdir()
    (tmp_path / ".previous-2026-09-99999999").mkdir()
    (tmp_path / ".index-x.html.tmp").write_text("")
    clean_up_interrupted_runs(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["2026-09", "2026-10"]
    assert (tmp_path / "2026-10" / "strategy_report.pdf").read_text() == "old"


DRIVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from lockin.report.run import ReportSettings, render_period

    period, portfolio, out_dir, notebooks = sys.argv[1:5]
    outcome = render_period(
        ReportSettings(period=period, portfolio=Path(portfolio), out_dir=Path(out_dir), notebooks_dir=Path(notebooks),
                       notebooks=("first.ipynb", "strategy_report.ipynb"), progress=False),
        say=lambda message: print(message, file=sys.stderr, flush=True),
    )
    print(outcome.folder)
    """
)


def test_parallel_runs_on_one_folder_take_turns_and_leave_it_consistent(tmp_path, tiny_notebooks, tiny_portfolio):
    out_dir = tmp_path / "reports"
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    periods = ["2026-10", "2026-11", "2026-11"]
    processes = [
        subprocess.Popen([sys.executable, str(driver), period, str(tiny_portfolio), str(out_dir), str(tiny_notebooks)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        for period in periods
    ]
    results = [process.communicate(timeout=300) for process in processes]
    for process, (stdout, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr
    waited = sum("waiting for another lockin report run" in stderr for _, stderr in results)
    assert waited >= 1, "at least one run found the folder locked"
    assert sorted(path.name for path in out_dir.iterdir() if not path.name.startswith(".")) == ["2026-10", "2026-11", "history.sqlite", "index.html"]
    assert leftovers(out_dir) == []
    assert recorded_periods(out_dir / "history.sqlite") == ["2026-10", "2026-11"]
    history = read_history(out_dir / "history.sqlite")
    assert len(history) == 6 and not history.duplicated(["period", "project"]).any()
    for period in ("2026-10", "2026-11"):
        figures = json.loads((out_dir / period / "period_figures.json").read_text())
        assert figures["period"] == period
        assert PdfReader(out_dir / period / "strategy_report.pdf").pages
    index = (out_dir / "index.html").read_text()
    assert index.index('href="2026-11/strategy_report.pdf"') < index.index('href="2026-10/strategy_report.pdf"')


def test_an_output_folder_that_cannot_be_written_is_a_clear_error(tmp_path, render_tiny):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(ReportError, match=f"output folder {blocker / 'reports'}: parent {blocker} is not a folder"):
        render_tiny(blocker / "reports", "2026-11")
