"""Reading the suite's small CSV tables with file-and-line errors.

Spec tables, benchmark results and fleets are CSV files people edit by
hand. Each is described by a list of :class:`Column`; :func:`read_table`
returns the good rows as a DataFrame (with the line each came from) and a
:class:`~lockin.records.Problem` for every bad cell, so one mistyped number
drops one row, never the file, and never turns into a silent zero.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lockin.records import InputError, Problem

__all__ = ["Column", "read_table", "TableResult", "positive_or_none"]


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    name : str
    kind : {"text", "number", "count"}
        ``number`` is a float, ``count`` a whole number.
    required : bool
        The header must have it.
    nonempty : bool
        Every row must fill it.
    minimum : float or None
        Smallest allowed value (numbers); ``strict`` makes it exclusive.
    maximum : float or None
    default : object
        Value of an empty optional cell.
    """

    name: str
    kind: str = "text"
    required: bool = True
    nonempty: bool = True
    minimum: float | None = None
    strict: bool = False
    maximum: float | None = None
    default: object = None


@dataclass
class TableResult:
    frame: pd.DataFrame
    problems: list[Problem]


def read_table(path: str | Path, columns: Sequence[Column], *, text: str | None = None) -> TableResult:
    """Read a CSV file against a column list.

    Parameters
    ----------
    path : path
        The file; also the name used in error messages.
    columns : sequence of Column
    text : str, optional
        The content, when already read.

    Returns
    -------
    TableResult
        ``frame`` has the columns in the given order plus ``line`` (the
        1-based line of the row in the file); unknown extra columns are
        kept as text.

    Raises
    ------
    InputError
        When the file cannot be read or lacks a required column.
    """
    shown = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(shown, None, f"cannot read: {exc}") from exc
    reader = csv.reader(io.StringIO(text))
    header_line, header = _header(reader, shown)
    header = [h.strip() for h in header]
    missing = [c.name for c in columns if c.required and c.name not in header]
    if missing:
        raise InputError(shown, header_line, f"missing column(s) {', '.join(missing)}; the header has {', '.join(header)}")
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise InputError(shown, header_line, f"column(s) named twice: {', '.join(duplicated)}")
    known = {c.name for c in columns}
    extras = [h for h in header if h and h not in known]
    rows, problems = [], []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(shown, line, f"{len(cells)} cells where the header has {len(header)}"))
            continue
        record = dict(zip(header, (cell.strip() for cell in cells)))
        row, errors = _convert(record, columns)
        if errors:
            problems.extend(Problem(shown, line, error) for error in errors)
            continue
        row.update({name: record[name] for name in extras})
        row["line"] = line
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*(c.name for c in columns), *extras, "line"])
    return TableResult(frame, problems)


def _header(reader, shown: str) -> tuple[int, list[str]]:
    for cells in reader:
        if any(cell.strip() for cell in cells):
            return reader.line_num, cells
    raise InputError(shown, None, "empty file: no header row")


def _convert(record: dict[str, str], columns: Sequence[Column]) -> tuple[dict, list[str]]:
    row, errors = {}, []
    for column in columns:
        raw = record.get(column.name, "")
        if raw == "":
            if column.nonempty:
                errors.append(f"{column.name} is empty")
            row[column.name] = column.default
            continue
        if column.kind == "text":
            row[column.name] = raw
            continue
        value, error = _number(raw, column)
        if error:
            errors.append(error)
        row[column.name] = value
    return row, errors


def _number(raw: str, column: Column) -> tuple[float | int | None, str]:
    try:
        value = float(raw.replace("_", ""))
    except ValueError:
        return None, f"{column.name} is not a number: {raw!r}"
    if not math.isfinite(value):
        return None, f"{column.name} is not a finite number: {raw!r}"
    if column.kind == "count":
        if value != int(value):
            return None, f"{column.name} must be a whole number: {raw!r}"
        value = int(value)
    if column.minimum is not None and (value < column.minimum or (column.strict and value == column.minimum)):
        relation = "above" if column.strict else "at least"
        return None, f"{column.name} must be {relation} {column.minimum:g}: {raw!r}"
    if column.maximum is not None and value > column.maximum:
        return None, f"{column.name} must be at most {column.maximum:g}: {raw!r}"
    return value, ""


def positive_or_none(value) -> float | None:
    """``value`` as a float when it is a finite number above 0, else None.

    Optional cells (a price, a power figure) arrive as None, NaN, text or
    numbers; everything downstream treats "no usable figure" one way.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None
