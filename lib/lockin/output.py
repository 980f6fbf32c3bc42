"""Writing records as a table, JSON or CSV.

JSON and CSV are written record by record, so a scan of a very large tree
never holds its whole output in memory.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Sequence
from typing import IO

import pandas as pd

FORMATS = ("table", "json", "csv")

#: Columns shown in the findings table (the JSON/CSV records carry them all).
TABLE_COLUMNS = ("project", "path", "line", "kind", "name", "vendor", "portability", "alternative")


class RecordWriter:
    """Streams records (tuples in ``columns`` order) as JSON array or CSV."""

    def __init__(self, stream: IO[str], columns: Sequence[str], fmt: str):
        if fmt not in ("json", "csv"):
            raise ValueError(f"RecordWriter writes json or csv, not {fmt!r}")
        self.stream, self.columns, self.fmt = stream, list(columns), fmt
        self.count = 0
        if fmt == "csv":
            self._csv = csv.writer(stream, lineterminator="\n")
            self._csv.writerow(self.columns)
        else:
            stream.write("[")

    def write(self, record: Sequence) -> None:
        values = [_plain(v) for v in record]
        if self.fmt == "csv":
            self._csv.writerow(["" if v is None else v for v in values])
        else:
            self.stream.write(("," if self.count else "") + "\n  " + json.dumps(dict(zip(self.columns, values)), ensure_ascii=False))
        self.count += 1

    def write_all(self, records: Iterable[Sequence]) -> None:
        for record in records:
            self.write(record)

    def close(self) -> None:
        if self.fmt == "json":
            self.stream.write("\n]\n" if self.count else "]\n")


def _plain(value):
    """JSON-safe scalar: pandas NA and NaN become None, numpy scalars Python ones."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def write_frame(frame: pd.DataFrame, stream: IO[str], fmt: str, title: str | None = None) -> None:
    """Write a whole DataFrame in ``fmt`` (table, json or csv)."""
    if fmt == "table":
        if title:
            stream.write(f"\n{title}\n{'-' * len(title)}\n")
        stream.write(frame_to_text(frame) + "\n")
        return
    writer = RecordWriter(stream, frame.columns, fmt)
    writer.write_all(frame.itertuples(index=False, name=None))
    writer.close()


def frame_to_text(frame: pd.DataFrame, max_width: int = 60) -> str:
    """A fixed-width text table, long cells cut with an ellipsis."""
    if frame.empty:
        return "(none)"
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object:
            shown[column] = shown[column].map(lambda v: _cut(v, max_width))
    return shown.to_string(index=False, na_rep="")


def _cut(value, width: int):
    if isinstance(value, str) and len(value) > width:
        return value[: width - 1] + "…"
    return value
