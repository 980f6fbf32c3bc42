"""``lockin report``: the click command.

Registered on the ``lockin`` group with ``main.add_command(report)``; also
runnable on its own as ``python -m lockin.report.command``.
"""

from __future__ import annotations

from pathlib import Path

import click

from lockin.errors import LockinError
from lockin.report import run
from lockin.shortlist import DEFAULT_TOP
from lockin.report.periods import CADENCES, PeriodError, resolve_period
from lockin.redact import redact
from lockin.report.run import DEFAULT_TIMEOUT, HISTORY_FILE, Interrupted, ReportError, ReportSettings, SettingsError, render_period, sample_portfolio_dir

EPILOG = """\b
Examples:
  lockin report --period auto                       this month, sample portfolio, into reports/
  lockin report --period 2026-Q4 --portfolio ~/portfolio --params params.yml --out /srv/lockin/reports
  lockin report --period 2026-11 --portfolio ~/portfolio --catalog ~/our-catalog
  lockin report --period auto --cadence quarter --history /var/lib/lockin/history.sqlite --no-progress
"""


@click.command("report", epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--period", required=True, metavar="P|auto", help="The period to report on: a month (2026-11), a quarter (2026-Q4), or auto for the current one (see --cadence).")
@click.option("--portfolio", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None, help="The portfolio folder (default: the bundled sample portfolio).")
@click.option("--params", "params_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None, help="Scoring parameters (YAML) to use instead of the defaults.")
@click.option("--catalog", "catalog_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="A catalog folder of your own whose rows add to or override the bundled catalog, as for scan (repeatable).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"), show_default=True, help="Output folder: receives <period>/, index.html and the history (created if missing, but not its parent).")
@click.option("--history", "history_db", type=click.Path(dir_okay=False, path_type=Path), default=None, help=f"History database (SQLite) [default: OUT/{HISTORY_FILE}].")
@click.option("--top", type=click.IntRange(min=0), default=DEFAULT_TOP, show_default=True, help="Rows of the report's longest tables and figures (projects, roadblocks, skipped inputs; 0: all); the full tables are CSV files beside the report.")
@click.option("--cadence", type=click.Choice(CADENCES), default="month", show_default=True, help="What --period auto means: the current month or quarter.")
@click.option("--timeout", type=click.IntRange(min=1), default=DEFAULT_TIMEOUT, show_default=True, help="Seconds one notebook cell may run before the report fails.")
@click.option("--no-progress", is_flag=True, help="Do not show progress bars on standard error.")
def report(period, portfolio, params_file, catalog_dirs, out_dir, history_db, top, cadence, timeout, no_progress):
    """Render the strategy report for one period.

    Executes the report notebooks with papermill on the portfolio, writes
    OUT/<period>/ with the executed notebooks, strategy_report.html and
    strategy_report.pdf, records the period's figures in the history
    (replacing that period if it was rendered before) and rewrites
    OUT/index.html. Prints the PDF's path on standard output.

    Settings are checked before any notebook runs (parameters, catalogs,
    output folder, history); a wrong one exits with status 2 and one line
    naming the file and the problem. On failure the exit status is 1, the
    failed notebook is kept under OUT/failed/ (the path is printed), and
    earlier reports and the history are left as they were. SIGINT and
    SIGTERM end the run with status 130 and 143, leaving OUT as it was.
    Runs on the same OUT wait for each other.
    """
    try:
        resolved = resolve_period(period, cadence)
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="'--period'") from None
    settings = ReportSettings(
        period=str(resolved),
        portfolio=portfolio or sample_portfolio_dir(),
        out_dir=out_dir,
        params_file=params_file,
        catalog_dirs=tuple(catalog_dirs),
        top=top,
        history_db=history_db,
        timeout=timeout,
        progress=not no_progress,
        # Looked up at call time so tests can point the command at small notebooks.
        notebooks_dir=run.bundled_notebooks_dir(),
        notebooks=run.NOTEBOOKS,
    )
    click.echo(f"lockin report: period {resolved}, portfolio {settings.portfolio}", err=True)
    try:
        outcome = render_period(settings, say=lambda message: click.echo(f"lockin report: {message}", err=True))
    except SettingsError as error:
        click.echo(f"lockin report: {redact(str(error))}; nothing was run", err=True)
        click.get_current_context().exit(2)
    except Interrupted as stop:
        click.echo(f"lockin report: {_interrupted_line(stop)}", err=True)
        click.get_current_context().exit(stop.exit_status)
    except ReportError as error:
        click.echo(f"lockin report: failed: {error}", err=True)
        if error.kept is not None:
            what = "notebook (with its traceback)" if error.kept.suffix == ".ipynb" else "run"
            click.echo(f"lockin report: the failed {what} is kept at {error.kept}", err=True)
        click.echo("lockin report: earlier reports, index.html and the history are unchanged", err=True)
        click.get_current_context().exit(1)
    except LockinError as error:  # an input the user gave (parameters, portfolio.yml …): file, line, problem
        raise click.ClickException(str(error)) from None
    click.echo(
        f"lockin report: {outcome.folder} written in {outcome.seconds:.1f} s "
        f"(index {outcome.index}, history {outcome.history_db})",
        err=True,
    )
    click.echo(str(outcome.pdf))


def _interrupted_line(stop: Interrupted) -> str:
    if stop.published is not None:
        return f"interrupted ({stop.signal_name}) after the report was published in {stop.published}"
    return f"interrupted ({stop.signal_name}); earlier reports, index.html and the history are unchanged"


if __name__ == "__main__":
    report()
