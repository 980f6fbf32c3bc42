"""``lockin init DIR``: a new user's portfolio, parameters and schedule notes.

The scaffold is what a new user needs to go from an installed wheel to
their own first report: a ``portfolio.yml`` explaining every field with one
example project, a ``params.yml`` holding every parameter's documented
default (written from :data:`lockin.scoring.parameters.PARAMETERS`, so the
file cannot drift from the code) and a README on running the report on a
schedule.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from lockin.errors import LockinError
from lockin.scoring.parameters import PARAMETERS, Parameter

__all__ = ["EXAMPLE_PROJECT", "scaffold", "portfolio_text", "params_text", "readme_text"]

#: The folder of the example project the scaffold creates.
EXAMPLE_PROJECT = "example-project"

_PORTFOLIO_YML = """\
# The portfolio lockin reports on: one entry per project.
# The format: lockin's docs/data-formats.md, "The portfolio".
#
# Without this file every immediate subfolder of this folder is one
# project named after the folder. With it, only the projects listed here
# are read. Nothing in a project is ever executed: lockin reads its
# requirements, lock files, environment.yml, SBOMs, Dockerfiles,
# Kubernetes and Slurm manifests, CMake files and source code.
#
# Replace the example project with yours: a checkout, or just a folder with
# its inventory files. A field left empty (`owner:`) counts as not given.

# Values several projects share, merged into an entry with `<<: *gpu`
# (a field written in the entry wins over a merged one).
defaults: &gpu
  accelerator: H100 SXM

projects:
  - name: {project}
    # The folder, relative to this file. Default: the name.
    path: {project}
    <<: *gpu
    # The accelerator the project runs on now: a model or alias of the
    # spec table (`lockin parity --help`, data/benchmarks/accelerators.csv).
    # Sets the baseline of its hardware economics and parity.
    # Default: the baseline_accelerator parameter (params.yml).
    accelerator: H100 SXM
    # Accelerator-hours it uses per month. Turns the lock-in findings into
    # money: the economics section (hardware cost, energy, CO2, net present
    # value of a move) covers only projects with a number here. 0 means no
    # GPU work; missing means the default_gpu_hours_per_month parameter.
    gpu_hours_per_month: 2000
    # MLPerf-style workload names its performance is judged on: the parity
    # of the target accelerator is taken from these workloads' results
    # (`lockin parity` lists the bundled ones). [] or missing: all of them.
    workloads: [llama2-70b]
    # Who owns the project and how critical it is: kept as project
    # metadata, shown with the project in the inventory.
    owner: my-team
    criticality: medium
    # rented, owned, or {{refresh: YYYY-MM}} (owned hardware due for renewal
    # that month). Kept as project metadata.
    hardware: owned
    # Where the checkout comes from: kept as metadata (lockin reads the
    # folder at `path`, it never clones).
    git: https://example.com/my-team/{project}.git
    ref: main
  # A project may also be written as its name alone (name = path):
  # - another-project
"""

_EXAMPLE_REQUIREMENTS = """\
# An example project: replace this folder with one of your own projects.
torch==2.4.0
cupy-cuda12x==13.3.0
numpy>=1.26
"""

_EXAMPLE_SOURCE = """\
\"\"\"An example training step: the kind of code lockin scans for vendor-bound calls.\"\"\"

import torch


def train_step(model, batch):
    device = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    loss = model(batch.to(device)).sum()
    loss.backward()
    torch.cuda.synchronize()
    return loss.item()
"""

_README = """\
# {title}

Made by `lockin init`. What is here:

- `portfolio.yml`: the projects the report covers, every field explained.
  Replace `{project}/` with your own projects (checkouts or just their
  requirements, lock files, Dockerfiles and manifests).
- `params.yml`: every scoring and economics parameter at its documented
  default, with its unit, range and source. Change what you know better
  (your labour cost, electricity price, fleet file); keep the rest.

## Your first report

    lockin scan {folder}/{project}
    lockin report --period auto --portfolio {folder} --params {folder}/params.yml --out reports

`reports/<period>/strategy_report.pdf` is the report; `reports/index.html`
lists every period rendered, and `reports/history.sqlite` keeps each
period's figures for the trend charts. The PDF needs Pango (on Debian and
Ubuntu: `apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core`).

## On a schedule

Render at the end of each period, so that `--period auto` names the
period the report is about (`--cadence quarter` for quarters). A period
rendered again replaces its history rows; runs on the same output folder
wait for each other; a failed run leaves earlier reports untouched and
keeps the failed notebook under `reports/failed/`.

cron (an /etc/cron.d line: 18:00 on the last day of each month, with
lockin installed in a virtual environment at /opt/lockin and run as the
user `lockin`; cron has no "last day", so the line runs on the 28th to the
31st and goes on only when tomorrow is the 1st):

    0 18 28-31 * * lockin [ "$(date -d tomorrow +\\%d)" = 01 ] && cd {absolute} && /opt/lockin/bin/lockin report --period auto --portfolio {absolute} --params {absolute}/params.yml --out /srv/lockin/reports --no-progress

systemd: a oneshot service running the same command and a timer with
`OnCalendar=*-*~01 18:00` (not `Persistent=`: a run caught up on the 1st
would report the new month). Kubernetes: a CronJob with the same schedule
and check. lockin's docs/operations.md describes all three; its deploy/
folder holds ready-made files (lockin-report.service, lockin-report.timer,
lockin-report.cron, lockin-report-cronjob.yaml).

Exit status: 0 done, 1 a notebook failed (the path of the kept notebook is
printed), 2 a setting is wrong (nothing was run), 130/143 interrupted.
"""


def scaffold(folder: str | Path, *, force: bool = False) -> list[Path]:
    """Write a new portfolio, its parameters and a README into ``folder``.

    Parameters
    ----------
    folder : str or pathlib.Path
        Created if missing; must be empty unless ``force``.
    force : bool
        Write into a non-empty folder, replacing the scaffold's own files.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    LockinError
        When ``folder`` is a file, or is not empty and ``force`` is false.
    """
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise LockinError(f"{target}: not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise LockinError(f"{target}: folder is not empty; pass --force to write the scaffold into it anyway")
    project = target / EXAMPLE_PROJECT
    (project / "src").mkdir(parents=True, exist_ok=True)
    files = {
        target / "portfolio.yml": portfolio_text(),
        target / "params.yml": params_text(),
        target / "README.md": readme_text(target),
        project / "requirements.txt": _EXAMPLE_REQUIREMENTS,
        project / "src" / "train.py": _EXAMPLE_SOURCE,
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)


def portfolio_text() -> str:
    """The commented ``portfolio.yml`` with one example project."""
    return _PORTFOLIO_YML.format(project=EXAMPLE_PROJECT)


def readme_text(folder: Path) -> str:
    """The scaffold's README: the first report and how to schedule it."""
    return _README.format(title=folder.absolute().name or "lockin portfolio", project=EXAMPLE_PROJECT, folder=folder, absolute=folder.absolute())


def params_text() -> str:
    """Every parameter at its default, each with its description, unit, range and source."""
    header = [
        "# lockin's scoring and economics parameters, each at its documented default.",
        "# Change a value to override it; delete a line to follow lockin's default.",
        "# An unknown name or a value out of range is an error naming this file and",
        "# the line. Relative paths are read from this file's folder.",
        "# Reference: docs/data-formats.md (parameters) and docs/methodology.md.",
        "",
    ]
    return "\n".join(header + [_parameter_block(parameter) for parameter in PARAMETERS])


def _parameter_block(parameter: Parameter) -> str:
    description = parameter.description[:1].upper() + parameter.description[1:]
    comments = [f"# {description}{_unit(parameter)}.", f"#   {_allowed(parameter)}", f"#   Default: {parameter.source}."]
    return "\n".join(comments) + "\n" + _yaml_line(parameter.name, parameter.default) + "\n"


def _yaml_line(name: str, value) -> str:
    # Mappings of mappings (remediation_hours) read best as one line per
    # outer key; everything else fits on the name's line.
    if isinstance(value, dict) and value:
        return yaml.safe_dump({name: value}, default_flow_style=None, sort_keys=False, allow_unicode=True, width=200).rstrip("\n")
    flow = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=200)
    return f"{name}: {flow.removesuffix(chr(10)).removesuffix('...').rstrip()}"


def _unit(parameter: Parameter) -> str:
    return f" [{parameter.unit}]" if parameter.unit else ""


def _allowed(parameter: Parameter) -> str:
    if parameter.choices:
        return "One of: " + ", ".join(parameter.choices) + "."
    if parameter.kind == "triangular":
        what = "A triangular distribution [low, most likely, high]"
    else:
        what = {
            "number": "A number",
            "integer": "A whole number",
            "grid": "Four increasing bounds",
            "hours": "Hours by portability class and finding kind",
            "prices": "A mapping of accelerator to {purchase_usd, hourly_usd}",
            "paths": "A list of files",
            "optional_text": "A file path, or empty for none",
            "text": "A text",
        }.get(parameter.kind, "A value")
    return what + _range(parameter) + "."


def _range(parameter: Parameter) -> str:
    low, high = parameter.minimum, parameter.maximum
    if low is None and high is None:
        return ""
    if high is None:
        return f", at least {low:g}"
    if low is None:
        return f", at most {high:g}"
    return f", from {low:g} to {high:g}"
