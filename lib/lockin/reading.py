"""Reading one input file: bytes → text → evidence → findings.

This is the unit of work the scan hands to worker processes, so it holds
everything a worker needs (the catalog, the scanner vocabulary, the target)
in one picklable object and returns plain tuples that pickle cheaply.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from lockin.catalog import Catalog, CatalogRow
from lockin.classify import row_fields
from lockin.discover import InputFile
from lockin.formats import SNIFF_BYTES, Format, detect_formats
from lockin.records import COMPONENT_KINDS, InputError, Problem
from lockin.output import FindingRenderer
from lockin.redact import redact
from lockin.summary import tally_findings

#: A NUL byte in the first block marks a binary file, as git and grep judge it.
BINARY_PROBE_BYTES = 8192


@dataclass(slots=True)
class FileOutcome:
    """What reading one file produced. Findings and components are tuples in
    :data:`~lockin.records.FINDING_COLUMNS` / ``COMPONENT_COLUMNS`` order."""

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
        formatting and only one string per file crosses to the parent.
    """

    def __init__(self, catalog: Catalog, target: str, render: str | None = None):
        from lockin.source.cxx import Vocabulary

        self.catalog = catalog
        self.target = target
        self.vocabulary = Vocabulary.from_catalog(catalog)
        self.renderer = FindingRenderer(render) if render else None
        self._row_fields: dict[int, tuple] = {}

    def read(self, item: InputFile, forced: Format | None = None) -> FileOutcome:
        """Read one file; never raises for a problem in the file itself."""
        outcome = FileOutcome(item.project, item.rel_path, item.size)
        try:
            data = item.full_path.read_bytes()
        except PermissionError:
            outcome.skipped = "permission denied"
            return outcome
        except OSError as exc:
            outcome.skipped = f"cannot read: {exc.strerror or exc}"
            return outcome
        outcome.size = len(data)
        outcome.sha256 = hashlib.sha256(data).hexdigest()
        text = self._decode(data, outcome)
        if text is None:
            return outcome
        formats = [forced] if forced else detect_formats(item.rel_path, text[:SNIFF_BYTES])
        outcome.formats = tuple(f.name for f in formats)
        for fmt in formats:
            self._apply(fmt, text, outcome)
        outcome.tally = tally_findings(outcome.findings, self.target)
        if self.renderer is not None and outcome.findings:
            outcome.rendered = self.renderer.render(outcome.findings)
            outcome.rendered_count = len(outcome.findings)
            outcome.findings = []
        return outcome

    def _decode(self, data: bytes, outcome: FileOutcome) -> str | None:
        if b"\0" in data[:BINARY_PROBE_BYTES]:
            outcome.skipped = "binary file (NUL byte in the first 8 KiB)"
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            outcome.skipped = f"undecodable: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}, line {line})"
            return None

    def _apply(self, fmt: Format, text: str, outcome: FileOutcome) -> None:
        reader = fmt.load()
        try:
            result = reader(text, outcome.path, self.vocabulary) if fmt.needs_vocabulary else reader(text, outcome.path)
        except InputError as exc:
            outcome.problems.append(exc.problem)
            outcome.skipped = outcome.skipped or f"{fmt.description}: {exc.problem.message}"
            return
        except Exception as exc:  # noqa: BLE001 — one broken reader must not stop the scan
            outcome.problems.append(Problem(outcome.path, None, f"internal error in the {fmt.name} reader: {type(exc).__name__}: {exc}"))
            outcome.skipped = outcome.skipped or f"{fmt.name} reader failed: {type(exc).__name__}"
            return
        outcome.problems.extend(result.problems)
        outcome.references.extend(result.references)
        project, path = outcome.project, outcome.path
        redacted: dict[str, str] = {}  # evidence on one line shares its text
        for ev in result.evidence:
            text = redacted.get(ev.text)
            if text is None:
                text = redacted[ev.text] = redact(ev.text)
            if ev.kind in COMPONENT_KINDS:
                # Inventory names can carry credentials (index URLs); identifiers cannot.
                name = redact(ev.name)
                outcome.components.append((project, path, ev.line, ev.kind, name, redact(ev.spec), ev.ecosystem, text))
            else:
                name = ev.name
            row = self.catalog.lookup(ev.kind, ev.name, ev.ecosystem)
            if row is None:
                continue
            vendor, layer, portability, alternative, family, target, note, source = self._fields(row)
            # The tuple is built in FINDING_COLUMNS order.
            outcome.findings.append(
                (project, path, ev.line, ev.kind, name, vendor, layer, portability, alternative, text, family, target, note, source)
            )

    def _fields(self, row: CatalogRow) -> tuple:
        # One tuple per catalog row, shared by every finding it classifies.
        try:
            return self._row_fields[id(row)]
        except KeyError:
            fields = self._row_fields[id(row)] = row_fields(row, self.target)
            return fields


_worker_reader: FileReader | None = None


def init_worker(catalog: Catalog, target: str, render: str | None = None) -> None:
    """Pool initializer: build the reader once per worker process."""
    global _worker_reader
    _worker_reader = FileReader(catalog, target, render)


def adopt_reader(reader: FileReader) -> None:
    """Pool initializer for forked workers: use the parent's reader as it is."""
    global _worker_reader
    _worker_reader = reader


def read_in_worker(item: InputFile) -> FileOutcome:
    assert _worker_reader is not None, "init_worker was not called"
    return _worker_reader.read(item)
