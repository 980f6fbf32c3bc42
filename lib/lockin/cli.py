"""The ``lockin`` command line.

Every command writes its result to standard output, or to ``--out FILE``;
progress bars and warnings go to standard error, so output can be piped.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import click

from lockin import __version__
from lockin.catalog import TARGET_VENDORS, load_catalog
from lockin.output import FORMATS, TABLE_COLUMNS, RecordWriter, write_frame
from lockin.errors import LockinError
from lockin.records import COMPONENT_COLUMNS, FINDING_COLUMNS, InputError

#: Parity columns the table format shows (json and csv carry all).
PARITY_TABLE_COLUMNS = ("workload", "scenario", "round", "baseline_value", "target_value", "unit", "ratio", "flags", "baseline_record", "target_record")

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
  lockin parity --baseline H100 --target MI300X   per-accelerator MLPerf parity
  lockin parity --baseline H200 --target MI325X --results summary_results.json
  lockin fleet data/fleet/fleet.csv --move 25 --to amd   shares, HHI, energy
  lockin score data/portfolio                     lock-in ratio, rating, effort P10/P50/P90, NPV per project
  lockin score data/portfolio --params params.yml --format json
  lockin report --period auto                     the strategy report (HTML + PDF) into reports/<period>/
  lockin init my-portfolio                        a commented portfolio.yml, params.yml and README to start from
  lockin report --period auto --portfolio my-portfolio --params my-portfolio/params.yml
  lockin notebooks ~/lockin-notebooks             the report notebooks, to open in JupyterLab
  lockin calibrate --trees ~/ports                the effort model on real ports, before and after calibration
"""


class _LazyGroup(click.Group):
    """A group some of whose commands are imported only when used.

    ``lockin report`` pulls in papermill, nbconvert and WeasyPrint; a scan,
    whose start-up the benchmark times, should not pay for them.
    """

    lazy = {"report": "lockin.report.command:report"}

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy})

    def invoke(self, ctx):
        # Errors users cause are printed as "file:line: problem"; any other
        # exception is a bug and keeps its traceback.
        try:
            return super().invoke(ctx)
        except LockinError as exc:
            raise click.ClickException(str(exc)) from None

    def get_command(self, ctx, name):
        if name in self.lazy:
            import importlib

            module, attribute = self.lazy[name].split(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


#: Where every command that writes records sends them.
_out_option = click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of standard output (its folder must exist; an input of the command is never overwritten).")

#: Only commands that judge portability take a target; inventory lists
#: components, which are the same whatever vendor a move would go to.
_target_option = click.option("--target", type=click.Choice(TARGET_VENDORS), default="amd", show_default=True, help="The vendor a move would go to; portability is judged against it.")


#: Per-file bounds (lockin.scan.budget): a file over either is stopped and listed as skipped.
_budget_options = [
    click.option("--file-timeout", type=click.FloatRange(min=0), default=10.0, show_default=True, help="Stop (and list) a file whose reading takes longer than this many seconds (0: no limit)."),
    click.option("--file-memory", type=click.IntRange(min=0), default=1024, show_default=True, help="Stop (and list) a file whose reading needs more than this many MB of memory (0: no limit)."),
]


def _common_scan_options(function):
    for option in reversed(
        [
            click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)),
            click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."),
            _out_option,
            click.option("--catalog", "catalog_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="A catalog folder of your own whose rows add to or override the bundled catalog (repeatable)."),
            click.option("--project", "project_name", help="Treat each PATH as one project with this name instead of a portfolio."),
            click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True, help="Worker processes (0: one per CPU)."),
            click.option("--max-file-size", type=click.IntRange(min=1), default=8, show_default=True, help="Skip (and list) files larger than this many MiB."),
            *_budget_options,
            click.option("--no-progress", is_flag=True, help="Do not show a progress bar on standard error."),
        ]
    ):
        function = option(function)
    return function


@main.command()
@_common_scan_options
@_target_option
def scan(paths, fmt, out, catalog_dirs, target, project_name, jobs, max_file_size, file_timeout, file_memory, no_progress):
    """List the vendor-bound evidence in PATHS, one record per finding.

    Each finding has: project, path (relative to the project root), line,
    kind, name, vendor, layer, portability (portable, translatable,
    replaceable, rewrite — towards --target), alternative, evidence, and the
    catalog row's family, note and source. The table format ends with a
    per-project summary whose conversion_pct is the share of source-code
    references a mechanical translator such as HIPIFY handles. Inputs that
    could not be read are listed on standard error (and in the table).
    """
    stream = _stream(paths, catalog_dirs, target, project_name, jobs, max_file_size, no_progress, render=None if fmt == "table" else fmt, budget=(file_timeout, file_memory))
    with _output(out, inputs=(*paths, *catalog_dirs)) as sink:
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
def inventory(paths, fmt, out, catalog_dirs, project_name, jobs, max_file_size, file_timeout, file_memory, no_progress):
    """List every component (dependency) the inventory parsers read in PATHS.

    One record per package, index, image, cluster resource, build setting or
    environment variable, vendor-bound or not: project, path, line, kind,
    name, spec, ecosystem, evidence. The list is the same whatever vendor a
    move would go to, so there is no --target; `lockin scan --target` judges
    portability.
    """
    # Any target will do: it changes findings, never the components listed here.
    stream = _stream(paths, catalog_dirs, "amd", project_name, jobs, max_file_size, no_progress, budget=(file_timeout, file_memory))
    with _output(out, inputs=(*paths, *catalog_dirs)) as sink:
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


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Write into a folder that is not empty, replacing the scaffold's own files.")
def init(folder, force):
    """Start a portfolio of your own in FOLDER.

    Writes a commented portfolio.yml (every field, with what it changes in
    the report) and one example project, a params.yml holding every
    parameter at its documented default, and a README on running the
    report on a schedule. Then: lockin report --period auto --portfolio
    FOLDER --params FOLDER/params.yml. FOLDER must be empty or missing
    unless --force.
    """
    from lockin.scaffold import scaffold

    for path in scaffold(folder, force=force):
        click.echo(path)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace notebooks of the same name already in FOLDER.")
def notebooks(folder, force):
    """Copy the report notebooks into FOLDER, to open them in JupyterLab.

    Their parameter cells default to the bundled sample portfolio; set
    portfolio (and params_file) to yours. Nothing is copied if a notebook
    of the same name is already there, unless --force.
    """
    from lockin.resources import copy_notebooks

    for path in copy_notebooks(folder, force=force):
        click.echo(path)


@main.group()
def catalog() -> None:
    """Inspect, validate and extend the vendor catalog."""


@catalog.command("show")
@click.option("--catalog", "catalog_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="Extra catalog folders, as for scan.")
@click.option("--kind", help="Only rows of this kind (package, index, image, cluster, build, env, include, api, construct, module).")
@click.option("--vendor", help="Only rows of this vendor.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@_out_option
def catalog_show(catalog_dirs, kind, vendor, fmt, out):
    """Print the catalog rows in force (bundled plus --catalog folders)."""
    frame = _load_catalog_or_exit(catalog_dirs).frame()
    if kind:
        frame = frame[frame["kind"] == kind]
    if vendor:
        frame = frame[frame["vendor"] == vendor.lower()]
    with _output(out, inputs=catalog_dirs) as sink:
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


#: Score columns the table format shows (json and csv carry all).
SCORE_TABLE_COLUMNS = (
    "record", "project", "rating", "lockin_ratio", "roadblocks", "readiness", "effort_pm_p10", "effort_pm_p50", "effort_pm_p90",
    "code_pm", "libraries_pm", "platform_pm", "performance_ratio", "npv_usd", "breakeven_month", "recommendation",
)  # fmt: skip


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--params", "params_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A YAML file of parameters (prices, energy, horizon, discount rate, labour cost, accelerators, seed …) over the documented defaults.")
@click.option("--target", type=click.Choice(TARGET_VENDORS), help="Vendor a move would go to (default: the parameters' target_vendor, amd).")
@click.option("--seed", type=click.IntRange(min=0), help="Seed of the Monte Carlo draws (overrides the parameters).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format.")
@_out_option
@click.option("--catalog", "catalog_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="Extra catalog folders, as for scan.")
@click.option("--project", "project_name", help="Treat each PATH as one project with this name instead of a portfolio.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True, help="Worker processes for the scan (0: one per CPU).")
@_budget_options[0]
@_budget_options[1]
@click.option("--no-progress", is_flag=True, help="Do not show a progress bar on standard error.")
def score(paths, params_file, target, seed, fmt, out, catalog_dirs, project_name, jobs, file_timeout, file_memory, no_progress):
    """Score how locked in each project is and what moving would cost and return.

    One record per project (record 'project') and last the totals (record
    'portfolio', with no project name): lockin_ratio (migration
    effort over development cost, as SonarQube's debt ratio) and its rating
    A–E, roadblocks, effort_pm_p10/p50/p90 (person-months, Monte Carlo over
    COCOMO II's reuse model), the dimensions (code_pm, libraries_pm,
    platform_pm, performance_ratio, supply_hhi), NPV of moving over the
    horizon, break-even month and a recommendation (stay, dual-source,
    migrate) with its reasons. Project accelerators, GPU-hours and workloads
    come from portfolio.yml; every formula is in docs/methodology.md.
    """
    from lockin.scan import collect
    from lockin.scoring.parameters import load_parameters
    from lockin.scoring.score import score as score_scan

    try:
        params = load_parameters(params_file, target_vendor=target, seed=seed)
    except InputError as exc:
        raise click.ClickException(str(exc)) from exc
    stream = _stream(paths, catalog_dirs, params.target_vendor, project_name, jobs, 8, no_progress, budget=(file_timeout, file_memory))
    result = collect(stream)
    scores = score_scan(result, params, catalog=stream.catalog)
    with _output(out, inputs=(*paths, *catalog_dirs, params_file)) as sink:
        if fmt == "table":
            shown = scores.frame[list(SCORE_TABLE_COLUMNS)].round({"effort_pm_p10": 1, "effort_pm_p50": 1, "effort_pm_p90": 1, "code_pm": 1, "libraries_pm": 1, "platform_pm": 1, "performance_ratio": 2})
            shown["lockin_ratio"] = shown["lockin_ratio"].map(lambda r: f"{r:.0%}")
            shown["readiness"] = shown["readiness"].map(lambda r: "" if r != r else f"{r:.0%}")
            shown["npv_usd"] = shown["npv_usd"].map(lambda v: "" if v != v else f"{v / 1000:,.0f}k")
            write_frame(shown, sink, fmt, f"Lock-in scores (target: {params.target_vendor} / {params.target_accelerator}; effort in person-months; NPV in USD over {params.horizon_years:g} years)")
            write_frame(scores.frame[["project", "recommendation", "reasons"]], sink, fmt, "Recommendations")
            # One row per distinct roadblock, the count the scores' roadblocks column sums to.
            findings = int(scores.roadblocks["occurrences"].sum())
            title = f"Roadblocks (top 15 of {len(scores.roadblocks)} distinct, by project, kind and name, in {findings} finding(s); most effort first)"
            write_frame(scores.roadblocks.head(15)[["project", "kind", "name", "hours", "occurrences", "locations", "why"]], sink, fmt, title)
            sink.write("\nNotes\n-----\n" + "".join(f"- {note}\n" for note in scores.notes))
        else:
            write_frame(scores.frame, sink, fmt)
    _report_skips(stream.all_skips)
    _report_problems(scores.problems)
    for note in scores.notes:
        click.echo(f"note: {note}", err=True)
    # A project read only in part has figures that are lower bounds: say which.
    for row in scores.projects[scores.projects["incomplete"].fillna("") != ""].itertuples():
        click.echo(f"incomplete: {row.project}: {row.incomplete} (see the skipped inputs); its figures are lower bounds", err=True)
    total = scores.portfolio
    click.echo(
        f"lockin: {len(scores.projects)} project(s), portfolio rating {total['rating']} "
        f"(lock-in ratio {total['lockin_ratio']:.1%}), effort P10/P50/P90 {total['effort_pm_p10']:.1f}/{total['effort_pm_p50']:.1f}/{total['effort_pm_p90']:.1f} PM",
        err=True,
    )


@main.command()
@click.option("--ports", "ports_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="The ports file (default: the bundled data/calibration/ports.csv of real CUDA→ROCm ports).")
@click.option("--trees", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="Folder holding each port's CUDA-only parent tree as TREES/<port_id> (benchmarks/calibration/checkout.sh extracts them).")
@click.option("--params", "params_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Parameters of the effort model (as for score).")
@click.option("--write", "write_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the calibration rows (the model's facts per port, actual_pm the proxy) to this CSV: a calibration_file.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format of the per-port table.")
@_out_option
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True, help="Worker processes for each scan (0: one per CPU).")
@click.option("--no-progress", is_flag=True, help="Do not show a progress bar on standard error.")
def calibrate(ports_file, trees, params_file, write_file, fmt, out, jobs, no_progress):
    """Measure the effort model on real ports and write the calibration fitted on them.

    Scans each port's CUDA-only parent tree, estimates its migration effort
    (uncalibrated), and compares it with the port's effort proxy (person-days
    of its commits and follow-up fixes: docs/methodology.md §3.5). Prints per
    port the proxy, the estimate and the leave-one-out calibrated estimate,
    then the median absolute log error, the worst factor and the rank
    correlation before and after calibration.
    """
    from lockin import resources
    from lockin.scoring.calibration import BUNDLED_CALIBRATION
    from lockin.scoring.parameters import load_parameters
    from lockin.scoring.ports import calibration_table, evaluate, port_facts, read_ports

    try:
        params = load_parameters(params_file, calibration_file="")
        ports = read_ports(ports_file or resources.bundled_file("data/calibration/ports.csv"))
    except InputError as exc:
        raise click.ClickException(str(exc)) from exc
    facts = port_facts(ports, trees, params, jobs=jobs, progress=not no_progress)
    for port_id in facts.attrs.get("missing", []):
        click.echo(f"skipped: {port_id}: no tree {trees / port_id}", err=True)
    table, before, after = evaluate(ports, facts, params)
    with _output(out, inputs=(trees, ports_file, params_file)) as sink:
        shown = table.round({"proxy_pm": 3, "estimate_pm": 3, "calibrated_pm": 3, "factor_estimate": 2, "factor_calibrated": 2})
        write_frame(shown, sink, fmt, "Real ports: effort proxy against the model (person-months; factor = estimate / proxy)" if fmt == "table" else None)
    if write_file is not None:
        # The ports evaluate fitted: marked for use, with vendor-bound work to estimate.
        rows = calibration_table(ports, facts[facts["project"].isin(table.loc[table["fitted"], "port_id"])], params)
        rows.to_csv(write_file, index=False)
        click.echo(f"wrote {write_file} ({len(rows)} ports; bundled as {BUNDLED_CALIBRATION})", err=True)
    for label, measures in (("before (uncalibrated)", before), ("after (leave-one-out)", after)):
        click.echo(
            f"lockin: {label}: {measures['n']} ports, median |log error| {measures['mdale']:.2f} (×{measures['median_factor']:.2f}), "
            f"worst ×{measures['worst_factor']:.1f}, rank correlation {measures['spearman']:.2f}",
            err=True,
        )


def _benchmark_options(function):
    for option in reversed(
        [
            click.option("--results", "result_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Benchmark results of your own: MLPerf summary_results.json or the results CSV (repeatable); they extend the bundled curated MLPerf set."),
            click.option("--no-bundled", is_flag=True, help="Use only --results files, not the bundled MLPerf set."),
            click.option("--specs", "spec_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="An accelerator spec table whose rows add to or replace the bundled ones (repeatable)."),
            click.option("--prices", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Price parameters (model, purchase_usd, hourly_usd) instead of the bundled illustrative ones."),
            click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."),
            _out_option,
        ]
    ):
        function = option(function)
    return function


@main.command()
@click.option("--baseline", required=True, help="The accelerator you run on now (e.g. H100, 'NVIDIA H100-SXM-80GB').")
@click.option("--target", required=True, help="The accelerator you consider (e.g. MI300X).")
@_benchmark_options
@click.option("--pick", type=click.Choice(["best", "median"]), default="best", show_default=True, help="Which submission stands for an accelerator when several systems ran the same test.")
@click.option("--round", "rounds", multiple=True, help="Only this benchmark round, e.g. 'Inference v5.1' (repeatable). Default: per workload, the latest round both ran.")
@click.option("--all-rounds", is_flag=True, help="One record per round instead of the latest only.")
@click.option("--include-preview", is_flag=True, help="Also use systems that were not yet available (MLPerf 'preview').")
@click.option("--estimate", is_flag=True, help="Add transfer-model estimates (labelled) for workloads measured on the baseline only.")
@click.option("--list-excluded", is_flag=True, help="List each bundled benchmark record left out (file, line, reason) instead of one summary line.")
def parity(baseline, target, result_files, no_bundled, spec_files, prices, fmt, out, pick, rounds, all_rounds, include_preview, estimate, list_excluded):
    """Per-accelerator performance of TARGET against BASELINE, workload by workload.

    Compares like with like (same round, closed division, same model and
    accuracy target, same scenario). ratio = target over baseline, above 1
    means the target does more work per accelerator; time-to-train results
    are inverted so that holds for them too. Differences in precision or
    accelerator count are flagged. The last record is the geometric mean.
    Records each value came from are named in baseline_record/target_record.
    """
    from lockin.hardware.parity import estimated_parity
    from lockin.hardware.parity import parity as compare

    specs, results = _load_benchmarks_or_exit(result_files, spec_files, prices, not no_bundled)
    base, targ = _resolve_or_exit(specs, baseline), _resolve_or_exit(specs, target)
    found = compare(results.frame, base, targ, pick=pick, rounds=list(rounds) or None, latest_only=not all_rounds, include_preview=include_preview)
    frame = found.frame
    if estimate:
        import pandas as pd

        from lockin.hardware.transfer import TransferModel

        model = TransferModel().fit(results.frame, specs)
        guesses = estimated_parity(results.frame, found.comparisons, base, targ, model)
        frame = pd.concat([found.comparisons, guesses, frame[frame["workload"] == "geomean"]], ignore_index=True)
    problems = [*results.problems, *found.problems]
    if frame.empty:
        _report_problems(problems, list_bundled=list_excluded)
        raise click.ClickException(f"no workload was measured on both {base} and {targ} under the same rules; nothing to compare")
    with _output(out, inputs=(*result_files, *spec_files, prices)) as sink:
        if fmt == "table":
            shown = frame[list(PARITY_TABLE_COLUMNS)].astype({"baseline_value": float, "target_value": float, "ratio": float})
            shown = shown.round({"baseline_value": 2, "target_value": 2, "ratio": 3})
            write_frame(shown, sink, fmt, f"Parity: {targ} vs {base} ({pick} per-accelerator result; ratio above 1: {targ} faster)")
        else:
            write_frame(frame, sink, fmt)
    _report_problems(problems, list_bundled=list_excluded)
    click.echo(f"lockin: {len(found.comparisons)} comparison(s), geometric mean ratio {found.geomean:.3f} ({targ} over {base})", err=True)


@main.command()
@click.argument("fleet_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_benchmark_options
@click.option("--regime", type=click.Choice(["2023", "2010"]), default="2023", show_default=True, help="HHI thresholds: 2023 Merger Guidelines (1,000/1,800) or 2010 (1,500/2,500).")
@click.option("--basis", type=click.Choice(["count", "compute", "power"]), default="compute", show_default=True, help="What a share is measured in, for the headline concentration and the what-if.")
@click.option("--grid-intensity", type=click.FloatRange(min=0), default=0.436, show_default=True, help="Grid carbon intensity, kg CO2e per kWh (default: world average 2022, Ember).")
@click.option("--pue", type=click.FloatRange(min=1, max=3), default=1.58, show_default=True, help="PUE for rows that give none (default: industry average 2023, Uptime Institute).")
@click.option("--move", "move_percent", type=click.FloatRange(min=0, max=100), help="What-if: move this percent of the fleet (by --basis) to --to.")
@click.option("--to", "move_to", help="Vendor a what-if move goes to (e.g. amd).")
@click.option("--from", "move_from", help="Vendor a what-if move comes from (default: the largest).")
@click.option("--target-model", help="Also estimate energy and emissions of the same work on this accelerator (e.g. MI300X).")
def fleet(fleet_file, result_files, no_bundled, spec_files, prices, fmt, out, regime, basis, grid_intensity, pue, move_percent, move_to, move_from, target_model):
    """Vendor shares, concentration (HHI), annual energy and emissions of a fleet.

    FLEET_FILE is a CSV with site, vendor, model, count, utilisation,
    power_w (measured average draw per accelerator; board power when
    empty), pue, purchase_usd, hourly_usd. One record per vendor and an
    'all' record with the HHI by count, compute and power.
    """
    from lockin.hardware.fleet import read_fleet, summarize_fleet

    specs, results = _load_benchmarks_or_exit(result_files, spec_files, prices, not no_bundled)
    installed = read_fleet(fleet_file, specs, default_pue=pue)
    ratios, notes = {}, []
    if target_model:
        ratios, notes = _fleet_ratios(installed, _resolve_or_exit(specs, target_model), specs, results)
    try:
        summary = summarize_fleet(
            installed, regime=regime, basis=basis, grid_kg_per_kwh=grid_intensity, move_percent=move_percent,
            move_to=move_to, move_from=move_from, target_model=target_model, target_ratios=ratios, specs=specs,
        )  # fmt: skip
    except LockinError:
        _report_problems(installed.problems)
        raise
    with _output(out, inputs=(fleet_file, *result_files, *spec_files, prices)) as sink:
        if fmt == "table":
            for title, table in summary.tables().items():
                write_frame(table, sink, fmt, title)
        else:
            write_frame(summary.vendors, sink, fmt)
    _report_problems(installed.problems)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    headline = summary.hhi[basis]
    click.echo(f"lockin: HHI by {basis} {headline:,.0f} ({summary.vendors.iloc[-1][f'concentration_{basis}']})", err=True)
    if summary.whatif:
        w = summary.whatif
        click.echo(f"lockin: moving {w['percent']:g}% from {w['from']} to {w['to']}: HHI {w['hhi_before']:,.0f} → {w['hhi_after']:,.0f} ({w['concentration_after']})", err=True)


def _fleet_ratios(installed, target, specs, results):
    from lockin.hardware.parity import ratio_between
    from lockin.hardware.transfer import TransferModel

    model = None
    ratios, notes = {}, []
    for name in sorted(set(installed.frame["model"])) if not installed.frame.empty else []:
        if name == target:
            continue
        try:
            ratios[name], basis = ratio_between(results.frame, name, target, model)
        except LockinError:  # not measured like for like: estimate
            model = model or TransferModel().fit(results.frame, specs)
            ratios[name], basis = ratio_between(results.frame, name, target, model)
        notes.append(f"{target} over {name}: {ratios[name]:.2f} ({basis})")
    return ratios, notes


def _load_benchmarks_or_exit(result_files, spec_files, prices, bundled):
    from lockin.hardware.results import load_benchmarks

    try:
        return load_benchmarks(result_files, spec_files=spec_files, prices=prices, bundled=bundled)
    except InputError as exc:
        raise click.ClickException(str(exc)) from exc


def _resolve_or_exit(specs, name: str) -> str:
    return specs.resolve(name)  # an unknown name is a UsageError, printed as such


def _report_problems(problems, *, list_bundled: bool = False) -> None:
    from lockin.hardware.results import exclusion_note, split_bundled
    from lockin.redact import redact

    if not list_bundled:
        # The bundled data's exclusions are the same on every run: one line, not noise.
        problems, bundled = split_bundled(problems)
        if bundled:
            click.echo(f"note: {redact(exclusion_note(bundled))}", err=True)
    for problem in problems[:MAX_SKIPS_ECHOED]:
        click.echo(f"skipped: {redact(str(problem))}", err=True)
    if len(problems) > MAX_SKIPS_ECHOED:
        click.echo(f"skipped: … and {len(problems) - MAX_SKIPS_ECHOED} more", err=True)


def _stream(paths, catalog_dirs, target, project_name, jobs, max_file_size, no_progress, render=None, budget=(10.0, 1024)):
    from lockin.scan import ScanOptions, ScanStream

    file_seconds, file_memory_mb = budget
    options = ScanOptions(
        file_seconds=file_seconds,
        file_memory_mb=file_memory_mb,
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
    from lockin.scan.summary import SummaryBuilder

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
def _output(out: Path | None, inputs: Iterable[Path | None] = ()) -> Iterator[IO[str]]:
    """Standard output, or the file ``--out`` names, checked before anything is written.

    Parameters
    ----------
    out : pathlib.Path or None
    inputs : iterable of path
        What the command reads: folders (scanned PATHS, catalogs) and files;
        None entries are ignored.

    Raises
    ------
    click.BadParameter
        If the file's folder does not exist (a typo would otherwise create
        a chain of folders where nobody looks) or if the file is an input:
        an existing file inside one of the folders, or one of the files.
    """
    if out is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    _require_output_folder(out)
    _refuse_overwriting_an_input(out, [Path(path) for path in inputs if path is not None])
    with out.open("w", encoding="utf-8", newline="") as handle:
        yield handle


def _require_output_folder(out: Path) -> None:
    from lockin.paths import parent_folder_problem

    if problem := parent_folder_problem(out):
        raise click.BadParameter(f"{out}: {problem}", param_hint="'--out'")


def _refuse_overwriting_an_input(out: Path, inputs: list[Path]) -> None:
    if not out.exists():
        return
    # resolve(): a relative path, a symlink or ".." must not slip past the comparison.
    target = out.resolve()
    for source in inputs:
        resolved = source.resolve()
        if target == resolved or (resolved.is_dir() and target.is_relative_to(resolved)):
            where = f"inside {source}" if resolved.is_dir() else "an input file"
            raise click.BadParameter(f"{out} is {where}; refusing to overwrite an input (write the output elsewhere)", param_hint="'--out'")
