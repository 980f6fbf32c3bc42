"""The scan: a portfolio in, findings, components and skipped inputs out.

:class:`ScanStream` yields one :class:`~lockin.scan.reading.FileOutcome` per file
(in walk order, so output is deterministic); it holds back one project's
outcomes at a time, until the project's own names are known
(:mod:`~lockin.scan.ownership`), so memory grows with the largest project,
not with the portfolio. :func:`scan` collects the stream into DataFrames
for the notebooks and the scoring.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import itertools
import multiprocessing
import os
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING
from tqdm import tqdm

from lockin.catalog import Catalog, load_catalog
from lockin.scan.budget import DEFAULT_MEMORY_MB, DEFAULT_SECONDS, FileBudget
from lockin.scan.discover import DEFAULT_MAX_FILE_BYTES, UNREADABLE_FOLDER, InputFile, Project, find_projects, walk_project
from lockin.scan import formats
from lockin.scan.reading import SCAN_GC_THRESHOLD, FileOutcome, FileReader, adopt_reader, init_worker, read_batch_in_worker
from lockin.records import COMPONENT_COLUMNS, DEFINITION_COLUMNS, FINDING_COLUMNS, PORTFOLIO_RECORD, REGION_COLUMNS, SKIPPED_COLUMNS, InputError, Problem
from lockin.output import FindingRenderer
from lockin.scan.ownership import OwnNames, dropped_counts
from lockin.errors import quote
from lockin.redact import redact
from lockin.scan.summary import SummaryBuilder, tally_findings

if TYPE_CHECKING:  # imported where frames are built: JSON/CSV scans never need pandas
    from concurrent.futures import Future

    import pandas as pd

#: How the reader's skip reasons for a file it could not open begin
#: (:meth:`~lockin.scan.reading.FileReader.read`).
UNREADABLE_FILE_PREFIXES = ("permission denied", "cannot read:")

_KIND, _NAME = FINDING_COLUMNS.index("kind"), FINDING_COLUMNS.index("name")

#: Below this many files, worker start-up costs more than it saves.
PARALLEL_THRESHOLD = 400

#: Files a worker reads per task: enough that sending a task costs little
#: next to reading its files, few enough that the workers finish together.
WORKER_BATCH = 16

#: Tasks sent ahead of the results read back, per worker.
BATCHES_IN_FLIGHT_PER_WORKER = 4


@dataclass
class ScanOptions:
    """How to scan. ``jobs=0`` means one worker per CPU."""

    target: str = "amd"
    catalog_dirs: Sequence[str | Path] = ()
    project_name: str | None = None
    jobs: int = 0
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    #: Seconds and megabytes one file may take (0: unbounded; see lockin.scan.budget).
    file_seconds: float = DEFAULT_SECONDS
    file_memory_mb: int = DEFAULT_MEMORY_MB
    progress: bool | None = None  # None: only when stderr is a terminal
    render: str | None = None  # "json"/"csv": findings arrive as text (see FileReader)


@dataclass
class ScanResult:
    """Everything a scan found, as DataFrames (see ``records`` for columns)."""

    findings: pd.DataFrame
    components: pd.DataFrame
    skipped: pd.DataFrame
    inputs: pd.DataFrame
    summary: pd.DataFrame
    target: str
    catalog_version: str
    projects: list[Project] = field(default_factory=list)
    #: Names each project defines itself (``records.DEFINITION_COLUMNS``).
    definitions: pd.DataFrame | None = None
    #: Line ranges with a role: function bodies, target-vendor paths (``records.REGION_COLUMNS``).
    regions: pd.DataFrame | None = None
    #: Findings set aside as the project's own names, per project, kind and name
    #: (``ownership.DROPPED_COLUMNS``).
    own_names_dropped: pd.DataFrame | None = None

    def __post_init__(self):
        # Always frames with their columns, also for a result built by hand.
        import pandas as pd

        if self.definitions is None:
            self.definitions = pd.DataFrame(columns=list(DEFINITION_COLUMNS)).astype({"line": "Int64"})
        if self.regions is None:
            self.regions = pd.DataFrame(columns=list(REGION_COLUMNS)).astype({"start": "int64", "end": "int64"})
        if self.own_names_dropped is None:
            self.own_names_dropped = dropped_counts(collections.Counter())


def scan(paths: Iterable[str | Path], options: ScanOptions | None = None, catalog: Catalog | None = None) -> ScanResult:
    """Scan portfolios (or single projects) and collect the results.

    Parameters
    ----------
    paths : iterable of path
        Portfolio folders; with ``options.project_name``, project folders.
    options : ScanOptions, optional
    catalog : Catalog, optional
        A loaded catalog; by default the bundled one plus ``options.catalog_dirs``.

    Returns
    -------
    ScanResult
    """
    options = options or ScanOptions()
    catalog = catalog or load_catalog(options.catalog_dirs)
    return collect(ScanStream(paths, options, catalog))


def collect(stream: ScanStream) -> ScanResult:
    """Run a scan stream to its end and gather its outcomes into a ScanResult."""
    import pandas as pd

    options, catalog = stream.options, stream.catalog
    findings, components, inputs, definitions, regions = [], [], [], [], []
    summary = SummaryBuilder(options.target)
    for outcome in stream:
        findings.extend(outcome.findings)
        components.extend(outcome.components)
        definitions.extend(outcome.definitions)
        regions.extend(outcome.regions)
        if not outcome.skipped:
            inputs.append((outcome.project, outcome.path, ",".join(outcome.formats), outcome.size, outcome.sha256, outcome.lines))
        summary.add(outcome)
    summary.add_skips(stream.all_skips)
    return ScanResult(
        findings=pd.DataFrame.from_records(findings, columns=list(FINDING_COLUMNS)).astype({"line": "Int64"}),
        components=pd.DataFrame.from_records(components, columns=list(COMPONENT_COLUMNS)).astype({"line": "Int64"}),
        skipped=skipped_frame(stream.all_skips),
        inputs=pd.DataFrame.from_records(inputs, columns=["project", "path", "formats", "bytes", "sha256", "lines"]),
        summary=summary.frame([p.name for p in stream.projects], incomplete=stream.incomplete()),
        target=options.target,
        catalog_version=catalog.version,
        projects=stream.projects,
        definitions=pd.DataFrame.from_records(definitions, columns=list(DEFINITION_COLUMNS)).astype({"line": "Int64"}),
        regions=pd.DataFrame.from_records(regions, columns=list(REGION_COLUMNS)).astype({"start": "int64", "end": "int64"}),
        own_names_dropped=dropped_counts(stream.own_names_dropped),
    )


def incomplete_reasons(skips: Iterable[tuple[str, Problem]], projects: Sequence[str]) -> dict[str, str]:
    """Why each project's scan is incomplete: its folders or input files that
    could not be read ("" for a complete project).

    Parameters
    ----------
    skips : iterable of (project, Problem)
    projects : sequence of str

    Returns
    -------
    dict
        Project name to a short reason such as ``"2 unreadable folder(s)"``.
    """
    folders: collections.Counter = collections.Counter()
    files: collections.Counter = collections.Counter()
    for project, problem in skips:
        if problem.message.startswith(UNREADABLE_FOLDER):
            folders[project] += 1
        elif problem.message.startswith(UNREADABLE_FILE_PREFIXES):
            files[project] += 1
    reasons = {}
    for name in projects:
        parts = [f"{folders[name]} unreadable folder(s)"] * bool(folders[name]) + [f"{files[name]} unreadable file(s)"] * bool(files[name])
        reasons[name] = ", ".join(parts)
    return reasons


def incomplete_column(scan: ScanResult, projects: Iterable[str | None]) -> list[str]:
    """The ``incomplete`` value of each named project of a scan's summary; None stands for the totals."""
    summary = scan.summary
    if "incomplete" not in summary:
        return ["" for _ in projects]
    is_total = summary["record"] == PORTFOLIO_RECORD
    known = dict(zip(summary.loc[~is_total, "project"], summary.loc[~is_total, "incomplete"]))
    total = str(summary.loc[is_total, "incomplete"].iloc[0]) if is_total.any() else ""
    return [total if name is None else known.get(name, "") for name in projects]


def skipped_frame(skips: Iterable[tuple[str, Problem]]) -> pd.DataFrame:
    import pandas as pd

    rows = [(project, p.path, p.line, redact(p.message)) for project, p in skips]
    return pd.DataFrame.from_records(rows, columns=list(SKIPPED_COLUMNS)).astype({"line": "Int64"})


class ScanStream:
    """Iterate over the outcomes of a scan, one per file, in walk order.

    After iteration, ``walk_skips`` holds what the walk itself skipped
    (links out of the tree, oversized files, third-party folders) and
    ``all_skips`` every skipped input and problem, each with its project.

    The project's own names are not evidence (:mod:`~lockin.scan.ownership`):
    a project's outcomes are held back until all its files are read, then
    yielded without the findings its definitions set aside, which
    ``own_names_dropped`` counts per (project, kind, name).
    """

    def __init__(self, paths: Iterable[str | Path], options: ScanOptions, catalog: Catalog):
        self.options = options
        self.catalog = catalog
        self.projects = _projects(paths, options.project_name)
        self.walk_skips: list[tuple[str, Problem]] = []
        self.file_skips: list[tuple[str, Problem]] = []
        self.own_names_dropped: collections.Counter = collections.Counter()
        self._own_names: dict[str, OwnNames] = {}
        self._renderer = FindingRenderer(options.render) if options.render else None
        self.budget = FileBudget(options.file_seconds, options.file_memory_mb)

    @property
    def all_skips(self) -> list[tuple[str, Problem]]:
        return self.walk_skips + self.file_skips

    def incomplete(self) -> dict[str, str]:
        """Per project, why its scan is incomplete ("" when it is not): see :func:`incomplete_reasons`."""
        return incomplete_reasons(self.all_skips, [p.name for p in self.projects])

    def __iter__(self) -> Iterator[FileOutcome]:
        reader = FileReader(self.catalog, self.options.target, self.options.render, self.budget)
        seen: set[tuple[str, str]] = set()
        references: list[tuple[InputFile, str]] = []
        walk = _Walk(self._walk(), seen)
        bar = tqdm(total=0, unit="B", unit_scale=True, desc="scanning", disable=_no_progress(self.options))
        held: list[FileOutcome] = []  # the current project's outcomes, until its last file is read
        try:
            with _fewer_garbage_collections():
                for outcome in self._read_all(walk, reader):
                    # With workers, the walk goes on while they read: the total grows.
                    if bar.total != walk.bytes:
                        bar.total = walk.bytes
                    bar.update(outcome.size)
                    if held and held[0].project != outcome.project:
                        yield from self._release(held)
                        held = []
                    held.append(self._note(outcome, references))
                yield from self._release(held)
            # Files pulled in by `-r other.txt` that the walk did not pick up by name.
            while references:
                origin, ref = references.pop(0)
                extra = self._resolve_reference(origin, ref, seen)
                if extra is not None:
                    seen.add((extra.project, extra.rel_path))
                    yield from self._release([self._note(reader.read(extra, forced=formats.get("requirements")), references)])
        finally:
            bar.close()

    def _release(self, outcomes: list[FileOutcome]) -> Iterator[FileOutcome]:
        """One project's outcomes (all its walked files, or a file read
        later) without the findings that are the project's own names."""
        if not outcomes:
            return
        own = self._own_names.setdefault(outcomes[0].project, OwnNames())
        for outcome in outcomes:
            own.add(outcome.definitions)
        own.add_files(outcome.path for outcome in outcomes)
        for outcome in outcomes:
            if own and outcome.findings:
                self._set_aside_own_names(outcome, own)
            if self._renderer is not None and outcome.findings:
                # Held back as tuples by the reader (it may hold own names): rendered here.
                outcome.rendered = self._renderer.render(outcome.findings)
                outcome.rendered_count = len(outcome.findings)
                outcome.findings = []
            yield outcome

    def _set_aside_own_names(self, outcome: FileOutcome, own: OwnNames) -> None:
        kept = [finding for finding in outcome.findings if not own.owns_finding(finding)]
        if len(kept) == len(outcome.findings):
            return
        dropped = self.own_names_dropped
        for finding in outcome.findings:
            if own.owns_finding(finding):
                dropped[(outcome.project, finding[_KIND], finding[_NAME])] += 1
        outcome.findings = kept
        outcome.tally = tally_findings(kept, self.options.target)

    def _note(self, outcome: FileOutcome, references: list[tuple[InputFile, str]]) -> FileOutcome:
        for problem in outcome.problems:
            self.file_skips.append((outcome.project, problem))
        if outcome.skipped and not outcome.problems:
            self.file_skips.append((outcome.project, Problem(outcome.path, None, outcome.skipped)))
        if not formats.follows_references(outcome.formats):
            return outcome
        project_root = next(p.root for p in self.projects if p.name == outcome.project)
        for ref in outcome.references:
            references.append((InputFile(outcome.project, project_root, outcome.path, 0), ref))
        return outcome

    def _walk(self) -> Iterator[InputFile]:
        """The input files of every project, in order; skips go to ``walk_skips``."""
        for project in self.projects:
            self.walk_skips.extend((project.name, problem) for problem in project.problems)
            for entry in walk_project(project, self.options.max_file_bytes):
                if isinstance(entry, Problem):
                    self.walk_skips.append((project.name, entry))
                else:
                    yield entry

    def _read_all(self, walk: _Walk, reader: FileReader) -> Iterator[FileOutcome]:
        jobs = self.options.jobs or os.cpu_count() or 1
        if jobs <= 1:
            items = list(walk)  # the whole walk first, so the progress total is known
            yield from (reader.read(item) for item in items)
            return
        head = list(itertools.islice(walk, PARALLEL_THRESHOLD))
        if len(head) < PARALLEL_THRESHOLD:
            yield from (reader.read(item) for item in head)
            return
        if hasattr(os, "fork"):
            # Forked workers inherit the reader with its compiled patterns
            # instead of loading and compiling everything again.
            context, initializer, initargs = multiprocessing.get_context("fork"), adopt_reader, (reader,)
        else:
            context, initializer = multiprocessing.get_context("spawn"), init_worker
            initargs = (self.catalog, self.options.target, self.options.render, self.budget)
        _ = reader.vocabulary.compiled  # compile before forking, once for all workers
        workers = _SupervisedPool(jobs, context, initializer, initargs, self.budget)
        pending: collections.deque[tuple[Future, list]] = collections.deque()
        try:
            # The rest of the tree is walked batch by batch as the workers
            # read what was walked before, so no CPU idles through the walk.
            # A few batches per worker are in flight at most, which keeps
            # them busy and memory flat; results come back in walk order,
            # so output is stable.
            for batch in _batches(itertools.chain(head, walk), WORKER_BATCH):
                groups = _by_folder(batch)
                pending.append((workers.submit(groups), groups))
                if len(pending) > BATCHES_IN_FLIGHT_PER_WORKER * jobs:
                    yield from workers.collect(pending)
            while pending:
                yield from workers.collect(pending)
        finally:
            # A consumer that stops early must not wait for the whole scan.
            workers.close(pending)

    def _resolve_reference(self, origin: InputFile, ref: str, seen: set[tuple[str, str]]) -> InputFile | None:
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(origin.rel_path), ref))
        project = origin.project
        if rel.startswith("../") or rel == ".." or posixpath.isabs(ref):
            self.file_skips.append((project, Problem(origin.rel_path, None, f"reference {quote(ref)} points outside the project; not read")))
            return None
        if (project, rel) in seen:
            return None
        full = origin.root / rel
        if not full.is_file():
            # A FIFO or device is not read (it could block forever); a loop is not followed.
            what = "is not a regular file; not read" if full.exists() else "not found"
            self.file_skips.append((project, Problem(origin.rel_path, None, f"referenced file {quote(ref)} {what}")))
            return None
        if not full.resolve().is_relative_to(origin.root.resolve()):
            self.file_skips.append((project, Problem(rel, None, "symlink points outside the scanned tree; not followed")))
            return None
        return InputFile(project, origin.root, rel, full.stat().st_size)


#: Seconds a worker may run over its files' time budgets before the
#: watchdog kills it: reading a file is stopped in the worker at its budget;
#: this catches what no signal reaches (a loop in C).
WATCHDOG_GRACE_SECONDS = 30.0


class _SupervisedPool:
    """Worker processes for reading, with a watchdog that replaces a dead or hung worker.

    A batch whose worker dies (killed by the system, a crash in C) or runs
    past its files' budgets plus :data:`WATCHDOG_GRACE_SECONDS` is read
    again one file at a time in a new pool, so the one file that killed its
    worker is found, listed as skipped with the reason, and the scan goes on.
    """

    def __init__(self, jobs: int, context, initializer, initargs, budget):
        self._args = (jobs, context, initializer, initargs)
        self._budget = budget
        self._pool = self._new_pool()

    def _new_pool(self):
        from concurrent.futures import ProcessPoolExecutor  # imports logging: only for big scans

        jobs, context, initializer, initargs = self._args
        # Not multiprocessing.Pool: its worker-handler thread wakes up
        # whenever results wait in the pipe, and with results streaming in
        # all the time it spins, taking a good part of a CPU from the
        # workers. The executor's one thread sleeps until there is work.
        return ProcessPoolExecutor(jobs, mp_context=context, initializer=initializer, initargs=initargs)

    def submit(self, groups: list) -> Future:
        return self._pool.submit(read_batch_in_worker, groups)

    def _deadline(self, files: int) -> float | None:
        seconds = self._budget.seconds if self._budget is not None else 0
        return seconds * files + WATCHDOG_GRACE_SECONDS if seconds else None

    def collect(self, pending: collections.deque) -> list[FileOutcome]:
        """The outcomes of the oldest pending batch; a broken or hung batch is read again file by file."""
        from concurrent.futures import TimeoutError as FutureTimeout
        from concurrent.futures.process import BrokenProcessPool

        future, groups = pending.popleft()
        try:
            return future.result(timeout=self._deadline(_file_count(groups)))
        except (BrokenProcessPool, FutureTimeout):
            self._restart()
            outcomes = [self._read_alone(project, root, rel_path, size) for project, root, files in groups for rel_path, size in files]
            # The batches still in flight went down with the old pool.
            for index, (_, waiting) in enumerate(pending):
                pending[index] = (self.submit(waiting), waiting)
            return outcomes

    def _read_alone(self, project: str, root: Path, rel_path: str, size: int) -> FileOutcome:
        from concurrent.futures import TimeoutError as FutureTimeout
        from concurrent.futures.process import BrokenProcessPool

        future = self.submit([(project, root, [(rel_path, size)])])
        try:
            return future.result(timeout=self._deadline(1))[0]
        except FutureTimeout:
            reason = f"{self._budget.time_reason}; its worker process was stopped"
        except BrokenProcessPool:
            reason = "its reader process died (out of memory or a crash); the worker was replaced"
        self._restart()
        outcome = FileOutcome(project, rel_path, size, skipped=reason)
        outcome.problems.append(Problem(rel_path, None, f"not read: {reason}"))
        return outcome

    def _restart(self) -> None:
        self._kill()
        self._pool = self._new_pool()

    def _kill(self) -> None:
        # The executor cannot stop a running task; its processes can be.
        for process in list(getattr(self._pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                process.kill()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def close(self, pending: collections.deque) -> None:
        for future, _ in pending:
            future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _file_count(groups: list) -> int:
    return sum(len(files) for _, _, files in groups)


def _batches(items: Iterable[InputFile], size: int) -> Iterator[list[InputFile]]:
    """Consecutive lists of ``size`` items (the last one shorter)."""
    items = iter(items)
    while batch := list(itertools.islice(items, size)):
        yield batch


def _by_folder(batch: list[InputFile]) -> list[tuple[str, Path, list[tuple[str, int]]]]:
    """A batch as ``(project, root, [(rel_path, size), …])`` groups, for
    :func:`~lockin.scan.reading.read_batch_in_worker`: each root path is
    pickled once per batch rather than once per file."""
    groups: list[tuple[str, Path, list[tuple[str, int]]]] = []
    for item in batch:
        if not groups or groups[-1][0] != item.project or groups[-1][1] != item.root:
            groups.append((item.project, item.root, []))
        groups[-1][2].append((item.rel_path, item.size))
    return groups


class _Walk:
    """An iterator over walked input files that notes each one as it passes:
    its project and path in ``seen``, its size in ``bytes``."""

    def __init__(self, items: Iterator[InputFile], seen: set[tuple[str, str]]):
        self._items = items
        self.seen = seen
        self.bytes = 0

    def __iter__(self) -> _Walk:
        return self

    def __next__(self) -> InputFile:
        item = next(self._items)
        self.seen.add((item.project, item.rel_path))
        self.bytes += item.size
        return item


@contextlib.contextmanager
def _fewer_garbage_collections() -> Iterator[None]:
    """Collect garbage less often while scanning, and never traverse what
    exists before the scan (the catalog, the compiled vocabulary).

    Forked workers inherit both settings. The previous thresholds come back
    afterwards; objects are frozen (and thawed) only when nothing else had
    frozen any, so a caller's own :func:`gc.freeze` is left alone.
    """
    thresholds = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(max(thresholds[0], SCAN_GC_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freeze:
            gc.unfreeze()


def _projects(paths: Iterable[str | Path], project_name: str | None) -> list[Project]:
    paths = list(paths)
    projects: list[Project] = []
    for path in paths:
        projects.extend(find_projects(path, project_name))
    names = [p.name for p in projects]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(", ".join(map(str, paths)), None, f"project names occur twice: {', '.join(duplicates)}; use portfolio.yml to name them apart")
    return projects


def _no_progress(options: ScanOptions) -> bool | None:
    if options.progress is None:
        return None  # tqdm decides: off when stderr is not a terminal
    return not options.progress
