"""Writing records as a table, JSON or CSV.

JSON and CSV are written record by record, so a scan of a very large tree
never holds its whole output in memory.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring
from typing import IO

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas costs a third of a second to import; JSON/CSV scans never need it
    import pandas as pd

FORMATS = ("table", "json", "csv")

CSV_LINE_END = "\r\n"

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
            # RFC 4180 line ends: the writer then quotes any field holding \r or \n.
            self._csv = csv.writer(stream, lineterminator=CSV_LINE_END)
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

    def write_rendered(self, text: str, count: int) -> None:
        """Write ``count`` records already rendered by :class:`FindingRenderer`."""
        if not count:
            return
        if self.fmt == "json" and self.count:
            self.stream.write(",")
        self.stream.write(text)
        self.count += count

    def write_all(self, records: Iterable[Sequence]) -> None:
        for record in records:
            self.write(record)

    def close(self) -> None:
        if self.fmt == "json":
            self.stream.write("\n]\n" if self.count else "]\n")


class FindingRenderer:
    """Renders finding tuples as the JSON or CSV text :class:`RecordWriter` writes.

    Used in worker processes, where it is the last step per finding. The
    JSON text of a finding is put together from parts that repeat: the
    project and path (the same for a whole file), the kind and name with
    the four fields a catalog row decides before the evidence (vendor,
    layer, portability, alternative), the evidence text (shared by the
    findings of one line) and the four row fields after it (family,
    target, note, source). Each part is encoded once and reused.
    """

    def __init__(self, fmt: str):
        if fmt not in ("json", "csv"):
            raise ValueError(f"FindingRenderer renders json or csv, not {fmt!r}")
        self.fmt = fmt
        self._fragments: dict[tuple, str] = {}

    def render(self, findings: Sequence[tuple]) -> str:
        if self.fmt == "csv":
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator=CSV_LINE_END).writerows(["" if v is None else v for v in f] for f in findings)
            return buffer.getvalue()
        return "\n  " + ",\n  ".join(self._json_records(findings))

    def _json_records(self, findings: Sequence[tuple]) -> list[str]:
        # FINDING_COLUMNS order: project, path, line, kind, name | vendor, layer,
        # portability, alternative | evidence | family, target, note, source.
        enc = encode_basestring
        fragments = self._fragments
        records = []
        # Identity tests: a file's findings share their project, path and
        # (per line) evidence string objects; an equal copy is only encoded again.
        project = path = head = evidence = evidence_json = None
        for f in findings:
            if head is None or f[0] is not project or f[1] is not path:
                project, path = f[0], f[1]
                head = f'{{"project": {enc(project)}, "path": {enc(path)}, "line": '
            if f[9] is not evidence or evidence_json is None:
                evidence = f[9]
                evidence_json = enc(evidence)
            before = f[3:9]
            middle = fragments.get(before)
            if middle is None:
                middle = fragments[before] = (
                    f', "kind": {enc(f[3])}, "name": {enc(f[4])}, '
                    f'{_json_fields(("vendor", "layer", "portability", "alternative"), f[5:9])}, "evidence": '
                )
            after = f[10:14]
            tail = fragments.get(after)
            if tail is None:
                tail = fragments[after] = f", {_json_fields(('family', 'target', 'note', 'source'), after)}}}"
            line = "null" if f[2] is None else str(f[2])
            records.append(f"{head}{line}{middle}{evidence_json}{tail}")
        return records


def _json_fields(keys: tuple[str, ...], values: tuple) -> str:
    return ", ".join(f'"{k}": {json.dumps(v, ensure_ascii=False)}' for k, v in zip(keys, values))


def _plain(value):
    """JSON-safe scalar: pandas NA and NaN become None, numpy scalars Python ones."""
    pandas = sys.modules.get("pandas")  # no pandas loaded: no pandas.NA can exist
    if value is None or (pandas is not None and value is pandas.NA):
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
    import pandas as pd

    if frame.empty:
        return "(none)"
    shown = frame.copy()
    for column in shown.columns:
        if not pd.api.types.is_numeric_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: _cut(v, max_width))
    return shown.to_string(index=False, na_rep="")


def _cut(value, width: int):
    if isinstance(value, str) and len(value) > width:
        return value[: width - 1] + "…"
    return value
