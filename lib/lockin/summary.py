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

import pandas as pd

from lockin.reading import FileOutcome
from lockin.records import FINDING_COLUMNS, PORTABILITY_CLASSES, Problem

SOURCE_REFERENCE_KINDS = frozenset({"api", "include", "construct"})
CONVERTED_CLASSES = frozenset({"portable", "translatable"})

_KIND = FINDING_COLUMNS.index("kind")
_VENDOR = FINDING_COLUMNS.index("vendor")
_PORTABILITY = FINDING_COLUMNS.index("portability")

SUMMARY_COLUMNS = (
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
)


class SummaryBuilder:
    """Accumulates counts from a stream of file outcomes."""

    def __init__(self, target: str):
        self.target = target
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.vendors: dict[str, Counter] = defaultdict(Counter)

    def add(self, outcome: FileOutcome) -> None:
        c = self.counts[outcome.project]
        if outcome.skipped:
            c["skipped"] += 1
        else:
            c["files"] += 1
            c["bytes"] += outcome.size
        c["skipped"] += len(outcome.problems) - (1 if outcome.skipped and outcome.problems else 0)
        c["components"] += len(outcome.components)
        for finding in outcome.findings:
            self._count_finding(outcome.project, finding)

    def add_skips(self, skips: Iterable[tuple[str, Problem]]) -> None:
        for project, _ in skips:
            self.counts[project]["skipped"] += 1

    def _count_finding(self, project: str, finding: tuple) -> None:
        c = self.counts[project]
        vendor, portability = finding[_VENDOR], finding[_PORTABILITY]
        c["findings"] += 1
        c[portability] += 1
        if vendor not in ("neutral", self.target):
            c["vendor_bound"] += 1
            self.vendors[project][vendor] += 1
            if finding[_KIND] in SOURCE_REFERENCE_KINDS:
                c["api_refs"] += 1
                c["api_converted" if portability in CONVERTED_CLASSES else "api_unconverted"] += 1
        if portability == "rewrite":
            c["roadblocks"] += 1

    def frame(self, projects: list[str]) -> pd.DataFrame:
        """One row per project (in the given order) and a ``portfolio`` total row."""
        rows = [self._row(name, self.counts[name], self.vendors[name]) for name in projects]
        total = sum((self.counts[n] for n in projects), Counter())
        vendors = sum((self.vendors[n] for n in projects), Counter())
        rows.append(self._row("portfolio", total, vendors))
        return pd.DataFrame.from_records(rows, columns=list(SUMMARY_COLUMNS))

    @staticmethod
    def _row(name: str, c: Counter, vendors: Counter) -> dict:
        refs = c["api_refs"]
        row = {column: c[column] for column in SUMMARY_COLUMNS[1:-3]}
        row.update(
            project=name,
            conversion_pct=round(100.0 * c["api_converted"] / refs, 1) if refs else None,
            vendors=", ".join(f"{v} {n}" for v, n in vendors.most_common()),
            skipped=c["skipped"],
        )
        return row
