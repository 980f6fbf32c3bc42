"""Reading catalog folders, with errors that name the file and line."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

from lockin import yamlsafe
from lockin.errors import read_utf8
from lockin.catalog.model import CATALOG_COLUMNS, MATCH_TYPES, REQUIRED_COLUMNS, Catalog, CatalogRow
from lockin.records import KINDS, PORTABILITY_CLASSES, InputError, Problem

VENDOR_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


def bundled_catalog_dir() -> Path:
    """The catalog shipped with lockin (``data/catalog``)."""
    from lockin import resources

    return resources.catalog_dir()


def load_catalog(extra_dirs: Iterable[str | Path] = (), *, bundled: bool = True) -> Catalog:
    """Load the bundled catalog, then each user folder in order.

    Parameters
    ----------
    extra_dirs : iterable of path
        User catalog folders (``--catalog DIR``); their rows replace bundled
        rows with the same kind, ecosystem, match type and match.
    bundled : bool
        Whether to start from the bundled catalog.

    Returns
    -------
    Catalog

    Raises
    ------
    InputError
        If a catalog file is malformed; the message names the file and line.
        A catalog is trusted configuration, so a bad row stops the load
        rather than silently changing verdicts.
    """
    folders = ([bundled_catalog_dir()] if bundled else []) + [Path(d) for d in extra_dirs]
    merged: dict[tuple[str, str, str, str], CatalogRow] = {}
    versions, files = [], []
    for folder in folders:
        if not folder.is_dir():
            raise InputError(str(folder), None, "catalog folder does not exist")
        versions.append(_folder_version(folder))
        for path in sorted(folder.glob("*.csv")):
            files.append(str(path))
            for row in read_catalog_file(path):
                merged[row.key] = row
    from lockin.catalog.implementations import IMPLEMENTATIONS_FILE, merge_implementations

    files += [str(f / IMPLEMENTATIONS_FILE) for f in folders if (f / IMPLEMENTATIONS_FILE).is_file()]
    return Catalog(rows=list(merged.values()), version="+".join(versions), sources=files, implementations=merge_implementations(folders))


def _folder_version(folder: Path) -> str:
    meta = folder / "catalog.yml"
    if not meta.exists():
        return f"{folder.name}@unversioned"
    data = yamlsafe.load(read_utf8(meta), str(meta))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(str(meta), 1, "expected a mapping with 'name' and 'version'")
    return f"{data.get('name', folder.name)}@{data.get('version', 'unversioned')}"


def read_catalog_file(path: str | Path) -> list[CatalogRow]:
    """Read and validate one catalog CSV file.

    Raises
    ------
    InputError
        On unknown columns, a missing required column or value, an unknown
        kind, match type or portability class, or an invalid regex.
    """
    path = Path(path)
    with io.StringIO(read_utf8(path), newline="") as handle:  # not UTF-8: an error with the line
        reader = csv.reader(_without_comments(handle))
        columns = next((row for row in reader if row), [])
        _check_columns(str(path), columns, reader.line_num or 1)
        vendors = _vendor_columns(columns)
        width, name = len(columns), str(path)
        rows = []
        for values in reader:
            if not values:
                continue
            if len(values) > width:
                raise InputError(name, reader.line_num, "more fields than the header has columns")
            record = dict(zip(columns, map(str.strip, values)))
            # reader.line_num counts physical lines; comments were kept as blank lines.
            rows.append(_row_from_record(name, reader.line_num, record, vendors))
        return rows


def _vendor_columns(columns: list[str]) -> list[str]:
    """The columns that hold a portability class (one per target vendor)."""
    fixed = set(CATALOG_COLUMNS[:7]) | {"effort_hours", "note", "source"}
    return [c for c in columns if c not in fixed and not c.endswith("_alternative")]


def _without_comments(lines: Iterable[str]) -> Iterable[str]:
    # '#' lines document a file; they become empty lines so line numbers hold.
    for line in lines:
        yield "\n" if line.lstrip().startswith("#") else line


def _check_columns(path: str, columns: list[str], line: int) -> None:
    if not columns:
        raise InputError(path, 1, "empty catalog file: expected a header row")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputError(path, line, f"missing required column(s): {', '.join(missing)}")
    known = set(CATALOG_COLUMNS)
    for column in columns:
        if column in known:
            continue
        vendor = column.removesuffix("_alternative")
        if not VENDOR_NAME.match(vendor):
            raise InputError(path, line, f"unknown column {column!r}")


def _row_from_record(path: str, line: int, record: dict[str, str], vendors: list[str]) -> CatalogRow:
    # Called once per catalog row (ten thousand of them at every start):
    # plain dict lookups, no helper calls on the way of a valid row.
    value = record.get
    for column in REQUIRED_COLUMNS:
        if not value(column, ""):
            raise InputError(path, line, f"empty {column!r}: every row needs kind, match, vendor, layer and source")
    kind = record["kind"]
    if kind not in KINDS:
        raise InputError(path, line, f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    match_type = value("match_type", "") or "exact"
    if match_type not in MATCH_TYPES:
        raise InputError(path, line, f"unknown match_type {match_type!r}; expected one of {', '.join(MATCH_TYPES)}")
    match = record["match"]
    if match_type == "regex":
        try:
            re.compile(match)
        except re.error as exc:
            raise InputError(path, line, f"invalid regex {match!r}: {exc}") from exc
    verdicts = {}
    for column in vendors:
        portability = value(column, "")
        if not portability:
            continue
        if portability not in PORTABILITY_CLASSES:
            raise InputError(path, line, f"column {column!r}: unknown portability {portability!r}; expected one of {', '.join(PORTABILITY_CLASSES)}")
        verdicts[column] = (portability, value(f"{column}_alternative", ""))
    effort = value("effort_hours", "")
    try:
        effort_hours = float(effort) if effort else None
    except ValueError:
        raise InputError(path, line, f"effort_hours {effort!r} is not a number") from None
    if effort_hours is not None and effort_hours < 0:
        raise InputError(path, line, "effort_hours must not be negative")
    return CatalogRow(
        kind=kind,
        ecosystem=value("ecosystem", ""),
        match_type=match_type,
        match=match,
        vendor=record["vendor"].lower(),
        layer=record["layer"],
        family=value("family", ""),
        verdicts=verdicts,
        effort_hours=effort_hours,
        note=value("note", ""),
        source=record["source"],
        origin=f"{path}:{line}",
    )


def problems_in_catalog_dir(folder: str | Path) -> list[Problem]:
    """Validate every file of a catalog folder and return all problems found."""
    problems = []
    for path in sorted(Path(folder).glob("*.csv")):
        try:
            read_catalog_file(path)
        except InputError as exc:
            problems.append(exc.problem)
    return problems
