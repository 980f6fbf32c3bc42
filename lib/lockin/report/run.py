"""One ``lockin report`` run: execute the notebooks, render, record, publish.

A run must never leave the output folder worse than it found it. So all
work happens in a staging folder inside the output folder (same file
system, so the final move is a rename), and only once every notebook ran
and the HTML and PDF exist does the run record the period in the history,
swap the staging folder in as ``DIR/<period>/`` and rewrite ``index.html``.
A failure keeps the staging folder, failed notebook and all, under
``DIR/failed/<period>-<time>/`` and touches nothing else. The whole run
holds an exclusive lock on ``DIR/.lockin-report.lock``, so two runs on one
folder (a timer and a person, say) take turns instead of interleaving.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockin import __version__
from lockin.redact import redact
from lockin.paths import REPOSITORY_ROOT
from lockin.report.figures import FIGURES_FILE, load_figures
from lockin.report.history import record_period
from lockin.report.kernel import kernel_manager_options, report_kernel_name
from lockin.report.periods import parse_period
from lockin.report.render import render_strategy_report
from lockin.report.site import REPORT_HTML, REPORT_PDF, write_index, write_manifest

#: The notebooks a report executes, in order; the last one is the report.
NOTEBOOKS = (
    "01_inventory.ipynb",
    "02_hardware.ipynb",
    "03_lockin.ipynb",
    "04_economics.ipynb",
    "strategy_report.ipynb",
)

#: Default history database, inside the output folder.
HISTORY_FILE = "history.sqlite"

#: Lock file that serializes runs on one output folder.
LOCK_FILE = ".lockin-report.lock"

#: Where failed runs are kept, inside the output folder.
FAILED_DIR = "failed"

#: Default per-cell execution timeout, in seconds.
DEFAULT_TIMEOUT = 600

_STAGING_PREFIX = ".staging-"
_PREVIOUS_PREFIX = ".previous-"


def repository_root() -> Path:
    """The lockin checkout (the folder holding ``lib/``, ``notebooks/``, ``data/``)."""
    return REPOSITORY_ROOT


def bundled_notebooks_dir() -> Path:
    """The report notebooks shipped in the checkout."""
    return repository_root() / "notebooks"


def sample_portfolio_dir() -> Path:
    """The sample portfolio shipped in the checkout."""
    return repository_root() / "data" / "portfolio"


@dataclass(frozen=True)
class ReportSettings:
    """What one run renders, from what, to where.

    Attributes
    ----------
    period : str
        ``YYYY-MM`` or ``YYYY-Qn`` (``auto`` is resolved by the caller).
    portfolio : pathlib.Path
    out_dir : pathlib.Path
        Receives ``<period>/``, ``index.html``, ``failed/`` and the lock.
    params_file : pathlib.Path, optional
        Scoring parameters (YAML) handed to the notebooks.
    history_db : pathlib.Path, optional
        Defaults to ``out_dir/history.sqlite``.
    timeout : int
        Seconds one cell may run.
    progress : bool
        Show papermill's progress bar on standard error.
    notebooks_dir : pathlib.Path
        Where :attr:`notebooks` are (tests point it at small ones).
    notebooks : tuple of str
        Executed in order; the last one is rendered to HTML and PDF and
        must write ``period_figures.json``.
    working_dir : pathlib.Path
        The notebooks' working directory (the checkout, so relative paths
        in them mean the same in JupyterLab and here).
    """

    period: str
    portfolio: Path
    out_dir: Path
    params_file: Path | None = None
    history_db: Path | None = None
    timeout: int = DEFAULT_TIMEOUT
    progress: bool = True
    notebooks_dir: Path = field(default_factory=bundled_notebooks_dir)
    notebooks: tuple[str, ...] = NOTEBOOKS
    working_dir: Path = field(default_factory=repository_root)

    @property
    def history_path(self) -> Path:
        """The history database this run records into."""
        return (self.history_db or self.out_dir / HISTORY_FILE).absolute()


@dataclass(frozen=True)
class ReportOutcome:
    """Where a successful run put things."""

    folder: Path
    html: Path
    pdf: Path
    index: Path
    history_db: Path
    seconds: float


class ReportError(Exception):
    """A run that failed; the output folder is as it was.

    Attributes
    ----------
    kept : pathlib.Path or None
        The failed notebook (or the failed run's folder) kept for debugging.
    """

    def __init__(self, message: str, kept: Path | None = None) -> None:
        super().__init__(message)
        self.kept = kept


class NotebookFailed(Exception):
    """A notebook raised, timed out or lost its kernel."""

    def __init__(self, notebook: str, reason: str) -> None:
        super().__init__(f"{notebook} failed: {reason}")
        self.notebook = notebook
        self.reason = reason


def render_period(settings: ReportSettings, say: Callable[[str], None] = lambda message: None) -> ReportOutcome:
    """Run the notebooks for one period and publish the report.

    Parameters
    ----------
    settings : ReportSettings
    say : callable
        Receives progress and waiting messages (the command sends them to
        standard error).

    Returns
    -------
    ReportOutcome

    Raises
    ------
    ReportError
        On any failure; ``DIR/<period>/``, ``index.html`` and the history
        are then exactly as before the run.
    """
    started = time.monotonic()
    period = str(parse_period(settings.period))
    settings = _absolute(settings)
    _require_notebooks(settings)
    _prepare_output_folder(settings.out_dir)
    with exclusive_lock(settings.out_dir / LOCK_FILE, say):
        clean_up_interrupted_runs(settings.out_dir)
        folder, index = _render_and_publish(settings, period, say)
    return ReportOutcome(folder, folder / REPORT_HTML, folder / REPORT_PDF, index, settings.history_path, time.monotonic() - started)


def _render_and_publish(settings: ReportSettings, period: str, say: Callable[[str], None]) -> tuple[Path, Path]:
    """Build the report in a staging folder, then record and publish it; keep it aside on failure."""
    rendered_at = dt.datetime.now(dt.UTC)
    staging = make_staging_folder(settings.out_dir, period)
    try:
        _build_report(settings, period, staging, rendered_at, say)
        record_period(settings.history_path, load_figures(staging / FIGURES_FILE, expected_period=period), rendered_at=rendered_at)
        folder = swap_into_place(staging, settings.out_dir / period)
        return folder, write_index(settings.out_dir)
    except NotebookFailed as failure:
        kept = keep_failed_run(staging, settings.out_dir, period, rendered_at)
        raise ReportError(redact(str(failure)), kept=kept / failure.notebook) from failure
    except Exception as error:
        message = f"{type(error).__name__}: {error}"
        kept = keep_failed_run(staging, settings.out_dir, period, rendered_at) if staging.exists() else None
        if kept is not None:
            # The message may name files in the staging folder, which now has another name.
            message = message.replace(str(staging), str(kept))
        raise ReportError(redact(message), kept=kept) from error
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _build_report(settings: ReportSettings, period: str, staging: Path, rendered_at: dt.datetime, say: Callable[[str], None]) -> None:
    """Everything that happens in the staging folder: notebooks, HTML, PDF, manifest."""
    execute_notebooks(settings, period, staging, say)
    say("rendering HTML and PDF")
    render_strategy_report(
        staging / settings.notebooks[-1],
        staging / REPORT_HTML,
        staging / REPORT_PDF,
        period=period,
        rendered_on=rendered_at.astimezone().date(),
    )
    write_manifest(staging, period=period, rendered_at=rendered_at, notebooks=list(settings.notebooks), extra={"lockin_version": __version__})


def execute_notebooks(settings: ReportSettings, period: str, output_dir: Path, say: Callable[[str], None]) -> None:
    """Execute every notebook in order into ``output_dir`` with papermill.

    Raises
    ------
    NotebookFailed
        At the first notebook that fails; its executed copy, with the
        traceback in the failing cell, is in ``output_dir``.
    """
    kernel_name = report_kernel_name()
    parameters = notebook_parameters(settings, period, output_dir)
    for number, name in enumerate(settings.notebooks, start=1):
        say(f"[{number}/{len(settings.notebooks)}] {name}")
        execute_notebook(settings.notebooks_dir / name, output_dir / name, parameters, settings, kernel_name)


def notebook_parameters(settings: ReportSettings, period: str, output_dir: Path) -> dict[str, str]:
    """The parameters every notebook receives (all strings, paths absolute)."""
    return {
        "period": period,
        "portfolio": str(settings.portfolio),
        "params_file": str(settings.params_file) if settings.params_file else "",
        "history_db": str(settings.history_path),
        "output_dir": str(output_dir),
    }


def execute_notebook(source: Path, target: Path, parameters: dict[str, str], settings: ReportSettings, kernel_name: str) -> None:
    """Execute one notebook with papermill, turning every failure into :class:`NotebookFailed`."""
    import papermill

    try:
        papermill.execute_notebook(
            _literal(source),
            _literal(target),
            parameters=parameters,
            kernel_name=kernel_name,
            # The parameters are injected as Python even into a notebook
            # saved without kernel metadata.
            language="python",
            cwd=str(settings.working_dir),
            execution_timeout=settings.timeout,
            progress_bar=settings.progress,
            request_save_on_cell_execute=True,
            log_output=False,
            **kernel_manager_options(),
        )
    except papermill.PapermillExecutionError as error:
        raise NotebookFailed(source.name, f"{error.ename}: {error.evalue} (in cell [{error.exec_count}], the notebook's cell {error.cell_index + 1})") from error
    except TimeoutError as error:
        raise NotebookFailed(source.name, f"a cell ran longer than {settings.timeout} s (--timeout)") from error
    except Exception as error:
        raise NotebookFailed(source.name, f"{type(error).__name__}: {error}") from error


@contextmanager
def exclusive_lock(path: Path, say: Callable[[str], None] = lambda message: None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing), waiting for it if need be.

    The lock file itself is never removed: removing it while another run
    waits on it would let a third run lock a new file and go ahead.
    """
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another lockin report run on {path.parent} to finish (lock {path})")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        # Closing the descriptor releases the lock.
        os.close(descriptor)


def make_staging_folder(out_dir: Path, period: str) -> Path:
    """A fresh hidden folder in ``out_dir`` for one run's work.

    Not tempfile.mkdtemp: its folders are private (mode 0700), and this one
    becomes the published report folder, which a web server must read.
    """
    while True:
        staging = out_dir / f"{_STAGING_PREFIX}{period}-{uuid.uuid4().hex[:12]}"
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        return staging


def swap_into_place(staging: Path, final: Path) -> Path:
    """Make ``staging`` the report folder ``final``, replacing any earlier one.

    Each step is a rename within one folder; if putting the new folder in
    place fails, the earlier one is put back.

    Returns
    -------
    pathlib.Path
        ``final``.
    """
    previous = final.with_name(f"{_PREVIOUS_PREFIX}{final.name}-{uuid.uuid4().hex[:8]}") if final.exists() else None
    if previous is not None:
        os.rename(final, previous)
    try:
        os.rename(staging, final)
    except BaseException:
        if previous is not None:
            os.rename(previous, final)
        raise
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
    return final


def keep_failed_run(staging: Path, out_dir: Path, period: str, started: dt.datetime) -> Path:
    """Move a failed run's staging folder to ``out_dir/failed/<period>-<time>/``.

    Returns
    -------
    pathlib.Path
        The kept folder.
    """
    failed_root = out_dir / FAILED_DIR
    failed_root.mkdir(exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    kept = failed_root / f"{period}-{stamp}"
    suffix = 1
    while kept.exists():
        suffix += 1
        kept = failed_root / f"{period}-{stamp}-{suffix}"
    os.rename(staging, kept)
    return kept


def clean_up_interrupted_runs(out_dir: Path) -> None:
    """Undo what a run killed half-way (power cut, SIGKILL) left behind.

    Only called with the lock held, so no other run is using these:
    staging folders are abandoned work, and a report folder moved aside
    but never replaced is moved back.
    """
    for path in out_dir.iterdir():
        if path.name.startswith(_STAGING_PREFIX) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(_PREVIOUS_PREFIX) and path.is_dir():
            period = path.name.removeprefix(_PREVIOUS_PREFIX).rsplit("-", 1)[0]
            original = out_dir / period
            if original.exists():
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.rename(path, original)
        elif path.name.startswith(".index-") and path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)


def _absolute(settings: ReportSettings) -> ReportSettings:
    # Notebooks run in another working directory: every path they get must
    # be absolute. absolute(), not resolve(): keep the user's symlinks.
    def absolute(path: Path | None) -> Path | None:
        return None if path is None else Path(path).expanduser().absolute()

    changes: dict[str, Any] = {
        "portfolio": absolute(settings.portfolio),
        "out_dir": absolute(settings.out_dir),
        "params_file": absolute(settings.params_file),
        "history_db": absolute(settings.history_db),
        "notebooks_dir": absolute(settings.notebooks_dir),
        "working_dir": absolute(settings.working_dir),
    }
    return dataclasses.replace(settings, **changes)


def _prepare_output_folder(out_dir: Path) -> None:
    # Creating the lock file up front turns an unwritable folder into one
    # clear error instead of a traceback from deep inside the run.
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / LOCK_FILE).touch(exist_ok=True)
    except OSError as error:
        raise ReportError(f"cannot write to the output folder {out_dir}: {error.strerror or error}") from error


def _require_notebooks(settings: ReportSettings) -> None:
    if not settings.notebooks:
        raise ReportError("no notebooks to execute")
    missing = [name for name in settings.notebooks if not (settings.notebooks_dir / name).is_file()]
    if missing:
        raise ReportError(f"notebook(s) not found in {settings.notebooks_dir}: {', '.join(missing)}")


def _literal(path: Path) -> str:
    # papermill formats paths with str.format (for "{period}" templates);
    # braces in a real folder name must survive that.
    return str(path).replace("{", "{{").replace("}", "}}")
