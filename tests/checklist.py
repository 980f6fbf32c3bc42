"""The expected-findings checklist of the sample portfolio (data/portfolio/README.md).

Shared by the structural tests of the portfolio files and the end-to-end
tests of the scan, so the checklist is parsed one way only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    project: str
    table: str  # "expected" or "must-not"
    path: str
    line: str
    kind: str
    name: str
    note: str


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_checklist(text: str) -> list[Row]:
    """The rows of every expected / must-not table in the portfolio README."""
    rows: list[Row] = []
    project, table, header = "", "", None
    for line in text.splitlines():
        if line.startswith("## "):
            project, table, header = line[3:].strip(), "", None
        elif line.startswith("### "):
            heading = line[4:].lower()
            table = "expected" if heading.startswith("expected") else "must-not" if heading.startswith("must not") else ""
            header = None
        elif table and line.startswith("|"):
            cells = _cells(line)
            if header is None:
                header = cells
            elif not set(cells[0]) <= set("- "):
                record = dict(zip(header, cells))
                rows.append(
                    Row(project, table, record["path"], record["line"], record.get("kind", ""), record["name"],
                        record.get("note", record.get("why", "")))
                )
    return rows
