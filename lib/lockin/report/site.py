"""The output folder as a small static site: ``index.html`` and per-report manifests.

Every report folder (``DIR/<period>/``) carries a ``report.json`` saying
when it was rendered and what it holds; ``DIR/index.html`` lists every
report folder present, newest period first, with links to its HTML, PDF,
notebooks and the full tables (every ``*.csv`` in the folder). The index is rebuilt from the folders themselves, so it can
never list a report that is not there.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from lockin.report.periods import is_period, period_sort_key

#: The per-report manifest.
MANIFEST_FILE = "report.json"

#: The site's front page.
INDEX_FILE = "index.html"

REPORT_HTML = "strategy_report.html"
REPORT_PDF = "strategy_report.pdf"


@dataclass(frozen=True)
class ReportEntry:
    """One report folder, as the index lists it."""

    period: str
    rendered_at: str
    html: str | None
    pdf: str | None
    notebooks: tuple[str, ...]
    tables: tuple[str, ...] = ()


def write_manifest(folder: str | Path, *, period: str, rendered_at: dt.datetime, notebooks: list[str], extra: dict | None = None) -> Path:
    """Write ``report.json`` into a report folder.

    Parameters
    ----------
    folder : path
    period : str
    rendered_at : datetime.datetime
    notebooks : list of str
        The executed notebooks' file names, in execution order.
    extra : dict, optional
        More keys to record (e.g. the lockin version).

    Returns
    -------
    pathlib.Path

    Notes
    -----
    ``tables`` lists the CSV files in the folder when it is written (the
    report's full tables, see :mod:`lockin.report.tables`).
    """
    manifest = {"period": period, "rendered_at": _utc_text(rendered_at), "notebooks": list(notebooks), "tables": list(_tables(Path(folder))), **(extra or {})}
    path = Path(folder) / MANIFEST_FILE
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def list_reports(out_dir: str | Path) -> list[ReportEntry]:
    """Every report folder in ``out_dir``, newest period first.

    Only folders named like a period count, so ``failed/`` and staging
    folders never show up.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    folders = [path for path in out_dir.iterdir() if path.is_dir() and is_period(path.name)]
    folders.sort(key=lambda path: period_sort_key(path.name), reverse=True)
    return [_entry(folder) for folder in folders]


def index_html(entries: list[ReportEntry], generated_at: dt.datetime) -> str:
    """The index page listing ``entries`` in the order given."""
    rows = "\n".join(_row(entry) for entry in entries) or '<tr><td colspan="5">No reports yet.</td></tr>'
    return _PAGE.format(rows=rows, generated=html.escape(_utc_text(generated_at)))


def write_index(out_dir: str | Path, generated_at: dt.datetime | None = None) -> Path:
    """Rewrite ``out_dir/index.html`` atomically.

    A reader (a web server, a colleague's browser) sees the old index or
    the new one, never half of one: the page is written to a temporary file
    in the same folder and renamed over the old.

    Returns
    -------
    pathlib.Path
    """
    out_dir = Path(out_dir)
    page = index_html(list_reports(out_dir), generated_at or dt.datetime.now(dt.UTC))
    target = out_dir / INDEX_FILE
    handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=".index-", suffix=".html.tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(page)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _entry(folder: Path) -> ReportEntry:
    manifest = _read_manifest(folder)
    listed = manifest.get("notebooks")
    notebooks = tuple(name for name in listed if (folder / name).is_file()) if isinstance(listed, list) else tuple(sorted(path.name for path in folder.glob("*.ipynb")))
    return ReportEntry(
        period=folder.name,
        rendered_at=str(manifest.get("rendered_at") or _modified_text(folder)),
        html=REPORT_HTML if (folder / REPORT_HTML).is_file() else None,
        pdf=REPORT_PDF if (folder / REPORT_PDF).is_file() else None,
        notebooks=notebooks,
        tables=_tables(folder),
    )


def _tables(folder: Path) -> tuple[str, ...]:
    # What is there, not what the manifest says: a deleted CSV is not linked.
    return tuple(sorted(path.name for path in folder.glob("*.csv") if path.is_file()))


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _modified_text(folder: Path) -> str:
    # Folders from before manifests existed: the report's own time stamp.
    source = folder / REPORT_HTML if (folder / REPORT_HTML).is_file() else folder
    return _utc_text(dt.datetime.fromtimestamp(source.stat().st_mtime, dt.UTC))


def _row(entry: ReportEntry) -> str:
    period = html.escape(entry.period)
    notebooks = " ".join(_link(entry.period, name, name.removesuffix(".ipynb")) for name in entry.notebooks) or "—"
    tables = " ".join(_link(entry.period, name, name.removesuffix(".csv")) for name in entry.tables) or "—"
    return (
        f'<tr id="period-{period}"><th scope="row">{period}</th>'
        f"<td>{_link(entry.period, entry.pdf, 'PDF') if entry.pdf else '—'} "
        f"{_link(entry.period, entry.html, 'HTML') if entry.html else ''}</td>"
        f"<td>{notebooks}</td>"
        f"<td>{tables}</td>"
        f"<td>{html.escape(entry.rendered_at)}</td></tr>"
    )


def _link(period: str, name: str, label: str) -> str:
    href = f"{quote(period)}/{quote(name)}"
    return f'<a href="{html.escape(href)}">{html.escape(label)}</a>'


def _utc_text(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vendor lock-in strategy reports</title>
<style>
body {{ font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #1a1a1a; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: 0.4em 0.8em; border-bottom: 1px solid #ddd; vertical-align: top; }}
td a {{ margin-right: 0.6em; }}
.generated {{ color: #666; font-size: 0.9em; }}
</style>
</head>
<body>
<h1>Vendor lock-in strategy reports</h1>
<p>One report per period, newest first. Each has the PDF, the same report as HTML, the executed notebooks it was made from, and its full tables as CSV.</p>
<table>
<thead><tr><th scope="col">Period</th><th scope="col">Report</th><th scope="col">Notebooks</th><th scope="col">Tables (CSV)</th><th scope="col">Rendered</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p class="generated">Index generated {generated}.</p>
</body>
</html>
"""
