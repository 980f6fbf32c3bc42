"""Real CUDA → ROCm ports: the calibration dataset, its effort proxy, and the model against it.

``data/calibration/ports.csv`` records public ports mined from git history
(one row per port: the CUDA-only parent commit, the port's commits, dates,
people, lines and follow-up fixes; facts with commit ids, no code).
Lines changed are not effort, so each port's effort is a *proxy*
(:func:`proxy_pm`): the distinct (author, day) pairs of its commits and of
its follow-up fixes within 90 days, as person-days of 8 hours; where a
squash merge hides the branch's days, the days are imputed from the lines
the port changed at the median lines per author-day of the ports whose
days are observed. docs/methodology.md §3.5 states the proxy's
weaknesses.

:func:`port_facts` scans each port's CUDA-only parent tree and computes
the effort model's facts for it; :func:`compare` measures the model's
estimates against the proxy (median absolute log error, rank correlation,
the worst factor); :func:`calibration_table` writes the rows the
calibration is fitted on (:mod:`lockin.scoring.calibration`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lockin.hardware.tables import Column, read_table
from lockin.records import InputError
from lockin.scoring.parameters import Parameters

__all__ = [
    "PORT_COLUMNS",
    "HOURS_PER_PERSON_DAY",
    "read_ports",
    "observed_days",
    "lines_per_author_day",
    "proxy_person_days",
    "proxy_pm",
    "port_facts",
    "compare",
    "calibration_table",
    "evaluate",
    "within_builds",
]

PORT_COLUMNS = (
    Column("port_id"),
    Column("repository"),
    Column("category"),
    Column("pr", required=False, nonempty=False, default=""),
    Column("parent_commit"),
    Column("port_commits"),
    Column("merge_commit", required=False, nonempty=False, default=""),
    Column("start_date", required=False, nonempty=False, default=""),
    Column("merge_date"),
    Column("people", "count", minimum=1),
    Column("authors", required=False, nonempty=False, default=""),
    Column("active_author_days", "count", minimum=1),
    Column("followup_author_days", "count", minimum=0),
    Column("files_changed", "count", minimum=0),
    Column("lines_added", "count", minimum=0),
    Column("lines_deleted", "count", minimum=0),
    Column("cuda_files_changed", "count", required=False, nonempty=False, minimum=0, default=0),
    Column("build_files_changed", "count", required=False, nonempty=False, minimum=0, default=0),
    Column("scope", required=False, nonempty=False, default=""),
    Column("followup_commits", required=False, nonempty=False, default=""),
    Column("followup_lines", "count", required=False, nonempty=False, minimum=0, default=0),
    Column("scope_roots", required=False, nonempty=False, default=""),
    Column("branch_observed", required=False, nonempty=False, default=""),
    Column("bounded_by", required=False, nonempty=False, default=""),
    Column("confidence"),
    Column("use", required=False, nonempty=False, default="yes"),
    Column("notes", required=False, nonempty=False, default=""),
)

#: A person-day of work: COCOMO II's 152-hour person-month over 19 working days.
HOURS_PER_PERSON_DAY = 8.0

_CONFIDENCE = ("high", "medium", "low")


def read_ports(path: str | Path) -> pd.DataFrame:
    """Read a ports file (``data/calibration/ports.csv``).

    Raises
    ------
    InputError
        Naming the file and line of the first bad row (a count that is not
        a whole number, a confidence other than high/medium/low, a
        ``branch_observed`` other than yes/no).
    """
    table = read_table(path, PORT_COLUMNS)
    if table.problems:
        problem = table.problems[0]
        raise InputError(str(path), problem.line, problem.message)
    frame = table.frame
    for column, allowed in (("confidence", _CONFIDENCE), ("branch_observed", ("yes", "no", "")), ("use", ("yes", "no"))):
        bad = frame[~frame[column].astype(str).str.lower().isin(allowed)]
        if len(bad):
            raise InputError(str(path), int(bad["line"].iloc[0]), f"{column} must be one of {', '.join(a for a in allowed if a)} (got {bad[column].iloc[0]!r})")
    duplicated = frame[frame["port_id"].duplicated()]
    if len(duplicated):
        raise InputError(str(path), int(duplicated["line"].iloc[0]), f"port_id {duplicated['port_id'].iloc[0]!r} appears twice")
    return frame.reset_index(drop=True)


def observed_days(ports: pd.DataFrame) -> pd.Series:
    """Whether git shows the days a port was worked on: its branch commits
    are in the history (``branch_observed`` yes), or it has more than one commit."""
    flag = ports["branch_observed"].astype(str).str.lower()
    commits = ports["port_commits"].astype(str).str.split().str.len()
    return (flag == "yes") | ((flag == "") & (commits > 1))


def _lines(ports: pd.DataFrame) -> pd.Series:
    return ports["lines_added"].astype(float) + ports["lines_deleted"].astype(float)


def lines_per_author_day(ports: pd.DataFrame) -> float:
    """Median lines changed per author-day over the ports whose days are observed."""
    seen = ports[observed_days(ports)]
    if seen.empty:
        raise ValueError("no port with observed days to measure lines per author-day on")
    return float((_lines(seen) / seen["active_author_days"].astype(float)).median())


def proxy_person_days(ports: pd.DataFrame, rate: float | None = None) -> pd.Series:
    """Person-days of each port and its follow-up fixes.

    Observed ports: their distinct (author, day) pairs. A squash merge
    whose branch git no longer holds: its lines changed over ``rate``
    (default :func:`lines_per_author_day`), at least one day. Both add the
    follow-ups' distinct (author, day) pairs.
    """
    rate = lines_per_author_day(ports) if rate is None else rate
    observed = observed_days(ports)
    imputed = np.maximum(1.0, _lines(ports) / rate)
    days = np.where(observed, ports["active_author_days"].astype(float), imputed)
    return pd.Series(days + ports["followup_author_days"].astype(float), index=ports.index, name="person_days")


def proxy_pm(ports: pd.DataFrame, params: Parameters | None = None, rate: float | None = None) -> pd.Series:
    """The effort proxy in person-months (person-days × 8 h over the parameters' hours per PM)."""
    params = params or Parameters()
    return (proxy_person_days(ports, rate) * HOURS_PER_PERSON_DAY / float(params.hours_per_pm)).rename("proxy_pm")


def port_facts(ports: pd.DataFrame, trees: str | Path, params: Parameters | None = None, catalog=None, jobs: int = 0, progress: bool = False) -> pd.DataFrame:
    """The effort model's facts for each port's CUDA-only parent tree.

    Each port's tree is the folder ``trees/<port_id>`` (the parent commit,
    extracted with ``git archive``). Only the builds the port moved are
    scored (``scope_roots``: the build folders owning the files its commits
    changed, "." for the project's root; all of the tree when empty: see
    :func:`within_builds`). Ports without a tree are left out
    and listed in the ``missing`` attribute of the result. Columns: those
    of :func:`lockin.scoring.effort.project_facts` plus ``estimate_pm``
    (the model at the mode of every input, uncalibrated).
    """
    from lockin.catalog import load_catalog
    from lockin.scan import ScanOptions, scan
    from lockin.scoring.calibration import nominal_effort
    from lockin.scoring.score import score

    params = (params or Parameters()).replace(calibration_file="")
    catalog = catalog or load_catalog()
    scope = dict(zip(ports["port_id"].astype(str), ports["scope_roots"].fillna("").astype(str))) if "scope_roots" in ports else {}
    rows, missing = [], []
    for port_id in ports["port_id"]:
        tree = Path(trees) / str(port_id)
        if not tree.is_dir():
            missing.append(str(port_id))
            continue
        result = scan([tree], ScanOptions(target=params.target_vendor, project_name=str(port_id), jobs=jobs, progress=progress), catalog)
        roots = scope.get(str(port_id), "")
        if roots:
            result = within_builds(result, set(roots.split(";")))
        scores = score(result, params, catalog=catalog)
        facts = scores.facts.copy()
        facts["estimate_pm"] = nominal_effort(scores.facts, scores.params)
        rows.append(facts)
    frame = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    frame.attrs["missing"] = missing
    return frame


def within_builds(result, roots: set[str]):
    """The scan result restricted to the files owned by the build roots ``roots`` ("." the project's root).

    A file belongs to the nearest folder above it holding a build file
    (:func:`lockin.scoring.builds.build_roots`), or to the root.
    """
    import dataclasses

    from lockin.scoring.builds import build_roots, owning_builds

    built = build_roots(result.inputs)

    def keep(frame):
        if frame is None or frame.empty or "path" not in frame.columns:
            return frame
        return frame[owning_builds(frame, built).isin(roots).to_numpy()].reset_index(drop=True)

    return dataclasses.replace(result, findings=keep(result.findings), components=keep(result.components), inputs=keep(result.inputs), regions=keep(result.regions), definitions=keep(result.definitions))


def compare(estimate, proxy) -> dict:
    """How far estimates are from the proxy.

    Returns ``mdale`` (median |ln estimate − ln proxy|), ``median_factor``
    (exp of it), ``worst_factor`` (the largest exp|ln ratio|), ``spearman``
    (rank correlation) and ``n``. Estimates of 0 are left out of the log
    measures and counted in ``zero``.
    """
    estimate = np.asarray(estimate, dtype=float)
    proxy = np.asarray(proxy, dtype=float)
    positive = (estimate > 0) & (proxy > 0)
    errors = np.abs(np.log(estimate[positive]) - np.log(proxy[positive]))
    spearman = float(pd.Series(estimate).corr(pd.Series(proxy), method="spearman")) if len(estimate) > 2 else float("nan")
    return {
        "n": int(len(estimate)),
        "zero": int((~positive).sum()),
        "mdale": float(np.median(errors)) if len(errors) else float("nan"),
        "median_factor": float(np.exp(np.median(errors))) if len(errors) else float("nan"),
        "worst_factor": float(np.exp(errors.max())) if len(errors) else float("nan"),
        "spearman": spearman,
    }


def calibration_table(ports: pd.DataFrame, facts: pd.DataFrame, params: Parameters | None = None) -> pd.DataFrame:
    """The calibration rows (``docs/data-formats.md``, calibration file): the
    model's facts per port with ``actual_pm`` the proxy and ``source`` the
    port's repository and parent commit."""
    from lockin.scoring.calibration import CALIBRATION_FACTS

    proxy = proxy_pm(ports, params).set_axis(ports["port_id"])
    source = (ports["repository"] + "@" + ports["parent_commit"]).set_axis(ports["port_id"])
    table = facts[["project", *CALIBRATION_FACTS]].copy()
    table["actual_pm"] = table["project"].map(proxy).round(4)
    table["source"] = table["project"].map(source)
    return table


def evaluate(ports: pd.DataFrame, facts: pd.DataFrame, params: Parameters | None = None) -> tuple[pd.DataFrame, dict, dict]:
    """The model against the proxy, before and after calibration (leave-one-out).

    Only ports marked ``use`` yes with an estimate above 0 are fitted and
    measured. Returns the per-port table (``port_id``, ``category``,
    ``confidence``, ``proxy_pm``, ``estimate_pm``, ``calibrated_pm`` —
    the leave-one-out prediction — and the factor each is off by) and the
    :func:`compare` measures before and after.
    """
    from lockin.scoring.calibration import fit_estimates

    proxy = proxy_pm(ports, params)
    table = ports[["port_id", "category", "confidence", "use"]].assign(proxy_pm=proxy.to_numpy())
    estimates = facts.set_index("project")["estimate_pm"] if len(facts) else pd.Series(dtype=float)
    table["estimate_pm"] = table["port_id"].map(estimates)
    fitted = (table["use"].str.lower() == "yes") & (table["estimate_pm"] > 0)
    table["calibrated_pm"] = np.nan
    if fitted.sum() >= 3:
        _, predicted = fit_estimates(table.loc[fitted, "estimate_pm"], table.loc[fitted, "proxy_pm"])
        table.loc[fitted, "calibrated_pm"] = predicted
    table["factor_estimate"] = _factor(table["estimate_pm"], table["proxy_pm"])
    table["factor_calibrated"] = _factor(table["calibrated_pm"], table["proxy_pm"])
    used = table[fitted]
    return table.drop(columns="use").assign(fitted=fitted.to_numpy()), compare(used["estimate_pm"], used["proxy_pm"]), compare(used["calibrated_pm"], used["proxy_pm"])


def _factor(estimate: pd.Series, proxy: pd.Series) -> pd.Series:
    """How many times the estimate is above (> 1) or below (< 1) the proxy."""
    return (estimate / proxy).where(estimate > 0)
