"""The ``lockin`` command line.

Every command writes its result to standard output, or to ``--out FILE``;
progress bars and warnings go to standard error, so output can be piped.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import click

from lockin import __version__
from lockin.catalog import TARGET_VENDORS, load_catalog
from lockin.output import FORMATS, TABLE_COLUMNS, RecordWriter, write_frame
from lockin.records import COMPONENT_COLUMNS, FINDING_COLUMNS, InputError

#: How many skipped inputs are echoed to stderr before the rest are counted.
MAX_SKIPS_ECHOED = 40

EPILOG = """\b
Examples:
  lockin scan data/portfolio                      findings of the sample portfolio, as a table
  lockin scan data/portfolio --format json --out findings.json
  lockin scan ~/src/my-trainer --project my-trainer --target amd
  lockin scan data/portfolio --catalog ~/our-catalog   add or override catalog rows
  lockin inventory data/portfolio --format csv    every dependency the parsers read
  lockin catalog import-hipify HIPIFY/docs/tables --out ~/our-catalog
"""


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="lockin")
def main() -> None:
    """Assess how tied AI software is to one accelerator vendor.

    lockin reads what a portfolio of projects depends on (pip, conda and
    lock files, SBOMs, Dockerfiles, Kubernetes and Slurm manifests, CMake
    and setup.py) and scans its CUDA/HIP/C++ and Python source, then lists
    every piece of vendor-bound evidence with how portable it is to the
    target vendor and what replaces it there.

    A PORTFOLIO is a folder whose immediate subfolders are the projects (or
    which has a portfolio.yml naming them). Nothing from a scanned project
    is ever executed.
    """


def _common_scan_options(function):
    for option in reversed(
        [
            click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)),
            click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."),
            click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of standard output."),
            click.option("--catalog", "catalog_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="A catalog folder of your own whose rows add to or override the bundled catalog (repeatable)."),
            click.option("--target", type=click.Choice(TARGET_VENDORS), default="amd", show_default=True, help="The vendor a move would go to; portability is judged against it."),
            click.option("--project", "project_name", help="Treat each PATH as one project with this name instead of a portfolio."),
            click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True, help="Worker processes (0: one per CPU)."),
            click.option("--max-file-size", type=click.IntRange(min=1), default=8, show_default=True, help="Skip (and list) files larger than this many MiB."),
            click.option("--no-progress", is_flag=True, help="Do not show a progress bar on standard error."),
        ]
    ):
        function = option(function)
    return function


@main.command()
@_common_scan_options
def scan(paths, fmt, out, catalog_dirs, target, project_name, jobs, max_file_size, no_progress):
    """List the vendor-bound evidence in PATHS, one record per finding.

    Each finding has: project, path (relative to the project root), line,
    kind, name, vendor, layer, portability (portable, translatable,
    replaceable, rewrite — towards --target), alternative, evidence, and the
    catalog row's family, note and source. The table format ends with a
    per-project summary whose conversion_pct is the share of source-code
    references a mechanical translator such as HIPIFY handles. Inputs that
    could not be read are listed on standard error (and in the table).
    """
    stream = _stream(paths, catalog_dirs, target, project_name, jobs, max_file_size, no_progress, render=None if fmt == "table" else fmt)
    with _output(out) as sink:
        if fmt == "table":
            from lockin.scan import collect

            result = collect(stream)
            write_frame(result.findings[list(TABLE_COLUMNS)], sink, "table", "Findings")
            write_frame(result.summary, sink, "table", f"Summary (target: {target}, catalog {result.catalog_version})")
            write_frame(result.skipped, sink, "table", "Skipped inputs")
            totals = result.summary.iloc[-1]
        else:
            totals = _stream_records(stream, sink, fmt, target)
            _report_skips(stream.all_skips)
    click.echo(
        f"lockin: {len(stream.projects)} project(s), {totals['files']} file(s) read, "
        f"{totals['findings']} finding(s), {totals['roadblocks']} roadblock(s), {totals['skipped']} skipped",
        err=True,
    )


@main.command()
@_common_scan_options
def inventory(paths, fmt, out, catalog_dirs, target, project_name, jobs, max_file_size, no_progress):
    """List every component (dependency) the inventory parsers read in PATHS.

    One record per package, index, image, cluster resource, build setting or
    environment variable, vendor-bound or not: project, path, line, kind,
    name, spec, ecosystem, evidence.
    """
    stream = _stream(paths, catalog_dirs, target, project_name, jobs, max_file_size, no_progress)
    with _output(out) as sink:
        if fmt == "table":
            import pandas as pd

            rows = [c for outcome in stream for c in outcome.components]
            write_frame(pd.DataFrame.from_records(rows, columns=list(COMPONENT_COLUMNS)), sink, "table", "Components")
        else:
            writer = RecordWriter(sink, COMPONENT_COLUMNS, fmt)
            for outcome in stream:
                writer.write_all(outcome.components)
            writer.close()
    _report_skips(stream.all_skips)


@main.group()
def catalog() -> None:
    """Inspect, validate and extend the vendor catalog."""


@catalog.command("show")
@click.option("--catalog", "catalog_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="Extra catalog folders, as for scan.")
@click.option("--kind", help="Only rows of this kind (package, index, image, cluster, build, env, include, api, construct, module).")
@click.option("--vendor", help="Only rows of this vendor.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path))
def catalog_show(catalog_dirs, kind, vendor, fmt, out):
    """Print the catalog rows in force (bundled plus --catalog folders)."""
    frame = _load_catalog_or_exit(catalog_dirs).frame()
    if kind:
        frame = frame[frame["kind"] == kind]
    if vendor:
        frame = frame[frame["vendor"] == vendor.lower()]
    with _output(out) as sink:
        write_frame(frame, sink, fmt)


@catalog.command("validate")
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
def catalog_validate(folders):
    """Check catalog FOLDERS (every *.csv) and list each problem with file and line."""
    from lockin.catalog.load import problems_in_catalog_dir

    problems = [p for folder in folders for p in problems_in_catalog_dir(folder)]
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"lockin: {len(folders)} catalog folder(s) valid", err=True)


@catalog.command("import-hipify")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="The user catalog folder to write (created if missing).")
@click.option("--label", default="", help="Where the tables come from, recorded in each row's source (e.g. 'ROCm/HIPIFY docs/tables @ rocm-6.3.0').")
def catalog_import_hipify(paths, out_dir, label):
    """Import HIPIFY's CUDA→HIP tables into a user catalog folder.

    PATHS are HIPIFY's markdown tables (files, or a folder such as a HIPIFY
    checkout's docs/tables) or `hipify-clang --csv` output. Use the folder
    with `lockin scan --catalog OUT_DIR`.
    """
    from lockin.catalog.hipify import import_hipify_to_folder

    try:
        written, problems = import_hipify_to_folder(paths, out_dir, source_label=label)
    except InputError as exc:
        raise click.ClickException(str(exc)) from exc
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)
    for path, count in written:
        click.echo(f"wrote {count} row(s) to {path}", err=True)
    if not written:
        raise click.ClickException("no HIPIFY table rows found in the given paths")


def _stream(paths, catalog_dirs, target, project_name, jobs, max_file_size, no_progress, render=None):
    from lockin.scan import ScanOptions, ScanStream

    options = ScanOptions(
        target=target,
        catalog_dirs=catalog_dirs,
        project_name=project_name,
        jobs=jobs,
        max_file_bytes=max_file_size * 1024 * 1024,
        progress=False if no_progress else None,
        render=render,
    )
    catalog = _load_catalog_or_exit(catalog_dirs)
    try:
        return ScanStream(paths, options, catalog)
    except InputError as exc:
        raise click.ClickException(str(exc)) from exc


def _load_catalog_or_exit(catalog_dirs):
    try:
        return load_catalog(catalog_dirs)
    except InputError as exc:
        raise click.ClickException(f"catalog: {exc}") from exc


def _stream_records(stream, sink, fmt, target) -> dict:
    """Write findings as workers render them, file by file; return the totals."""
    from lockin.summary import SummaryBuilder

    summary = SummaryBuilder(target)
    writer = RecordWriter(sink, FINDING_COLUMNS, fmt)
    for outcome in stream:
        writer.write_rendered(outcome.rendered, outcome.rendered_count)
        summary.add(outcome)
    writer.close()
    summary.add_skips(stream.all_skips)
    return summary.totals([p.name for p in stream.projects])


def _report_skips(skips) -> None:
    from lockin.redact import redact

    for project, problem in skips[:MAX_SKIPS_ECHOED]:
        click.echo(f"skipped: {project}/{redact(str(problem))}", err=True)
    if len(skips) > MAX_SKIPS_ECHOED:
        click.echo(f"skipped: … and {len(skips) - MAX_SKIPS_ECHOED} more (use --format table to list all)", err=True)


@contextlib.contextmanager
def _output(out: Path | None) -> Iterator[IO[str]]:
    if out is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        yield handle
