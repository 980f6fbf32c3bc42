"""One call for a whole assessment: scan, hardware, scores, provenance.

The notebooks and ``lockin report`` start here, so every notebook computes
its figures the same way from the same parameters.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lockin import __version__
from lockin.paths import resolve_path
from lockin.records import PORTFOLIO_RECORD
from lockin.resources import bundled_name
from lockin.scan import ScanOptions, ScanResult, scan
from lockin.scoring.hardware import HardwareContext, load_hardware_context
from lockin.scoring.parameters import Parameters, load_parameters
from lockin.scoring.score import Scores, score

__all__ = ["Assessment", "assess", "filter_findings", "inputs_digest", "inputs_summary", "params_hash", "period_figures", "provenance"]


@dataclass
class Assessment:
    """Everything one run of the suite computed for a portfolio."""

    portfolio: Path
    params: Parameters
    scan: ScanResult
    hardware: HardwareContext
    scores: Scores

    @property
    def skipped(self) -> pd.DataFrame:
        """Every input of the user's left out, scan and hardware side, with the reason.

        Records of lockin's own bundled benchmark data that are left out
        are the same on every run; they are in :attr:`bundled_exclusions`,
        grouped by reason, not here.
        """
        from lockin.hardware.results import split_bundled

        own, _ = split_bundled(self.hardware.problems)
        hardware = pd.DataFrame(
            [{"project": "(hardware)", "path": p.path, "line": p.line, "reason": p.message} for p in own],
            columns=["project", "path", "line", "reason"],
        )
        return pd.concat([self.scan.skipped, hardware], ignore_index=True) if len(hardware) else self.scan.skipped.reset_index(drop=True)

    @property
    def bundled_exclusions(self) -> pd.DataFrame:
        """Records of the bundled benchmark data left out, one row per reason (count, reason, example)."""
        return self.hardware.bundled_exclusions


def assess(portfolio: str | Path, params_file: str | Path | None = None, *, catalog_dirs=(), progress: bool = False, **overrides) -> Assessment:
    """Scan ``portfolio`` and score it with the parameters.

    Parameters
    ----------
    portfolio : path
        A portfolio folder (see ``docs/data-formats.md``).
    params_file : path, optional
        YAML parameters over the defaults; empty string or None for none.
    catalog_dirs : iterable of path
        User catalog folders.
    progress : bool
        Show the scan's progress bar on stderr.
    **overrides
        Parameter values that win over the file (None values are ignored).
    """
    from lockin.catalog import load_catalog

    params = load_parameters(params_file or None, **overrides)
    catalog = load_catalog(catalog_dirs)
    result = scan([portfolio], ScanOptions(target=params.target_vendor, catalog_dirs=tuple(catalog_dirs), progress=progress), catalog)
    hardware = load_hardware_context(params)
    scores = score(result, params, hardware, catalog)
    return Assessment(Path(portfolio), params, result, hardware, scores)


def filter_findings(findings: pd.DataFrame, *, project=None, vendor=None, layer=None, portability=None) -> pd.DataFrame:
    """Findings whose columns match every given value (a value or a list)."""
    mask = pd.Series(True, index=findings.index)
    for column, wanted in (("project", project), ("vendor", vendor), ("layer", layer), ("portability", portability)):
        if wanted is None or wanted == "" or wanted == []:
            continue
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        mask &= findings[column].isin(values)
    return findings[mask]


def params_hash(params: Parameters) -> str:
    """A short hash of every parameter value, to tell two runs' settings apart."""
    blob = json.dumps({k: params[k] for k in params}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def provenance(assessment: Assessment) -> dict[str, pd.DataFrame]:
    """What the figures come from, as a summary for the report and in full for CSV.

    Returns
    -------
    dict of str → DataFrame
        ``summary``: one row per project and input format with ``inputs``
        and ``bytes``; ``formats``: the same per format over all projects;
        ``versions``: lockin, catalog, parameters (with their hash),
        calibration, benchmark results, and ``inputs``: how many files and
        bytes and :func:`inputs_digest` over all of them; ``parameters``;
        ``skipped``; and ``inputs``: every input file with its size and
        sha256 (long: one row per file, for the CSV beside the report).
    """
    from lockin.hardware.results import bundled_result_files

    hardware_files = [Path(p) for p in assessment.hardware.results.files]
    if assessment.params.fleet_file:
        hardware_files.append(resolve_path(assessment.params.fleet_file))
    extra = pd.DataFrame([{"project": "(hardware)", "path": _shown_path(p), "formats": p.suffix.lstrip("."), "bytes": p.stat().st_size, "sha256": _sha256(p)} for p in hardware_files if p.exists()])
    inputs = pd.concat([assessment.scan.inputs[["project", "path", "formats", "bytes", "sha256"]], extra], ignore_index=True)
    versions = pd.DataFrame(
        [
            {"item": "lockin", "value": __version__},
            {"item": "catalog", "value": assessment.scan.catalog_version},
            {"item": "parameters", "value": f"{assessment.params.origin} (hash {params_hash(assessment.params)})"},
            {"item": "calibration", "value": assessment.scores.portfolio["calibration"]},
            {"item": "benchmark results", "value": f"{len(assessment.hardware.results.frame)} records from {len(assessment.hardware.results.files)} file(s)"},
            {"item": "bundled result files", "value": ", ".join(p.name for p in bundled_result_files())},
            {"item": "inputs", "value": f"{len(inputs):,} file(s), {int(inputs['bytes'].sum()):,} bytes; sha256 over all: {inputs_digest(inputs)}"},
        ]
    )
    return {
        "summary": inputs_summary(inputs),
        "formats": inputs_summary(inputs, by=("format",)),
        "versions": versions,
        "parameters": assessment.params.table(),
        "skipped": assessment.skipped,
        "inputs": inputs,
    }


#: How :func:`inputs_summary` names inputs no reader recognised by format.
NO_FORMAT = "(no format)"


def inputs_summary(inputs: pd.DataFrame, by: tuple[str, ...] = ("project", "format")) -> pd.DataFrame:
    """Number of input files and their bytes per project and format.

    Parameters
    ----------
    inputs : DataFrame
        Columns ``project``, ``formats`` (a file read as several formats
        names them comma-separated, and counts once under that name) and
        ``bytes``.
    by : tuple of str
        ``("project", "format")`` or ``("format",)``.

    Returns
    -------
    DataFrame
        ``by`` columns, then ``inputs`` and ``bytes`` (and ``projects``
        when grouped by format alone), sorted by ``by``.
    """
    columns = [*by, "inputs", "bytes"] + (["projects"] if "project" not in by else [])
    if inputs.empty:
        return pd.DataFrame(columns=columns)
    formats = inputs["formats"].fillna("").astype(str)
    frame = inputs.assign(format=formats.where(formats != "", NO_FORMAT))
    grouped = frame.groupby(list(by), sort=True)
    summary = grouped.agg(inputs=("path", "size"), bytes=("bytes", "sum"))
    if "project" not in by:
        summary["projects"] = grouped["project"].nunique()
    return summary.reset_index()[columns]


def inputs_digest(inputs: pd.DataFrame) -> str:
    """One sha256 over every input, for the report's appendix.

    The digest of the UTF-8 text made of one line ``project/path sha256``
    per input (the file's own sha256 in hex), the lines sorted by code
    point and each ending in a newline; an auditor recomputes it from the
    inputs CSV (see docs/methodology.md, "Provenance"). An empty table
    gives the digest of the empty text.
    """
    lines = sorted(f"{project}/{path} {sha}\n" for project, path, sha in zip(inputs["project"], inputs["path"], inputs["sha256"]))
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def period_figures(assessment: Assessment, period: str) -> dict:
    """The period's figures for the history database (the report's contract)."""
    from lockin.report.figures import SCORE_KEYS, TOTAL_KEYS

    def plain_records(frame: pd.DataFrame, columns) -> list[dict]:
        rows = frame[list(columns)].astype(object).where(frame[list(columns)].notna(), None)
        return [{k: _plain(v) for k, v in row.items()} for row in rows.to_dict("records")]

    scores = assessment.scores
    return {
        "period": period,
        "catalog_version": assessment.scan.catalog_version,
        "params_hash": params_hash(assessment.params),
        "scores": plain_records(scores.projects, SCORE_KEYS),
        "portfolio": plain_records(scores.frame[scores.frame["record"] == PORTFOLIO_RECORD], TOTAL_KEYS)[0],
    }


def _plain(value):
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _shown_path(path: Path) -> str:
    """A bundled file as ``data/…``, so the digest of the same data is the same in every checkout and installation."""
    return bundled_name(path) or str(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
