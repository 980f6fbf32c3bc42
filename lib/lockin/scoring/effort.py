"""Migration effort, with its uncertainty: COCOMO II's reuse model plus
per-finding remediation plus validation, by Monte Carlo.

The code a project must change is what its vendor-bound source findings sit
in. All of it goes through a translator (HIPIFY for CUDA), priced at
COCOMO II's automated-translation productivity ATPROD; files with any
reference the translator cannot handle (a library swap, a redesign) are
then adapted by hand, priced with COCOMO II's adaptation adjustment
(AAF/AAM) and post-architecture equation. Components (packages, images,
cluster resources, build settings) and redesigns are priced per finding.
Validation on the new hardware comes on top. Uncertain inputs are drawn
from triangular distributions, the same draws for every project, so the
portfolio's percentiles are those of the summed draws.

Everything here only grows with more vendor-bound evidence: a new finding
adds lines to translate, can move a file from translated to hand-adapted
(which costs the translation *and* the adaptation), and adds its own
remediation hours, each of which is never negative.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lockin.records import SOURCE_KINDS
from lockin.scoring.parameters import Parameters

__all__ = [
    "attach_effort_hours",
    "GENERATED_FORMATS",
    "COMPONENT_DIMENSIONS",
    "EffortDraws",
    "project_facts",
    "draw_inputs",
    "simulate_effort",
    "finding_hours",
    "percentiles",
    "remediation_units",
]

#: Input formats written by tools, whose lines are not code anyone developed.
GENERATED_FORMATS = frozenset({"poetry-lock", "pipfile-lock", "uv-lock", "cyclonedx", "spdx", "conda-list"})

#: Which dimension a finding's remediation belongs to, by kind.
COMPONENT_DIMENSIONS = {
    "package": "libraries",
    "index": "libraries",
    "image": "platform",
    "cluster": "platform",
    "build": "platform",
    "env": "platform",
    "api": "code",
    "include": "code",
    "construct": "code",
    "module": "code",
}


def attach_effort_hours(findings: pd.DataFrame, catalog) -> pd.DataFrame:
    """Findings with ``effort_hours`` from the catalog rows that classified them.

    A finding names its row's kind, family and source; the row is found
    again by the catalog's own lookup, checked against those, so a user
    catalog's ``effort_hours`` reaches the effort model.
    """
    if "effort_hours" in findings.columns:
        return findings
    priced = [row for row in catalog.rows if row.effort_hours is not None]
    by_name: dict[tuple[str, str], list] = {}
    for row in priced:
        by_name.setdefault((row.kind, row.match.lower()), []).append(row)
    priced_kinds = {row.kind for row in priced}
    keys = list(zip(findings["kind"], findings["name"], findings["family"], findings["source"]))
    hours = {key: _row_hours(catalog, by_name, *key) if key[0] in priced_kinds else None for key in set(keys)}
    return findings.assign(effort_hours=pd.Series([hours[key] for key in keys], index=findings.index, dtype=float))


def _row_hours(catalog, by_name: dict, kind: str, name: str, family: str, source: str) -> float | None:
    candidates = [catalog.lookup(kind, name, ""), *by_name.get((kind, str(name).lower()), ())]
    for row in candidates:
        if row is not None and row.effort_hours is not None and row.family == family and row.source == source:
            return row.effort_hours
    return None


def finding_hours(findings: pd.DataFrame, params: Parameters) -> pd.Series:
    """Nominal remediation hours of each finding (0 for portable ones).

    A catalog row's ``effort_hours`` (carried on the finding) wins over the
    ``remediation_hours`` table of the parameters.
    """
    table = params.remediation_hours
    defaults = [table.get(p, {}).get(k, 0.0) for p, k in zip(findings["portability"], findings["kind"])]
    hours = pd.Series(defaults, index=findings.index, dtype=float)
    if "effort_hours" in findings.columns:
        own = pd.to_numeric(findings["effort_hours"], errors="coerce")
        hours = own.where(own.notna() & (findings["portability"] != "portable"), hours)
    return hours.where(findings["portability"] != "portable", 0.0)


def project_facts(findings: pd.DataFrame, inputs: pd.DataFrame, params: Parameters, projects: list[str] | None = None) -> pd.DataFrame:
    """The sizes the effort model needs, one row per project.

    Columns: ``sloc`` (non-blank lines of all inputs written by people),
    ``source_sloc``, ``adapted_sloc`` (lines of source files with
    non-portable source findings), ``manual_sloc`` (those of them with a
    reference a translator cannot convert), ``translated_share`` (AT: the
    adapted lines a translator converts completely), the remediation hours
    by dimension, and counts of findings by portability class.
    """
    names = projects if projects is not None else sorted(set(inputs["project"]) | set(findings["project"]))
    lines = _lines(inputs)
    bound = findings[findings["portability"] != "portable"].assign(hours=finding_hours(findings, params))
    work = remediation_units(bound)
    source = bound[bound["kind"].isin(SOURCE_KINDS)]
    manual_files = set(zip(source.loc[source["portability"] != "translatable", "project"], source.loc[source["portability"] != "translatable", "path"]))
    adapted_files = set(zip(source["project"], source["path"]))
    file_lines = dict(zip(zip(lines["project"], lines["path"]), lines["lines"]))
    adapted_by_project, manual_by_project = Counter(), Counter()
    for key in adapted_files:
        adapted_by_project[key[0]] += int(file_lines.get(key, 0))
        if key in manual_files:
            manual_by_project[key[0]] += int(file_lines.get(key, 0))
    rows = []
    for name in names:
        own_inputs = lines[lines["project"] == name]
        own = bound[bound["project"] == name]
        units = work[work["project"] == name]
        adapted, manual = adapted_by_project[name], manual_by_project[name]
        row = {
            "project": name,
            "sloc": int(own_inputs.loc[~own_inputs["generated"], "lines"].sum()),
            "source_sloc": int(own_inputs.loc[own_inputs["source"], "lines"].sum()),
            "adapted_sloc": int(adapted),
            "manual_sloc": int(manual),
            "translated_share": (adapted - manual) / adapted if adapted else 0.0,
            "vendor_bound": int(len(own)),
        }
        for cls in ("translatable", "replaceable", "rewrite"):
            row[cls] = int((own["portability"] == cls).sum())
        for dimension in ("code", "libraries", "platform"):
            kinds = [k for k, d in COMPONENT_DIMENSIONS.items() if d == dimension]
            row[f"{dimension}_hours"] = float(units.loc[units["kind"].isin(kinds), "hours"].sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


#: Columns of :func:`project_facts` (also those of a portfolio without projects).
FACT_COLUMNS = [
    "project", "sloc", "source_sloc", "adapted_sloc", "manual_sloc", "translated_share", "vendor_bound",
    "translatable", "replaceable", "rewrite", "code_hours", "libraries_hours", "platform_hours",
]  # fmt: skip


def remediation_units(findings: pd.DataFrame) -> pd.DataFrame:
    """Pieces of remediation work, each priced once.

    A component is replaced once however many files name it, so component
    findings (packages, indexes, images, cluster resources, build settings,
    environment variables) count once per project, kind and family (cudf
    named in environment.yml, a lock file and an SBOM is one swap). An API,
    header or module is reworked once per file that uses it; each construct
    (an inline PTX block, a TMA copy) is its own piece of work. A unit is
    priced at the largest of its findings' hours, so more evidence never
    lowers it.
    """
    if findings.empty:
        return findings.assign(unit="", occurrences=0)
    family = findings["family"].fillna("").astype(str).where(findings["family"].fillna("") != "", findings["name"])
    component = ~findings["kind"].isin(SOURCE_KINDS)
    construct = findings["kind"] == "construct"
    unit = np.where(
        component,
        findings["project"] + "\0" + findings["kind"] + "\0" + family,
        np.where(construct, findings.index.astype(str), findings["project"] + "\0" + findings["path"] + "\0" + findings["kind"] + "\0" + findings["name"]),
    )
    keyed = findings.assign(unit=unit)
    grouped = keyed.groupby("unit", sort=False)
    first = keyed.loc[grouped["hours"].idxmax()].set_index("unit")
    first["occurrences"] = grouped.size()
    return first.reset_index()


def _lines(inputs: pd.DataFrame) -> pd.DataFrame:
    if "lines" not in inputs.columns:
        raise ValueError("the scan's inputs carry no line counts; rescan with this version of lockin")
    formats = inputs["formats"].fillna("").astype(str)
    return inputs.assign(
        generated=formats.map(lambda f: bool(f) and set(f.split(",")) <= GENERATED_FORMATS),
        source=formats.map(lambda f: bool({"cxx", "python"} & set(f.split(",")))),
    )


@dataclass
class EffortDraws:
    """Monte Carlo draws of the effort, in person-months.

    Attributes
    ----------
    projects : list of str
    total : ndarray, shape (n_projects, n_draws)
    parts : dict of str → ndarray
        ``translate``, ``adapt``, ``code``, ``libraries``, ``platform``,
        ``validation`` (``code`` includes translate and adapt and the code
        findings' remediation).
    calibrated : bool
    """

    projects: list[str]
    total: np.ndarray
    parts: dict[str, np.ndarray] = field(default_factory=dict)
    calibrated: bool = False

    def of(self, project: str) -> np.ndarray:
        return self.total[self.projects.index(project)]

    @property
    def portfolio(self) -> np.ndarray:
        return self.total.sum(axis=0)


def draw_inputs(params: Parameters) -> dict[str, np.ndarray]:
    """The uncertain inputs, one array of draws each (seeded, fixed order)."""
    rng = np.random.default_rng(params.seed)
    names = ("atprod", "dm", "cm", "im", "su", "unfm", "aa", "remediation_spread", "validation_share", "validation_fixed_pm")
    return {name: _triangular(rng, params[name], params.draws) for name in names}


def _triangular(rng: np.random.Generator, spec: list[float], n: int) -> np.ndarray:
    low, mode, high = spec
    if low == high:
        rng.random(n)  # keep later parameters' draws where they would be
        return np.full(n, float(mode))
    return rng.triangular(low, mode, high, n)


def simulate_effort(facts: pd.DataFrame, params: Parameters, calibration=None) -> EffortDraws:
    """Effort draws for every project of ``facts`` (see :func:`project_facts`).

    Per draw, with sizes in SLOC and effort in person-months (PM):

    - translate = adapted_sloc / ATPROD
    - AAF = 0.4·DM + 0.3·CM + 0.3·IM;
      AAM = (AA + AAF·(1 + 0.02·SU·UNFM)) / 100 if AAF ≤ 50, else (AA + AAF + SU·UNFM) / 100
    - adapt = A · (manual_sloc · AAM / 1000)^E
    - remediation = hours × spread / hours_per_pm, by dimension
    - validation = fixed × min(work, 1 PM) + share × work, where work = translate + adapt + remediation
    """
    x = draw_inputs(params)
    adapted = facts["adapted_sloc"].to_numpy(float)[:, None]
    manual = facts["manual_sloc"].to_numpy(float)[:, None]
    translate = adapted / x["atprod"][None, :]
    aaf = 0.4 * x["dm"] + 0.3 * x["cm"] + 0.3 * x["im"]
    aam = np.where(aaf <= 50, x["aa"] + aaf * (1 + 0.02 * x["su"] * x["unfm"]), x["aa"] + aaf + x["su"] * x["unfm"]) / 100.0
    esloc = manual * aam[None, :]
    adapt = params.cocomo_a * np.power(esloc / 1000.0, params.cocomo_e)
    spread = x["remediation_spread"][None, :] / params.hours_per_pm
    parts = {dim: facts[f"{dim}_hours"].to_numpy(float)[:, None] * spread for dim in ("code", "libraries", "platform")}
    parts["translate"], parts["adapt"] = translate, adapt
    parts["code"] = parts["code"] + translate + adapt
    work = parts["code"] + parts["libraries"] + parts["platform"]
    # The fixed part is for a project with a person-month of work or more;
    # below that it shrinks in proportion (an env var is not a test campaign).
    validation = x["validation_fixed_pm"][None, :] * np.minimum(work, 1.0) + x["validation_share"][None, :] * work
    parts["validation"] = validation
    total = work + validation
    if calibration is not None:
        total = calibration.apply(total)
    return EffortDraws(list(facts["project"]), total, parts, calibrated=calibration is not None)


def percentiles(draws: np.ndarray) -> tuple[float, float, float]:
    """P10, P50 and P90 of draws (person-months)."""
    p10, p50, p90 = np.percentile(draws, [10, 50, 90])
    return float(p10), float(p50), float(p90)
