"""SIGINT and SIGTERM during ``lockin report``: one line, 130/143, the kernel ended, the folder as it was.

The command runs for real in a subprocess (the ``lockin`` command line,
pointed at small notebooks), with a notebook whose cell sleeps; the signal
is sent once the kernel is inside that cell, which the cell announces by
writing its process id into the run's staging folder (``sleepy.ipynb`` in
conftest).
"""

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lockin.report.history import record_period
from lockin.report.run import Interrupted, SignalGuard

DRIVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from lockin.report import run

    run.bundled_notebooks_dir = lambda: Path(sys.argv[1])
    run.NOTEBOOKS = ("sleepy.ipynb", "strategy_report.ipynb")

    from lockin.cli import main

    main(sys.argv[2:], prog_name="lockin")
    """
)

TOTAL = {"rating": "C", "lockin_ratio": 0.3, "roadblocks": 1, "effort_pm_p10": 1.0, "effort_pm_p50": 2.0, "effort_pm_p90": 3.0, "npv_usd": 5.0, "recommendation": "stay"}


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    """A script that runs the ``lockin`` command line on the small notebooks in its first argument."""
    path = tmp_path_factory.mktemp("driver") / "driver.py"
    path.write_text(DRIVER)
    return path


def snapshot(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder" for path in sorted(folder.rglob("*"))}


def an_earlier_report(out_dir: Path) -> None:
    (out_dir / "2026-10").mkdir(parents=True)
    (out_dir / "2026-10" / "strategy_report.pdf").write_bytes(b"%PDF-1.7 the October report")
    (out_dir / "index.html").write_text("<html>October</html>")
    record_period(out_dir / "history.sqlite", {"period": "2026-10", "catalog_version": "c", "params_hash": "h", "scores": [], "portfolio": TOTAL})


def wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def ended(pid: int) -> bool:
    """Whether process ``pid`` is gone (a zombie waiting to be reaped counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


@pytest.mark.parametrize(("sent", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_ends_the_run_with_one_line_and_leaves_the_folder_as_it_was(tmp_path, driver, tiny_notebooks, tiny_portfolio, sent, status):
    out_dir = tmp_path / "reports"
    an_earlier_report(out_dir)
    before = snapshot(out_dir)
    command = [sys.executable, str(driver), str(tiny_notebooks), "report", "--period", "2026-11", "--portfolio", str(tiny_portfolio), "--out", str(out_dir), "--no-progress"]
    # A session of its own: the signal goes to lockin alone, as `kill PID` or systemd's stop of the main process sends it.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        pid_file = wait_for(lambda: next(out_dir.glob(".staging-2026-11-*/kernel.pid"), None), 120, "the kernel to enter the sleeping cell")
        kernel = int(wait_for(pid_file.read_text, 10, "the kernel's process id"))
        os.kill(process.pid, sent)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == status, stderr
    assert stdout == ""
    lines = stderr.splitlines()
    assert all(line.startswith("lockin report: ") for line in lines), f"only lockin's own lines, no traceback:\n{stderr}"
    assert lines[-1] == f"lockin report: interrupted ({sent.name}); earlier reports, index.html and the history are unchanged"
    assert sum("interrupted" in line for line in lines) == 1
    wait_for(lambda: ended(kernel), 10, f"the kernel (process {kernel}) to end")
    after = snapshot(out_dir)
    after.pop(".lockin-report.lock")  # the one file the run adds, and keeps (see exclusive_lock)
    assert after == before, "no staging folder, no failed/, nothing changed"


def test_a_signal_while_publishing_lets_publishing_finish_then_says_so(tmp_path):
    folder = tmp_path / "2026-11"
    with SignalGuard() as guard:
        with guard.holding():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)  # the handler runs in the main thread, between bytecodes
            folder.mkdir()  # the publishing step went on
        with pytest.raises(Interrupted) as stop:
            guard.raise_held(published=folder)
    assert (stop.value.signal_name, stop.value.exit_status, stop.value.published) == ("SIGTERM", 143, folder)


def test_the_guard_puts_the_previous_handlers_back():
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with SignalGuard():
        assert signal.getsignal(signal.SIGTERM) not in before
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
