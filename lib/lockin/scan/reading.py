"""Reading one input file: bytes → text → evidence → findings.

This is the unit of work the scan hands to worker processes, so it holds
everything a worker needs (the catalog, the scanner vocabulary, the target)
in one picklable object and returns plain tuples that pickle cheaply.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path

from lockin.catalog import Catalog, CatalogRow
from lockin.scan.budget import BudgetExceeded, FileBudget, bounded
from lockin.scan.classify import lookup_row, row_fields
from lockin.scan.discover import InputFile
from lockin.scan.formats import SNIFF_BYTES, Format, detect_formats, formats_by_name
from lockin.scan.ownership import may_be_own
from lockin.records import COMPONENT_KINDS, InputError, Problem
from lockin.output import FindingRenderer
from lockin.redact import redact, redact_component
from lockin.scan.summary import tally_findings

#: A line with something on it (what "lines of code" counts).
_NON_BLANK_LINE = re.compile(r"^[ \t\f\v]*\S", re.MULTILINE)

#: A NUL byte in the first block marks a binary file, as git and grep judge it.
BINARY_PROBE_BYTES = 8192

#: Allocations between two young-generation garbage collections during a
#: scan (Python's default is 700). Parsing allocates tens of thousands of
#: short-lived, acyclic objects per file (AST nodes, evidence tuples) that
#: reference counting frees; collecting that often only re-traverses them.
SCAN_GC_THRESHOLD = 50_000


@dataclass(slots=True)
class FileOutcome:
    """What reading one file produced. Findings, components, definitions and
    regions are tuples in :data:`~lockin.records.FINDING_COLUMNS` /
    ``COMPONENT_COLUMNS`` / ``DEFINITION_COLUMNS`` / ``REGION_COLUMNS`` order."""

    project: str
    path: str
    size: int
    sha256: str = ""
    formats: tuple[str, ...] = ()
    findings: list[tuple] = field(default_factory=list)
    components: list[tuple] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: str = ""  # reason the whole file was not read
    references: list[str] = field(default_factory=list)
    tally: Counter = field(default_factory=Counter)  # summary counts of the findings
    rendered: str = ""  # the findings as output text, when the reader renders
    rendered_count: int = 0
    lines: int = 0  # non-blank lines: the size scoring prices development at
    definitions: list[tuple] = field(default_factory=list)  # DEFINITION_COLUMNS order, names redacted
    regions: list[tuple] = field(default_factory=list)  # REGION_COLUMNS order

    def __reduce__(self):
        # Outcomes cross from worker processes one per file: the fields by
        # position pickle faster than the generated per-field state.
        return FileOutcome, tuple(getattr(self, name) for name in _OUTCOME_FIELDS)


_OUTCOME_FIELDS = tuple(f.name for f in fields(FileOutcome))


class FileReader:
    """Reads input files against one catalog and one target vendor.

    Parameters
    ----------
    catalog : Catalog
    target : str
        Vendor findings are judged against.
    render : {None, "json", "csv"}
        When given, each outcome carries its findings as output text in
        ``rendered`` instead of tuples, so that worker processes do the
        formatting and only one string per file crosses to the parent;
        its ``sha256`` is left empty, as streamed output lists no inputs.
    """

    def __init__(self, catalog: Catalog, target: str, render: str | None = None, budget: FileBudget | None = None):
        from lockin.source.cxx import Vocabulary

        self.catalog = catalog
        self.target = target
        #: Time and memory each file may take (see :mod:`lockin.scan.budget`); None: unbounded.
        self.budget = budget
        self.vocabulary = Vocabulary.from_catalog(catalog)
        self.renderer = FindingRenderer(render) if render else None
        self._row_fields: dict[int, tuple] = {}
        #: Finding fields (or None) per (kind, name, ecosystem) of evidence.
        self._classified: dict[tuple[str, str, str], tuple | None] = {}
        self._shown_names: dict[str, str] = {}

    def read(self, item: InputFile, forced: Format | None = None) -> FileOutcome:
        """Read one file; never raises for a problem in the file itself."""
        outcome = FileOutcome(item.project, item.rel_path, item.size)
        try:
            data = read_file_bytes(os.path.join(item.root, item.rel_path))
        except PermissionError:
            outcome.skipped = "permission denied"
            return outcome
        except OSError as exc:
            outcome.skipped = f"cannot read: {exc.strerror or exc}"
            return outcome
        outcome.size = len(data)
        if self.renderer is None:
            outcome.sha256 = hashlib.sha256(data).hexdigest()
        try:
            with bounded(self.budget):
                if not self._parse(data, item, outcome, forced):
                    return outcome
        except BudgetExceeded as exc:
            return _stopped(outcome, exc.reason)
        outcome.tally = tally_findings(outcome.findings, self.target)
        # Findings the project's own names may set aside stay tuples: the
        # scan stream decides on them, and renders them, once the project's
        # definitions are all known (see ownership).
        if self.renderer is not None and outcome.findings and not may_be_own(outcome.findings, outcome.definitions):
            outcome.rendered = self.renderer.render(outcome.findings)
            outcome.rendered_count = len(outcome.findings)
            outcome.findings = []
        return outcome

    def _parse(self, data: bytes, item: InputFile, outcome: FileOutcome, forced: Format | None) -> bool:
        """Decode and read the file with each of its formats (False: not read, see ``outcome.skipped``)."""
        text = self._decode(data, outcome, forced)
        if text is None:
            return False
        if self.renderer is None:
            outcome.lines = len(_NON_BLANK_LINE.findall(text))
        formats = [forced] if forced else detect_formats(item.rel_path, text[:SNIFF_BYTES])
        outcome.formats = tuple(f.name for f in formats)
        for fmt in formats:
            self._apply(fmt, text, outcome)
        return True

    def _decode(self, data: bytes, outcome: FileOutcome, forced: Format | None = None) -> str | None:
        """The file's text: UTF-8, or what a Python file declares (PEP 263).

        C/C++ source that is not UTF-8 is read as Latin-1, with a problem
        naming the first such byte: compilers pass such bytes through (a
        copyright sign in a comment, say), and identifiers are ASCII, so the
        evidence is the same. Other inputs are read as UTF-8 (what TOML and
        JSON require) or skipped; a file whose name or first bytes make it
        no input at all is not listed whatever its encoding.
        """
        if b"\0" in data[:BINARY_PROBE_BYTES]:
            outcome.skipped = "binary file (NUL byte in the first 8 KiB)"
            return None
        if data.isascii():
            return data.decode("ascii")
        by_name = formats_by_name(outcome.path)
        encoding = next((f.declared_encoding(data) for f in by_name if f.declared_encoding is not None), "utf-8-sig")
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            where = _first_bad_byte(data, exc)
        byte, line = where
        if forced is None and not detect_formats(outcome.path, data[:SNIFF_BYTES].decode("utf-8", "replace")):
            # Not an input (a README.txt, a data .json): nothing to skip. Its
            # text only counts its lines.
            return data.decode("utf-8", "replace")
        if any(f.latin1_fallback for f in by_name) and encoding == "utf-8-sig":
            outcome.problems.append(Problem(outcome.path, line, f"not UTF-8 ({byte}): read as Latin-1, one character per byte; identifiers are ASCII, so no evidence is lost"))
            return data.decode("latin-1")
        if encoding == "utf-8-sig":
            outcome.skipped = f"undecodable: not UTF-8 ({byte}, line {line})"
        else:
            outcome.skipped = f"undecodable: not {encoding} as its coding declaration says ({byte}, line {line})"
        return None

    def _apply(self, fmt: Format, text: str, outcome: FileOutcome) -> None:
        try:
            result = fmt.read(text, outcome.path, self.vocabulary)
        except InputError as exc:
            outcome.problems.append(exc.problem)
            outcome.skipped = outcome.skipped or f"{fmt.description}: {exc.problem.message}"
            return
        except MemoryError:
            raise  # the file's memory budget ran out: the whole file is stopped (lockin.scan.budget)
        except Exception as exc:  # noqa: BLE001 — one broken reader must not stop the scan
            outcome.problems.append(Problem(outcome.path, None, f"internal error in the {fmt.name} reader: {type(exc).__name__}: {exc}"))
            outcome.skipped = outcome.skipped or f"{fmt.name} reader failed: {type(exc).__name__}"
            return
        outcome.problems.extend(result.problems)
        outcome.references.extend(result.references)
        project, path = outcome.project, outcome.path
        for kind, name, line, target in result.definitions:
            # Redacted as finding names are, so that the two still match.
            outcome.definitions.append((project, path, line, kind, self._shown_name(name), self._shown_name(target) if target else ""))
        outcome.regions.extend((project, path, kind, start, end, vendor) for kind, start, end, vendor in result.regions)
        findings, components = outcome.findings, outcome.components
        classified = self._classified
        redacted: dict[str, str] = {}  # evidence on one line shares its text
        for ev in result.evidence:
            kind, name, line, text, ecosystem, spec = ev
            key = (kind, name, ecosystem, spec if kind == "construct" else "")
            try:
                fields = classified[key]
            except KeyError:
                fields = classified[key] = self._classify(kind, name, ecosystem, key[3])
            is_component = kind in COMPONENT_KINDS
            if fields is None and not is_component:
                continue  # neither output: no text to redact
            shown = redacted.get(text)
            if shown is None:
                shown = redacted[text] = redact(text)
            if is_component:
                # Inventory names can carry credentials (index URLs), and a
                # variable whose name says secret has its value masked.
                reported, spec, shown = redact_component(kind, name, spec, shown)
                redacted[text] = shown
                components.append((project, path, line, kind, reported, spec, ecosystem, shown))
            else:
                # Source names are identifiers; redacted all the same, once per name.
                reported = self._shown_name(name)
            if fields is None:
                continue
            vendor, layer, portability, alternative, family, target, note, source = fields
            # The tuple is built in FINDING_COLUMNS order.
            findings.append((project, path, line, kind, reported, vendor, layer, portability, alternative, shown, family, target, note, source))

    def _shown_name(self, name: str) -> str:
        """A source name as output shows it: redacted, once per name."""
        shown = self._shown_names.get(name)
        if shown is None:
            shown = self._shown_names[name] = redact(name)
        return shown

    def _classify(self, kind: str, name: str, ecosystem: str, spec: str = "") -> tuple | None:
        """The finding fields of the catalog row for this evidence, or None.

        A C/C++ file is one dialect (CUDA or HIP) as a whole, but a file
        with both back ends names the other's APIs too (``cudaMalloc``
        beside ``hipMalloc`` under ``#ifdef USE_ROCM``): a name its own
        dialect's rows do not know is looked up among the other's, unless
        the other's row says the file's own vendor spells it the same.
        """
        row = lookup_row(self.catalog, kind, name, spec, ecosystem)
        if row is None and ecosystem in _OTHER_DIALECT:
            row = self.catalog.lookup(kind, name, _OTHER_DIALECT[ecosystem])
            # A name both dialects spell alike (``__expf``) is the file's own.
            own = row.verdict(_DIALECT_VENDOR[ecosystem]) if row is not None else None
            if own is not None and own[1] == name:
                row = None
        return None if row is None else self._fields(row)

    def _fields(self, row: CatalogRow) -> tuple:
        # One tuple per catalog row, shared by every finding it classifies.
        try:
            return self._row_fields[id(row)]
        except KeyError:
            fields = self._row_fields[id(row)] = row_fields(row, self.target)
            return fields


def _first_bad_byte(data: bytes, exc: UnicodeDecodeError) -> tuple[str, int]:
    """Where decoding failed, for a message: ('byte 0x.. at offset N', line)."""
    return f"byte 0x{data[exc.start]:02x} at offset {exc.start}", data.count(b"\n", 0, exc.start) + 1


def _stopped(outcome: FileOutcome, reason: str) -> FileOutcome:
    """The outcome of a file stopped over its budget: nothing it produced is kept, the reason is listed."""
    stopped = FileOutcome(outcome.project, outcome.path, outcome.size, sha256=outcome.sha256, formats=outcome.formats)
    stopped.skipped = reason
    stopped.problems.append(Problem(outcome.path, None, f"not read: {reason}"))
    return stopped


def read_file_bytes(path: str) -> bytes:
    """The whole content of a file (unbuffered: one read into one buffer,
    where :meth:`pathlib.Path.read_bytes` goes through a buffered reader)."""
    with open(path, "rb", buffering=0) as fh:
        return fh.readall()


#: The C/C++ scanner's two dialects (evidence ecosystems), and whose they are.
_OTHER_DIALECT = {"cuda": "hip", "hip": "cuda"}
_DIALECT_VENDOR = {"cuda": "nvidia", "hip": "amd"}

_worker_reader: FileReader | None = None


def init_worker(catalog: Catalog, target: str, render: str | None = None, budget: FileBudget | None = None) -> None:
    """Pool initializer: build the reader once per worker process.

    A forked worker inherits the scan's garbage-collector settings; a
    spawned one gets them here (see :data:`SCAN_GC_THRESHOLD`).
    """
    global _worker_reader
    _worker_reader = FileReader(catalog, target, render, budget)
    _ = _worker_reader.vocabulary.compiled
    gc.freeze()  # the catalog and the compiled vocabulary live as long as the worker
    first, *older = gc.get_threshold()
    gc.set_threshold(max(first, SCAN_GC_THRESHOLD), *older)


def adopt_reader(reader: FileReader) -> None:
    """Pool initializer for forked workers: use the parent's reader as it is."""
    global _worker_reader
    _worker_reader = reader


def read_in_worker(item: InputFile) -> FileOutcome:
    assert _worker_reader is not None, "init_worker was not called"
    return _worker_reader.read(item)


def read_batch_in_worker(groups: list[tuple[str, Path, list[tuple[str, int]]]]) -> list[FileOutcome]:
    """Read several files in a worker: one task, one result message.

    The files come as ``(project, root, [(rel_path, size), …])`` groups, so
    that a task repeats no project root.
    """
    assert _worker_reader is not None, "init_worker was not called"
    read = _worker_reader.read
    return [read(InputFile(project, root, rel_path, size)) for project, root, files in groups for rel_path, size in files]
