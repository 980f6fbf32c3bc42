"""The report's full tables, as CSV files beside the PDF.

The PDF shows the top of each table so it stays readable from one project
to a thousand; every row is in these files, which the HTML report and
``index.html`` link to. They are written from the same assessment the
notebooks show, in the CSV dialect of ``lockin scan --format csv``
(RFC 4180, a header row, empty cells for missing values).

No credential reaches them: findings and components are redacted when
they are read (:mod:`lockin.scan.reading`), and the skipped inputs' reasons,
which quote what a reader saw, are redacted again here.
"""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd

from lockin.output import write_frame
from lockin.records import COMPONENT_COLUMNS, FINDING_COLUMNS, InputError
from lockin.redact import redact

__all__ = ["REPORT_TABLES", "report_tables", "tables_markdown", "write_report_tables"]

#: Each table's file name and what it holds, in the order they are written.
REPORT_TABLES = {
    "findings": ("findings.csv", "every piece of vendor-bound evidence (the scan's records), with whether the target already has a path for it"),
    "components": ("components.csv", "every dependency read from an inventory"),
    "scores": ("scores.csv", "scores per project"),
    "portfolio": ("portfolio.csv", "the portfolio's total"),
    "roadblocks": ("roadblocks.csv", "distinct roadblocks (a construct per file, a library or API per project, a component per family) with their uses"),
    "effort": ("effort.csv", "migration effort percentiles per project and dimension"),
    "economics": ("economics.csv", "NPV, break-even and recommendation per project"),
    "cashflows": ("cashflows.csv", "month-by-month cash flows per project"),
    "inputs": ("inputs.csv", "every input file with its size and sha256"),
    "skipped": ("skipped.csv", "every input left out, with the reason"),
}

#: Columns of the findings table: the scan's, then target readiness (see lockin.scoring.readiness).
FINDINGS_TABLE_COLUMNS = (*FINDING_COLUMNS, "covered", "covered_by")

#: Columns of the economics table.
ECONOMICS_COLUMNS = (
    "project", "gpu_hours_per_month", "performance_ratio", "performance_basis",
    "npv_usd", "npv_usd_p10", "npv_usd_p90", "breakeven_month", "recommendation", "reasons",
)  # fmt: skip

#: Effort dimensions whose percentiles the effort table gives.
EFFORT_PARTS = ("code", "libraries", "platform", "validation")


def report_tables(assessment) -> dict[str, pd.DataFrame]:
    """Every full table of the report, by name (the keys of :data:`REPORT_TABLES`).

    Parameters
    ----------
    assessment : lockin.assessment.Assessment

    Returns
    -------
    dict of str → DataFrame
    """
    from lockin.assessment import provenance

    scores = assessment.scores
    origin = provenance(assessment)
    tables = {
        "findings": _columns(assessment.scan.findings if scores.findings is None else scores.findings, FINDINGS_TABLE_COLUMNS),
        "components": _columns(assessment.scan.components, COMPONENT_COLUMNS),
        "scores": scores.projects.reset_index(drop=True),
        "portfolio": _one_row(scores.portfolio),
        "roadblocks": scores.roadblocks,
        "effort": effort_table(scores),
        "economics": _columns(scores.projects, ECONOMICS_COLUMNS),
        "cashflows": scores.cashflows,
        "inputs": origin["inputs"],
        "skipped": _redacted(origin["skipped"]),
    }
    return {name: tables[name] for name in REPORT_TABLES}


def write_report_tables(assessment, output_dir: str | Path) -> dict[str, Path]:
    """Write the report's full tables as CSV files into ``output_dir``.

    Parameters
    ----------
    assessment : lockin.assessment.Assessment
    output_dir : path
        An existing folder (a report run's output folder); files of the
        same names are replaced.

    Returns
    -------
    dict of str → pathlib.Path
        Each table's file, in the order of :data:`REPORT_TABLES`.

    Raises
    ------
    InputError
        When ``output_dir`` is not an existing folder.
    """
    folder = Path(output_dir)
    if not folder.is_dir():
        raise InputError(str(folder), None, "not a folder; the report's tables go into an existing folder")
    written = {}
    for name, frame in report_tables(assessment).items():
        path = folder / REPORT_TABLES[name][0]
        with path.open("w", encoding="utf-8", newline="") as stream:
            write_frame(frame, stream, "csv")
        written[name] = path
    return written


def tables_markdown(written: dict[str, Path]) -> str:
    """A Markdown list linking each written table by its file name, with what it holds.

    The links are relative (the file name alone): the report's HTML and
    PDF sit in the same folder as the tables.

    Parameters
    ----------
    written : dict of str → pathlib.Path
        What :func:`write_report_tables` returned.
    """
    lines = []
    for name, path in written.items():
        rows = _data_rows(path)
        lines.append(f"- [{path.name}]({quote(path.name)}): {REPORT_TABLES[name][1]} ({rows:,} row{'s' if rows != 1 else ''})")
    return "\n".join(lines)


def _data_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return max(0, sum(1 for _ in csv.reader(handle)) - 1)


def effort_table(scores) -> pd.DataFrame:
    """P10, P50 and P90 of each project's effort, in total and per dimension (person-months).

    The total's percentiles are the score's ``effort_pm_*``; a dimension's
    come from its own Monte Carlo draws, so they need not add up to the
    total's.
    """
    projects = scores.projects.reset_index(drop=True)
    frame = projects[["project", "effort_pm_p10", "effort_pm_p50", "effort_pm_p90", "effort_to_a_pm"]].copy()
    draws = scores.draws
    rows = [draws.projects.index(name) for name in frame["project"]]
    for part in EFFORT_PARTS:
        values = draws.parts.get(part)
        if values is None or not rows:
            continue
        low, middle, high = np.percentile(values[rows], [10, 50, 90], axis=1)
        frame[f"{part}_pm_p10"], frame[f"{part}_pm_p50"], frame[f"{part}_pm_p90"] = low, middle, high
    return frame


def _columns(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """``frame`` with ``columns`` in that order (missing ones empty), nothing else."""
    return frame.reindex(columns=list(columns)).reset_index(drop=True)


def _one_row(total) -> pd.DataFrame:
    if isinstance(total, pd.DataFrame):
        return total.reset_index(drop=True)
    return pd.DataFrame([dict(total)])


def _redacted(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell passed through :func:`~lockin.redact.redact`."""
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: redact(v) if isinstance(v, str) else v)
    return shown
