"""The scan pipeline: a portfolio in, findings, components and skipped inputs out.

Modules, in the order a file passes through them:

- :mod:`~lockin.scan.discover`: the projects of a portfolio and the candidate
  input files of each, with what was skipped;
- :mod:`~lockin.scan.formats`: the registry of input formats, each with its
  detection rules and its reader;
- :mod:`~lockin.scan.reading`: one file, bytes → text → evidence → findings
  (the unit of work a worker process runs);
- :mod:`~lockin.scan.classify`: the catalog's verdict on one piece of evidence;
- :mod:`~lockin.scan.summary`: per-project statistics;
- :mod:`~lockin.scan.pipeline`: the scan as a stream and collected into a
  :class:`ScanResult`.
"""

from lockin.scan.pipeline import (
    ScanOptions,
    ScanResult,
    ScanStream,
    collect,
    incomplete_column,
    incomplete_reasons,
    scan,
    skipped_frame,
)

__all__ = [
    "ScanOptions",
    "ScanResult",
    "ScanStream",
    "collect",
    "incomplete_column",
    "incomplete_reasons",
    "scan",
    "skipped_frame",
]
