"""Catalog rows and the lookup over them."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

#: Vendors a finding can be scored against. A catalog may add columns for
#: others (``<vendor>`` and ``<vendor>_alternative``); these four ship.
TARGET_VENDORS = ("amd", "nvidia", "intel", "google")

MATCH_TYPES = ("exact", "prefix", "glob", "regex")

REQUIRED_COLUMNS = ("kind", "match", "vendor", "layer", "source")

CATALOG_COLUMNS = (
    "kind",
    "ecosystem",
    "match_type",
    "match",
    "vendor",
    "layer",
    "family",
    *[c for v in TARGET_VENDORS for c in (v, f"{v}_alternative")],
    "effort_hours",
    "note",
    "source",
)

#: Kinds whose names compare case-insensitively (package managers and
#: registries fold case; C identifiers and Python names do not).
CASE_FOLDED_KINDS = frozenset({"package", "index", "image", "cluster", "env"})


@dataclass(frozen=True, slots=True)
class CatalogRow:
    """One catalog entry. ``verdicts`` maps target vendor to (class, alternative)."""

    kind: str
    ecosystem: str
    match_type: str
    match: str
    vendor: str
    layer: str
    family: str
    verdicts: dict[str, tuple[str, str]]
    effort_hours: float | None
    note: str
    source: str
    origin: str = ""  # file:line the row was read from

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.ecosystem, self.match_type, _fold(self.kind, self.match))

    def verdict(self, target: str) -> tuple[str, str] | None:
        """(portability, alternative) towards ``target``, or None if unknown."""
        return self.verdicts.get(target)


def _fold(kind: str, name: str) -> str:
    return name.lower() if kind in CASE_FOLDED_KINDS else name


@dataclass
class Catalog:
    """An indexed set of catalog rows.

    Lookup order for a (kind, name): an exact row, then the longest matching
    prefix row, then glob and regex rows, most specific (longest literal
    text) first. Rows with an ecosystem only match evidence of that
    ecosystem; rows without one match any.
    """

    rows: list[CatalogRow] = field(default_factory=list)
    version: str = "unversioned"
    sources: list[str] = field(default_factory=list)
    #: Kernel functions vendors implement (:mod:`lockin.catalog.implementations`).
    implementations: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        self._exact: dict[tuple[str, str], list[CatalogRow]] = {}
        self._prefix: dict[str, list[CatalogRow]] = {}
        self._pattern: dict[str, list[tuple[CatalogRow, re.Pattern[str]]]] = {}
        self._cache: dict[tuple[str, str, str], CatalogRow | None] = {}
        for row in self.rows:
            folded = _fold(row.kind, row.match)
            if row.match_type == "exact":
                self._exact.setdefault((row.kind, folded), []).append(row)
            elif row.match_type == "prefix":
                self._prefix.setdefault(row.kind, []).append(row)
            else:
                flags = re.IGNORECASE if row.kind in CASE_FOLDED_KINDS else 0
                source = fnmatch.translate(row.match) if row.match_type == "glob" else row.match
                self._pattern.setdefault(row.kind, []).append((row, re.compile(source, flags)))
        for rows in self._prefix.values():
            rows.sort(key=lambda r: len(r.match), reverse=True)
        for pairs in self._pattern.values():
            pairs.sort(key=lambda p: len(re.sub(r"[*?\[\]\\^$.+(){}|]", "", p[0].match)), reverse=True)

    def lookup(self, kind: str, name: str, ecosystem: str = "") -> CatalogRow | None:
        """Return the row that describes ``name`` of ``kind``, or None."""
        # Source code repeats the same identifiers thousands of times, and a
        # miss walks every prefix and pattern row: remember each answer.
        key = (kind, name, ecosystem)
        try:
            return self._cache[key]
        except KeyError:
            row = self._cache[key] = self._search(kind, name, ecosystem)
            return row

    def _search(self, kind: str, name: str, ecosystem: str) -> CatalogRow | None:
        folded = _fold(kind, name)
        for row in self._exact.get((kind, folded), ()):
            if _ecosystem_fits(row, ecosystem):
                return row
        for row in self._prefix.get(kind, ()):
            if folded.startswith(_fold(kind, row.match)) and _ecosystem_fits(row, ecosystem):
                return row
        for row, pattern in self._pattern.get(kind, ()):
            if _ecosystem_fits(row, ecosystem) and pattern.fullmatch(name):
                return row
        return None

    def names(self, kind: str, skip_ecosystems: tuple[str, ...] = ()) -> set[str]:
        """Exact names of ``kind`` (used by scanners to build fast pre-filters),
        without the rows of ``skip_ecosystems``."""
        return {r.match for (k, _), rows in self._exact.items() if k == kind for r in rows if r.ecosystem not in skip_ecosystems}

    def prefixes(self, kind: str) -> list[str]:
        """Prefix matches of ``kind``, longest first."""
        return [r.match for r in self._prefix.get(kind, ())]

    def frame(self):
        """The rows as a DataFrame, one column per catalog column."""
        import pandas as pd

        records = []
        for r in self.rows:
            rec = {
                "kind": r.kind,
                "ecosystem": r.ecosystem,
                "match_type": r.match_type,
                "match": r.match,
                "vendor": r.vendor,
                "layer": r.layer,
                "family": r.family,
            }
            for vendor, (cls, alt) in r.verdicts.items():
                rec[vendor] = cls
                rec[f"{vendor}_alternative"] = alt
            rec.update(effort_hours=r.effort_hours, note=r.note, source=r.source, origin=r.origin)
            records.append(rec)
        return pd.DataFrame.from_records(records)


def _ecosystem_fits(row: CatalogRow, ecosystem: str) -> bool:
    return not row.ecosystem or not ecosystem or row.ecosystem == ecosystem
