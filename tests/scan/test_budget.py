"""Per-file time and memory budgets (issue 18, part 1): a file that would hang, a file that would
exhaust memory and a file that kills its reader process are stopped and listed as skipped, and the
rest of the portfolio is scanned — in the scanning process (-j 1) and in worker processes.

The hostile readers are throwaway formats registered for these tests: the bounds must hold
whatever a reader does, so they are tested with readers that misbehave on purpose."""

import os
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lockin.cli import main
from lockin.records import ReadResult
from lockin.scan import ScanOptions, formats, pipeline, scan
from lockin.scan.formats import Format

#: Memory the greedy reader tries to take (in 64 MB chunks): far above the tests' budget.
GREEDY_CHUNKS = 24
BUDGET_MB = 256


def read_forever(text: str, path: str) -> ReadResult:
    while True:  # a reader in a loop it never leaves
        pass


def read_greedy(text: str, path: str) -> ReadResult:
    chunks = [bytearray(64 * 1024 * 1024) for _ in range(GREEDY_CHUNKS)]  # 1.5 GB
    return ReadResult(evidence=[], problems=[]) if chunks else ReadResult()


def read_and_die(text: str, path: str) -> ReadResult:
    os.kill(os.getpid(), signal.SIGKILL)  # the process is killed, as the system's OOM killer does
    return ReadResult()


def read_deaf(text: str, path: str) -> ReadResult:
    # Blocks the timer's signal, as code in C that never returns to Python does: only the
    # scan's watchdog can stop it.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(600)
    return ReadResult()


HOSTILE = {"hang": read_forever, "greedy": read_greedy, "die": read_and_die, "deaf": read_deaf}


@pytest.fixture(autouse=True)
def hostile_formats():
    for name, reader in HOSTILE.items():
        formats.register(Format(f"test-{name}", reader, f"test {name} reader", suffixes=(f".{name}",)))
    yield
    for name in HOSTILE:
        formats.unregister(f"test-{name}")


def portfolio(root: Path, hostile: list[str], clean_files: int = 3) -> Path:
    project = root / "p"
    project.mkdir(parents=True)
    for i in range(clean_files):
        (project / f"requirements-{i}.txt").write_text("torch==2.3.0\n")
    for name in hostile:
        (project / f"input.{name}").write_text("x\n")
    return project


def skipped_reasons(result) -> dict[str, str]:
    return dict(zip(result.skipped["path"], result.skipped["reason"]))


def test_a_file_that_would_hang_is_stopped_and_listed_and_the_rest_scanned(tmp_path):
    project = portfolio(tmp_path, ["hang"])
    result = scan([project], ScanOptions(project_name="p", jobs=1, progress=False, file_seconds=1))
    assert skipped_reasons(result) == {"input.hang": "not read: took longer than 1 s (--file-timeout)"}
    assert sorted(result.findings.query("name == 'torch'")["path"]) == [f"requirements-{i}.txt" for i in range(3)]


def test_a_file_that_would_exhaust_memory_is_stopped_and_listed_and_the_rest_scanned(tmp_path):
    project = portfolio(tmp_path, ["greedy"])
    result = scan([project], ScanOptions(project_name="p", jobs=1, progress=False, file_memory_mb=BUDGET_MB))
    assert skipped_reasons(result) == {"input.greedy": f"not read: needed more than {BUDGET_MB} MB (--file-memory)"}
    assert len(result.findings.query("name == 'torch'")) == 3


def test_the_budget_is_lifted_after_each_file(tmp_path):
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    scan([portfolio(tmp_path, ["greedy", "hang"])], ScanOptions(project_name="p", jobs=1, progress=False, file_seconds=1, file_memory_mb=BUDGET_MB))
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_in_worker_processes_hostile_files_are_stopped_and_dead_workers_replaced(tmp_path, monkeypatch):
    """With workers, a file that kills its process or ignores the timer is found by the watchdog,
    listed, and the other files of its batch are read by a new worker."""
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(pipeline, "WATCHDOG_GRACE_SECONDS", 2.0)
    project = portfolio(tmp_path, ["hang", "greedy", "die", "deaf"], clean_files=12)
    result = scan([project], ScanOptions(project_name="p", jobs=2, progress=False, file_seconds=1, file_memory_mb=BUDGET_MB))
    reasons = skipped_reasons(result)
    assert reasons["input.hang"] == "not read: took longer than 1 s (--file-timeout)"
    assert reasons["input.greedy"] == f"not read: needed more than {BUDGET_MB} MB (--file-memory)"
    assert reasons["input.die"] == "not read: its reader process died (out of memory or a crash); the worker was replaced"
    assert reasons["input.deaf"] == "not read: took longer than 1 s (--file-timeout); its worker process was stopped"
    assert len(result.findings.query("name == 'torch'")) == 12, "every other file is read"


def test_the_bounds_are_options_of_the_commands(tmp_path):
    project = portfolio(tmp_path, ["hang"])
    result = CliRunner().invoke(main, ["scan", str(project), "--project", "p", "-j", "1", "--file-timeout", "1", "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shown = result.stdout + result.stderr  # the table lists skipped inputs; other formats name them on stderr
    assert "input.hang" in shown and "took longer than 1 s" in shown
    assert "torch" in result.stdout
