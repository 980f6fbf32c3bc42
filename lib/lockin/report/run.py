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

Everything a user can get wrong is checked before the first notebook
starts: the parameters, the catalog folders, the output folder and the
history database. A run stopped by SIGINT or SIGTERM ends its kernel,
removes its staging folder and raises :class:`Interrupted`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockin import __version__
from lockin.errors import LockinError
from lockin.shortlist import DEFAULT_TOP
from lockin.redact import redact
from lockin import resources
from lockin.report.figures import FIGURES_FILE, load_figures
from lockin.report.history import HistoryError, check_history, record_period
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


def bundled_notebooks_dir() -> Path:
    """The report notebooks shipped with lockin."""
    return resources.notebooks_dir()


def sample_portfolio_dir() -> Path:
    """The sample portfolio shipped with lockin."""
    return resources.example_portfolio()


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
    catalog_dirs : tuple of pathlib.Path
        User catalog folders handed to the notebooks (``--catalog``).
    top : int
        Rows of the report's longest tables and figures (``--top``; 0: all).
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
    working_dir : pathlib.Path, optional
        The notebooks' working directory; None (the default) runs them in
        the folder they are written to (the run's staging folder), which
        exists wherever lockin is installed. Every path they receive is
        absolute, and their ``data/…`` defaults name bundled data
        (:func:`lockin.paths.resolve_path`).
    """

    period: str
    portfolio: Path
    out_dir: Path
    params_file: Path | None = None
    catalog_dirs: tuple[Path, ...] = ()
    top: int = DEFAULT_TOP
    history_db: Path | None = None
    timeout: int = DEFAULT_TIMEOUT
    progress: bool = True
    notebooks_dir: Path = field(default_factory=bundled_notebooks_dir)
    notebooks: tuple[str, ...] = NOTEBOOKS
    working_dir: Path | None = None

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


class ReportError(LockinError):
    """A run that failed; the output folder is as it was.

    Attributes
    ----------
    kept : pathlib.Path or None
        The failed notebook (or the failed run's folder) kept for debugging.
    """

    def __init__(self, message: str, kept: Path | None = None) -> None:
        super().__init__(message)
        self.kept = kept


class SettingsError(ReportError):
    """A setting the run cannot work with, found before any notebook ran; nothing was changed."""


class Interrupted(BaseException):
    """SIGINT or SIGTERM stopped the run.

    A BaseException, as KeyboardInterrupt is, so that no ``except
    Exception`` in papermill, nbclient or here turns it into a notebook
    failure on its way out.

    Attributes
    ----------
    signal_name : str
        ``SIGINT`` or ``SIGTERM``.
    exit_status : int
        128 plus the signal's number (130, 143), as a shell reports a
        process the signal ended.
    published : pathlib.Path or None
        The report folder, when the signal came while the finished report
        was being published (which is let finish); None when nothing in the
        output folder changed.
    """

    def __init__(self, signal_number: int, published: Path | None = None) -> None:
        self.signal_name = signal.Signals(signal_number).name
        self.exit_status = 128 + signal_number
        self.published = published
        super().__init__(self.signal_name)


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
    SettingsError
        When a setting is wrong (see :func:`check_settings`); no notebook ran.
    ReportError
        On any failure; ``DIR/<period>/``, ``index.html`` and the history
        are then exactly as before the run.
    Interrupted
        On SIGINT or SIGTERM (when called from the main thread); the
        kernel is ended, the staging folder removed, and the output folder
        and history are as before (unless :attr:`Interrupted.published`).
    """
    started = time.monotonic()
    period = str(parse_period(settings.period))
    settings = _absolute(settings)
    with SignalGuard() as guard:
        check_settings(settings)
        with exclusive_lock(settings.out_dir / LOCK_FILE, say):
            clean_up_interrupted_runs(settings.out_dir)
            folder, index = _render_and_publish(settings, period, say, guard)
    return ReportOutcome(folder, folder / REPORT_HTML, folder / REPORT_PDF, index, settings.history_path, time.monotonic() - started)


def check_settings(settings: ReportSettings) -> None:
    """Everything a run needs that a user gives, checked before any notebook runs.

    Creates the output folder when it is missing but its parent exists;
    changes nothing else.

    Raises
    ------
    SettingsError
        With one line naming the file or folder and the problem.
    """
    _require_notebooks(settings)
    _require_valid_parameters(settings.params_file)
    _require_valid_catalogs(settings.catalog_dirs)
    _require_usable_output_folder(settings.out_dir)
    _require_usable_history(settings.history_path)
    # Only once everything passed, so a refused run leaves no empty folder behind.
    _create_output_folder(settings.out_dir)


class SignalGuard:
    """Turns SIGINT and SIGTERM into :class:`Interrupted` while a run is on.

    Only the first signal interrupts: one arriving while the run cleans up
    after the first (a second Ctrl-C, say) is let wait, so the kernel is
    still ended and the staging folder still removed. Inside
    :meth:`holding`, a signal waits until the block is done.

    Signal handlers can only be set from the main thread; elsewhere (a run
    in a worker thread) the guard does nothing.
    """

    _SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self._previous: dict[int, Any] = {}
        self._interrupted = False
        self._holding = False
        self._held: int | None = None

    def __enter__(self) -> SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for number in self._SIGNALS:
                self._previous[number] = signal.signal(number, self._on_signal)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _on_signal(self, number: int, frame: object) -> None:
        if self._interrupted or self._holding:
            self._held = self._held or number
            return
        self._interrupted = True
        raise Interrupted(number)

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Let a signal wait until the block is done (publishing is all or nothing)."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    def raise_held(self, published: Path) -> None:
        """Raise :class:`Interrupted` for a signal that waited for :meth:`holding`."""
        if self._held is not None and not self._interrupted:
            self._interrupted = True
            raise Interrupted(self._held, published=published)


def _render_and_publish(settings: ReportSettings, period: str, say: Callable[[str], None], guard: SignalGuard) -> tuple[Path, Path]:
    """Build the report in a staging folder, then record and publish it; keep it aside on failure.

    An interrupted run's staging folder is removed, not kept under
    ``failed/``: nothing failed that needs debugging, and a timer stopped at
    every shutdown would otherwise fill ``failed/`` with half-run notebooks.
    """
    rendered_at = dt.datetime.now(dt.UTC)
    try:
        staging = make_staging_folder(settings.out_dir, period)
    except OSError as error:
        raise ReportError(f"cannot write to the output folder {settings.out_dir}: {error.strerror or error}") from error
    try:
        _build_report(settings, period, staging, rendered_at, say)
        figures = load_figures(staging / FIGURES_FILE, expected_period=period)
        with guard.holding():
            record_period(settings.history_path, figures, rendered_at=rendered_at)
            folder = swap_into_place(staging, settings.out_dir / period)
            index = write_index(settings.out_dir)
        guard.raise_held(published=folder)
        return folder, index
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


def notebook_parameters(settings: ReportSettings, period: str, output_dir: Path) -> dict[str, Any]:
    """The parameters every notebook receives (strings, and a list of strings; paths absolute)."""
    return {
        "period": period,
        "portfolio": str(settings.portfolio),
        "params_file": str(settings.params_file) if settings.params_file else "",
        "history_db": str(settings.history_path),
        "output_dir": str(output_dir),
        "catalog_dirs": [str(folder) for folder in settings.catalog_dirs],
        "top": settings.top,
    }


def execute_notebook(source: Path, target: Path, parameters: dict[str, Any], settings: ReportSettings, kernel_name: str) -> None:
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
            cwd=str(settings.working_dir or target.parent),
            execution_timeout=settings.timeout,
            progress_bar=settings.progress,
            request_save_on_cell_execute=True,
            log_output=False,
            # papermill has the executed notebook by the time the kernel
            # goes, so there is nothing to wait for. A graceful shutdown of
            # a kernel still in a cell (an interrupted run) takes seconds and
            # makes it print ZMQ tracebacks on our standard error.
            shutdown_kernel="immediate",
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
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise ReportError(f"cannot open the lock file {path}: {error.strerror or error}") from error
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
        "catalog_dirs": tuple(absolute(folder) for folder in settings.catalog_dirs),
        "history_db": absolute(settings.history_db),
        "notebooks_dir": absolute(settings.notebooks_dir),
        "working_dir": absolute(settings.working_dir),
    }
    return dataclasses.replace(settings, **changes)


def _require_usable_output_folder(out_dir: Path) -> None:
    """``out_dir`` can be written by a run, or created if only it is missing; nothing is changed.

    A chain of missing folders is refused: it is more likely a typing slip
    than a wish, and creating it would hide the report where nobody looks.
    """
    if not out_dir.exists():
        _require_parent_folder(out_dir, "output folder")
        _require_writable_folder(out_dir.parent, "the folder that would hold the output folder")
        return
    if not out_dir.is_dir():
        raise SettingsError(f"the output folder {out_dir} is not a folder")
    _require_writable_folder(out_dir, "the output folder")
    lock = out_dir / LOCK_FILE
    if lock.exists():
        # The lock is opened for writing; a read-only one would fail only then.
        try:
            with lock.open("r+b"):
                pass
        except OSError as error:
            raise SettingsError(f"cannot write the lock file {lock}: {error.strerror or error}") from error


def _create_output_folder(out_dir: Path) -> None:
    try:
        out_dir.mkdir(exist_ok=True)
    except OSError as error:
        raise SettingsError(f"cannot create the output folder {out_dir}: {error.strerror or error}") from error


def _require_parent_folder(path: Path, what: str) -> None:
    from lockin.paths import parent_folder_problem

    if problem := parent_folder_problem(path):
        raise SettingsError(f"{what} {path}: {problem}")


def _require_writable_folder(folder: Path, what: str) -> None:
    # A file actually created and removed answers for ACLs, read-only mounts
    # and immutable folders, and for root, where the mode bits do not.
    try:
        with tempfile.NamedTemporaryFile(prefix=".lockin-probe-", dir=folder):
            pass
    except OSError as error:
        raise SettingsError(f"cannot write to {what} {folder}: {error.strerror or error}") from error


def _require_usable_history(path: Path) -> None:
    """The history file, if there, is a lockin history lockin can write, and its folder is writable."""
    folder = path.parent
    if folder.exists():
        if not folder.is_dir():
            raise SettingsError(f"history {path}: {folder} is not a folder")
        _require_writable_folder(folder, "the history's folder")
    else:
        # Recording creates the history's own folder, like the output folder; not a chain.
        _require_parent_folder(folder, "history folder")
        _require_writable_folder(folder.parent, "the folder that would hold the history's folder")
    try:
        check_history(path)
    except HistoryError as error:
        raise SettingsError(str(error)) from error


def _require_valid_parameters(params_file: Path | None) -> None:
    from lockin.records import InputError
    from lockin.scoring.parameters import load_parameters

    if params_file is None:
        return
    try:
        load_parameters(params_file)
    except InputError as error:
        raise SettingsError(f"parameters: {error}") from error


def _require_valid_catalogs(catalog_dirs: tuple[Path, ...]) -> None:
    from lockin.catalog import load_catalog
    from lockin.records import InputError

    for folder in catalog_dirs:
        if not folder.is_dir():
            raise SettingsError(f"catalog folder {folder} does not exist or is not a folder")
    try:
        load_catalog(catalog_dirs)
    except InputError as error:
        raise SettingsError(f"catalog: {error}") from error


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
