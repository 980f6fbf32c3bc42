"""Per-project scan statistics, in the manner of HIPIFY's ``--print-stats``.

HIPIFY reports, per file and in total, the CUDA references it converted and
those it could not, and ``CONVERSION % = 100 × converted / (converted +
unconverted)``. The summary gives the same figure per project, generalised to
any target: references in source code (``api``, ``include``, ``construct``
findings of a vendor other than the target) that are ``portable`` or
``translatable`` count as converted, ``replaceable`` and ``rewrite`` as not.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from operator import itemgetter

from typing import TYPE_CHECKING

from lockin.records import FINDING_COLUMNS, PORTABILITY_CLASSES, PORTFOLIO_RECORD, PROJECT_RECORD, Problem, roadblock_name

if TYPE_CHECKING:
    import pandas as pd

SOURCE_REFERENCE_KINDS = frozenset({"api", "include", "construct"})
CONVERTED_CLASSES = frozenset({"portable", "translatable"})

_KIND = FINDING_COLUMNS.index("kind")
_VENDOR = FINDING_COLUMNS.index("vendor")
_PORTABILITY = FINDING_COLUMNS.index("portability")
_NAME = FINDING_COLUMNS.index("name")
_FAMILY = FINDING_COLUMNS.index("family")
_COMBINATION = itemgetter(_KIND, _VENDOR, _PORTABILITY)

SUMMARY_COLUMNS = (
    "record",
    "project",
    "files",
    "bytes",
    "components",
    "findings",
    "vendor_bound",
    *PORTABILITY_CLASSES,
    "roadblocks",
    "api_refs",
    "api_converted",
    "api_unconverted",
    "conversion_pct",
    "vendors",
    "skipped",
    "incomplete",
)


def tally_findings(findings: Iterable[tuple], target: str) -> Counter:
    """Summary counts of finding tuples: totals, per class, API references
    (converted or not), under ``("vendor", name)`` keys the vendor-bound
    findings per vendor, and under ``("roadblock", kind, name)`` keys the
    ``rewrite`` findings per roadblock (a component by its family, as the
    scores group them), so a project's distinct roadblocks can be counted."""
    # A file has thousands of findings but a handful of (kind, vendor,
    # portability) combinations: count those, then add each up once. They
    # come in order of first appearance, so the tally's keys do too.
    tally: Counter = Counter()
    if not findings:
        return tally  # most files: nothing to count
    combinations = Counter(map(_COMBINATION, findings))
    for (kind, vendor, portability), count in combinations.items():
        tally["findings"] += count
        tally[portability] += count
        if vendor not in ("neutral", target):
            tally["vendor_bound"] += count
            tally[("vendor", vendor)] += count
            if kind in SOURCE_REFERENCE_KINDS:
                tally["api_refs"] += count
                tally["api_converted" if portability in CONVERTED_CLASSES else "api_unconverted"] += count
    if tally["rewrite"]:
        for finding in findings:
            if finding[_PORTABILITY] == "rewrite":
                tally[("roadblock", finding[_KIND], roadblock_name(finding[_KIND], finding[_NAME], finding[_FAMILY]))] += 1
    return tally


class SummaryBuilder:
    """Accumulates counts from a stream of file outcomes (:class:`~lockin.scan.reading.FileOutcome`)."""

    def __init__(self, target: str):
        self.target = target
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.vendors: dict[str, Counter] = defaultdict(Counter)
        self.roadblocks: dict[str, set] = defaultdict(set)

    def add(self, outcome) -> None:
        # Skips are counted from the stream's list (add_skips), which also
        # holds what the walk and reference resolution skipped.
        c = self.counts[outcome.project]
        if not outcome.skipped:
            c["files"] += 1
            c["bytes"] += outcome.size
        c["components"] += len(outcome.components)
        for key, count in outcome.tally.items():
            if isinstance(key, tuple) and key[0] == "roadblock":
                self.roadblocks[outcome.project].add(key[1:])
            elif isinstance(key, tuple):
                self.vendors[outcome.project][key[1]] += count
            else:
                c[key] += count

    def add_skips(self, skips: Iterable[tuple[str, Problem]]) -> None:
        for project, _ in skips:
            self.counts[project]["skipped"] += 1

    def frame(self, projects: list[str], incomplete: dict[str, str] | None = None) -> pd.DataFrame:
        """One row per project (in the given order), then the totals record.

        The totals are told apart by ``record`` (``portfolio``) and have no
        project name, so a project called ``portfolio`` is still a project.
        ``incomplete`` gives, per project, why its scan missed parts ("" or
        absent: complete).
        """
        import pandas as pd

        incomplete = incomplete or {}
        rows = [self._row(name, self.counts[name], self.vendors[name], len(self.roadblocks[name])) | {"incomplete": incomplete.get(name, "")} for name in projects]
        partial = sum(1 for name in projects if incomplete.get(name))
        rows.append(self.totals(projects) | {"incomplete": f"{partial} of {len(projects)} project(s) incomplete" if partial else ""})
        return pd.DataFrame.from_records(rows, columns=list(SUMMARY_COLUMNS))

    def totals(self, projects: list[str]) -> dict:
        """The totals record: every project's counts added up."""
        total = sum((self.counts[n] for n in projects), Counter())
        vendors = sum((self.vendors[n] for n in projects), Counter())
        return self._row(None, total, vendors, sum(len(self.roadblocks[n]) for n in projects))

    @staticmethod
    def _row(name: str | None, c: Counter, vendors: Counter, roadblocks: int) -> dict:
        refs = c["api_refs"]
        row = {column: c[column] for column in SUMMARY_COLUMNS[2:-4]}
        row.update(
            record=PROJECT_RECORD if name is not None else PORTFOLIO_RECORD,
            project=name,
            roadblocks=roadblocks,
            conversion_pct=round(100.0 * c["api_converted"] / refs, 1) if refs else None,
            vendors=", ".join(f"{v} {n}" for v, n in vendors.most_common()),
            skipped=c["skipped"],
        )
        return row
