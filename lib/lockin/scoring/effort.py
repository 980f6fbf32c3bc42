"""Migration effort, with its uncertainty: COCOMO II's reuse model plus
per-finding remediation plus validation, by Monte Carlo.

The code a project must change is the functions its priced source findings
sit in (a window around each where the reader gives no functions; see
:func:`adapted_lines`). All of it goes through a translator (HIPIFY for CUDA), priced at
COCOMO II's automated-translation productivity ATPROD; files with any
reference the translator cannot handle (a library swap, a redesign) are
then adapted by hand, priced with COCOMO II's adaptation adjustment
(AAF/AAM) and post-architecture equation. Components (packages, images,
cluster resources, build settings) are priced once per family, redesigns
once per roadblock with a cost that grows sub-linearly with its uses
(:func:`repeat_factor`). Only the source vendor's uncovered findings are
priced (see :mod:`lockin.scoring.readiness`); covered ones cost their
validation. Validation on the new hardware comes on top. Uncertain inputs are drawn
from triangular distributions, the same draws for every project, so the
portfolio's percentiles are those of the summed draws.

Everything here only grows with more priced evidence: a new finding adds
lines to translate, can move lines from translated to hand-adapted (which
costs the translation *and* the adaptation), and adds its own remediation
hours, each of which is never negative.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lockin.records import COMPONENT_KINDS, SOURCE_KINDS
from lockin.scan.classify import SPEC_SEPARATOR
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
    "attach_library",
    "work_keys",
    "work_items",
    "repeat_factor",
    "adapted_lines",
    "cheaper_of",
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
        by_name.setdefault((row.kind, _finding_name(row)), []).append(row)
    priced_kinds = {row.kind for row in priced}
    keys = list(zip(findings["kind"], findings["name"], findings["family"], findings["source"]))
    hours = {key: _row_hours(catalog, by_name, *key) if key[0] in priced_kinds else None for key in set(keys)}
    return findings.assign(effort_hours=pd.Series([hours[key] for key in keys], index=findings.index, dtype=float))


def _finding_name(row) -> str:
    """The finding name a priced row classifies, lower-cased: a construct row
    refined by a spec (``inline-ptx:simple``) classifies ``inline-ptx``."""
    name = row.match.lower()
    return name.split(SPEC_SEPARATOR, 1)[0] if row.kind == "construct" else name


def _row_hours(catalog, by_name: dict, kind: str, name: str, family: str, source: str) -> float | None:
    candidates = [catalog.lookup(kind, name, ""), *by_name.get((kind, str(name).lower()), ())]
    for row in candidates:
        if row is not None and row.effort_hours is not None and row.family == family and row.source == source:
            return row.effort_hours
    return None


def attach_library(findings: pd.DataFrame, catalog) -> pd.DataFrame:
    """Findings with ``library``: the API family a prefix row of the catalog matched, or "".

    A prefix row (``cute::``, ``cutlass.cute``) describes a whole library
    or module tree; its uses are one piece of work however many of its
    names a project calls, so they are one roadblock (see :func:`work_keys`).
    """
    if "library" in findings.columns:
        return findings
    keys = list(zip(findings["kind"], findings["name"]))
    libraries = {key: _prefix_match(catalog, *key) if key[0] in SOURCE_KINDS else "" for key in set(keys)}
    return findings.assign(library=pd.Series([libraries[key] for key in keys], index=findings.index, dtype=object))


def _prefix_match(catalog, kind: str, name: str) -> str:
    row = catalog.lookup(kind, str(name), "")
    return row.match if row is not None and row.match_type == "prefix" else ""


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


def project_facts(findings: pd.DataFrame, inputs: pd.DataFrame, params: Parameters, projects: list[str] | None = None, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The sizes the effort model needs, one row per project.

    Which findings are priced: those in the boolean column ``charged`` (the
    source vendor's vendor-bound findings, see
    :func:`lockin.scoring.readiness.charged_mask`) when the findings carry
    it, else every non-portable finding not of the target vendor; of them,
    those ``covered`` (see :func:`lockin.scoring.readiness.mark_covered`)
    cost only their validation while ``params.credit_target_support`` holds.

    Columns: ``sloc`` (non-blank lines of all inputs written by people),
    ``source_sloc``, ``adapted_sloc`` (lines of the functions, or windows,
    that hold priced source findings: :func:`adapted_lines`),
    ``manual_sloc`` (those of them holding a reference a translator cannot
    convert), ``translated_share`` (AT: the adapted lines a translator
    converts completely), the remediation hours by dimension, counts of
    charged findings by portability class, ``covered`` (charged findings
    that are covered), ``covered_units`` (their distinct builds, source files and
    component groups) and ``covered_hours`` (the units' validation).
    """
    names = projects if projects is not None else sorted(set(inputs["project"]) | set(findings["project"]))
    lines = _lines(inputs)
    charged, covered = _charged_and_covered(findings, params)
    findings = findings.assign(hours=finding_hours(findings, params))
    adopted_as = _text_column(findings, "adopted_as")
    translated_by = _text_column(findings, "translated_by")
    priced = findings[charged & ~covered]
    validated = findings[charged & covered]
    adopted = priced[adopted_as[priced.index] != ""]
    priced = priced[adopted_as[priced.index] == ""]
    work = work_items(priced, params)
    source = priced[priced["kind"].isin(SOURCE_KINDS)]
    file_lines = dict(zip(zip(lines["project"], lines["path"]), lines["lines"]))
    window = int(params.adapted_window_lines)
    adapted = adapted_lines(source, regions, file_lines, window)
    manual = adapted_lines(source[source["portability"] != "translatable"], regions, file_lines, window)
    in_translating_build = translated_by[source.index] != ""
    build_translated = adapted_lines(source[in_translating_build], regions, file_lines, window)
    translating = Counter(project for project, _ in set(zip(source.loc[in_translating_build, "project"], translated_by[source.index][in_translating_build])))
    integrations = _integrations(adopted)
    units = _validation_units(validated)
    rows = []
    for name in names:
        own_inputs = lines[lines["project"] == name]
        own = findings[(findings["project"] == name) & charged]
        items = work[work["project"] == name]
        adapted_sloc, manual_sloc = adapted.get(name, 0), manual.get(name, 0)
        row = {
            "project": name,
            "sloc": int(own_inputs.loc[~own_inputs["generated"], "lines"].sum()),
            "source_sloc": int(own_inputs.loc[own_inputs["source"], "lines"].sum()),
            "adapted_sloc": int(adapted_sloc),
            "manual_sloc": int(manual_sloc),
            "translated_share": (adapted_sloc - manual_sloc) / adapted_sloc if adapted_sloc else 0.0,
            "vendor_bound": int(len(own)),
        }
        for cls in ("translatable", "replaceable", "rewrite"):
            row[cls] = int((own["portability"] == cls).sum())
        for dimension in ("code", "libraries", "platform"):
            kinds = [k for k, d in COMPONENT_DIMENSIONS.items() if d == dimension]
            row[f"{dimension}_hours"] = float(items.loc[items["kind"].isin(kinds), "hours"].sum())
        row["covered"] = int((validated["project"] == name).sum())
        row["covered_units"] = int(units.get(name, 0))
        row["covered_hours"] = row["covered_units"] * float(params.covered_validation_hours)
        row["build_translated_sloc"] = int(build_translated.get(name, 0))
        row["translated_builds"] = int(translating.get(name, 0))
        row["platform_hours"] += row["translated_builds"] * float(params.translated_build_hours)
        own_integrations = integrations[integrations["project"] == name]
        row["adopted"] = int((adopted["project"] == name).sum())
        row["adoptions"] = "; ".join(own_integrations["function"])
        row["code_hours"] += float(own_integrations["hours"].sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


def _text_column(findings: pd.DataFrame, name: str) -> pd.Series:
    if name in findings.columns:
        return findings[name].fillna("").astype(str)
    return pd.Series("", index=findings.index, dtype=object)


def _integrations(adopted: pd.DataFrame) -> pd.DataFrame:
    """One integration per project, adopted function and build, with its catalog hours."""
    columns = ["project", "function", "build", "hours"]
    if adopted.empty:
        return pd.DataFrame(columns=columns)
    hours = adopted["integration_hours"] if "integration_hours" in adopted.columns else pd.Series(0.0, index=adopted.index)
    frame = pd.DataFrame({"project": adopted["project"], "function": adopted["adopted_as"], "build": _text_column(adopted, "adopted_build"), "hours": pd.to_numeric(hours, errors="coerce").fillna(0.0)})
    return frame.drop_duplicates(["project", "function", "build"])[columns].reset_index(drop=True)


def _charged_and_covered(findings: pd.DataFrame, params: Parameters) -> tuple[pd.Series, pd.Series]:
    """Which findings a move has to deal with, and which of them already have a target path (credited)."""
    if "charged" in findings.columns:
        charged = findings["charged"].fillna(False).astype(bool)
    else:
        charged = (findings["portability"] != "portable") & (findings["vendor"].fillna("").astype(str) != params.target_vendor)
    if "covered" in findings.columns and params.credit_target_support:
        covered = findings["covered"].fillna(False).astype(bool)
    else:
        covered = pd.Series(False, index=findings.index)
    return charged, covered


def _validation_units(validated: pd.DataFrame) -> Counter:
    """Per project, the distinct builds, source files and component groups among covered findings.

    Each is built and tested once on the target, however many covered
    findings it holds; the files of a build that already builds for the
    target (``covered_build``) are validated with that build, as one unit.
    Covered components are validated per group (packages with their
    indexes, images, clusters, builds, environments): installing the
    target's dependency set and running the tests once checks every
    package in it (the CUDA wheels PyTorch pulls in are one check, not
    one each), as the coverage rule counts them (:mod:`lockin.scoring.readiness`).
    """
    counts: Counter = Counter()
    if validated.empty:
        return counts
    build = validated["covered_build"].fillna("").astype(str) if "covered_build" in validated else pd.Series("", index=validated.index)
    in_build = build != ""
    source = validated["kind"].isin(SOURCE_KINDS) & ~in_build
    component = ~validated["kind"].isin(SOURCE_KINDS) & ~in_build
    group = validated["kind"].map(VALIDATION_GROUPS).fillna(validated["kind"])
    builds = set(zip(validated.loc[in_build, "project"], build[in_build]))
    files = set(zip(validated.loc[source, "project"], validated.loc[source, "path"]))
    groups = set(zip(validated.loc[component, "project"], group[component]))
    for project, *_ in (*builds, *files, *groups):
        counts[project] += 1
    return counts


#: Component kinds validated together on the target: a package index serves
#: the packages installed from it.
VALIDATION_GROUPS = {"package": "libraries", "index": "libraries"}


def adapted_lines(findings: pd.DataFrame, regions: pd.DataFrame | None, file_lines: dict, window: int) -> Counter:
    """Lines to adapt per project: the code around each finding, not whole files.

    Per file, each finding's innermost ``function`` region (its function
    body) is adapted; a finding outside every function region of a file
    that has them adds its own line; in a file without function regions
    (a reader that does not emit them, a header of macros) the finding
    takes ``window`` lines either side. The spans are merged per file and
    the file's total is capped at its line count, so one ``#ifdef
    __CUDACC__`` in a 2,545-line header adapts 2·window + 1 lines, not
    2,545. A finding without a line stands for its whole file.

    Parameters
    ----------
    findings : DataFrame
        Source findings (``project``, ``path``, ``line``).
    regions : DataFrame or None
        The scan's regions; only ``function`` rows are used.
    file_lines : dict
        (project, path) → the file's line count (from the scan's inputs).
    window : int
    """
    totals: Counter = Counter()
    if findings.empty:
        return totals
    functions = _function_regions(regions)
    lines = pd.to_numeric(findings["line"], errors="coerce")
    by_file: dict[tuple[str, str], list] = {}
    for project, path, line in zip(findings["project"], findings["path"], lines):
        by_file.setdefault((project, path), []).append(None if pd.isna(line) else int(line))
    for key, found in by_file.items():
        size = int(file_lines.get(key, 0) or 0)
        spans = [_span(line, functions.get(key, ()), window, size) for line in found]
        total = size if any(span is None for span in spans) else _union_length(spans)
        totals[key[0]] += min(total, size) if size else total
    return totals


def _function_regions(regions: pd.DataFrame | None) -> dict[tuple[str, str], list[tuple[int, int]]]:
    if regions is None or regions.empty:
        return {}
    functions = regions[regions["kind"] == "function"]
    by_file: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for project, path, start, end in zip(functions["project"], functions["path"], functions["start"], functions["end"]):
        by_file.setdefault((project, path), []).append((int(start), int(end)))
    return by_file


def _span(line: int | None, functions, window: int, size: int) -> tuple[int, int] | None:
    """The lines adapted for one finding (None: the whole file)."""
    if line is None:
        return None
    holding = [(start, end) for start, end in functions if start <= line <= end]
    if holding:
        return min(holding, key=lambda span: span[1] - span[0])  # the innermost function
    if functions:
        return (line, line)
    last = max(size, line) if size else line + window
    return (max(1, line - window), min(last, line + window))


def _union_length(spans: list[tuple[int, int]]) -> int:
    total, current_start, current_end = 0, None, None
    for start, end in sorted(spans):
        if current_end is None or start > current_end + 1:
            if current_end is not None:
                total += current_end - current_start + 1
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start + 1
    return total


def work_keys(findings: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Which piece of work (and roadblock) each finding belongs to, and its display name.

    - a component (package, index, image, cluster, build, env): once per
      project, kind and catalog family (cudf in three files is one swap);
    - a construct (inline PTX, a TMA copy): once per construct and file;
    - an API, header or module of a library matched by a prefix row
      (``library``, see :func:`attach_library`): once per project and
      catalog family, whatever its kind (CuTe's headers and its 12,891
      ``cute::`` uses are one piece of work, shown as "CUTLASS CuTe");
    - any other API, header or module: once per project and name.

    Source findings of different portability classes are apart, so a
    library's translatable names never share a roadblock with its
    unportable ones.
    """
    family = findings["family"].fillna("").astype(str)
    library = findings["library"].fillna("").astype(str) if "library" in findings.columns else pd.Series("", index=findings.index)
    names, keys = [], []
    for project, path, kind, name, fam, lib, portability in zip(findings["project"], findings["path"], findings["kind"], findings["name"].astype(str), family, library, findings["portability"]):
        if kind in COMPONENT_KINDS:
            shown = name  # the family is in its own column
            keys.append(f"{project}\0{kind}\0{fam or name}")
        elif kind == "construct":
            shown = name
            keys.append(f"{project}\0{portability}\0{kind}\0{name}\0{path}")
        elif lib:
            shown = fam or lib  # CUTLASS CuTe: its headers and its names are one library
            keys.append(f"{project}\0{portability}\0library\0{shown}")
        else:
            shown = name
            keys.append(f"{project}\0{portability}\0{kind}\0{name}")
        names.append(shown)
    return pd.Series(keys, index=findings.index, dtype=object), pd.Series(names, index=findings.index, dtype=object)


def repeat_factor(uses, rate: float) -> np.ndarray:
    """Cumulative cost of ``uses`` repetitions of one change, in units of the first.

    Wright's learning curve: the n-th use costs n^b of the first, with
    b = log2(rate) (rate 0.8: each doubling of the uses makes a use 20 %
    cheaper), so n uses cost Σ k^b for k = 1..n. Rate 1 gives n (every use
    costs the same). Beyond a million uses the sum's integral
    approximation ((n + ½)^(1+b) − (½)^(1+b)) / (1+b) is used.
    """
    uses = np.asarray(uses, dtype=np.int64)
    if uses.size == 0:
        return np.zeros(0)
    b = float(np.log2(rate))
    exact_limit = int(min(max(uses.max(), 1), 1_000_000))
    cumulative = np.concatenate([[0.0], np.cumsum(np.arange(1, exact_limit + 1, dtype=float) ** b)])
    exact = cumulative[np.clip(uses, 0, exact_limit)]
    if abs(1 + b) < 1e-12:
        approx = np.log((uses + 0.5) / 0.5)
    else:
        approx = (np.power(uses + 0.5, 1 + b) - 0.5 ** (1 + b)) / (1 + b)
    return np.where(uses <= exact_limit, exact, approx)


def work_items(findings: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Priced findings (with ``hours``) grouped into pieces of work, each priced once.

    Keys are :func:`work_keys`. A component is swapped once: its hours are
    the largest of its findings'. A source item (a roadblock when its
    findings need redesign) costs its largest per-use hours times
    :func:`repeat_factor` of its uses, so 12,891 uses of one library cost
    far less than 12,891 times one, but more than one. Columns: those of
    the item's costliest finding, plus ``key``, ``shown`` (its name),
    ``occurrences`` (uses) and ``hours`` (the item's).
    """
    if findings.empty:
        return findings.assign(key="", shown="", occurrences=0, hours=pd.Series(dtype=float))
    keys, shown = work_keys(findings)
    keyed = findings.assign(key=keys, shown=shown)
    grouped = keyed.groupby("key", sort=False)
    first = keyed.loc[grouped["hours"].idxmax()].set_index("key")
    first["occurrences"] = grouped.size()
    component = first["kind"].isin(COMPONENT_KINDS).to_numpy()
    factor = np.where(component, 1.0, repeat_factor(first["occurrences"].to_numpy(), float(params.repeat_learning_rate)))
    first["hours"] = first["hours"].to_numpy(float) * factor
    return first.reset_index()


#: Columns of :func:`project_facts` (also those of a portfolio without projects).
FACT_COLUMNS = [
    "project", "sloc", "source_sloc", "adapted_sloc", "manual_sloc", "translated_share", "vendor_bound",
    "translatable", "replaceable", "rewrite", "code_hours", "libraries_hours", "platform_hours",
    "covered", "covered_units", "covered_hours", "build_translated_sloc", "translated_builds", "adopted", "adoptions",
]  # fmt: skip


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
    calibration_label : str
        What the draws are calibrated on, with its error ("" when uncalibrated).
    """

    projects: list[str]
    total: np.ndarray
    parts: dict[str, np.ndarray] = field(default_factory=dict)
    calibrated: bool = False
    calibration_label: str = ""

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


def simulate_effort(facts: pd.DataFrame, params: Parameters) -> EffortDraws:
    """Effort draws for every project of ``facts`` (see :func:`project_facts`).

    Per draw, with sizes in SLOC and effort in person-months (PM):

    - translate = (adapted_sloc − build_translated_sloc) / ATPROD
    - AAF = 0.4·DM + 0.3·CM + 0.3·IM;
      AAM = (AA + AAF·(1 + 0.02·SU·UNFM)) / 100 if AAF ≤ 50, else (AA + AAF + SU·UNFM) / 100
    - adapt = A · (manual_sloc · AAM / 1000)^E
    - remediation = hours × spread / hours_per_pm, by dimension
    - validation = fixed × min(work, 1 PM) + share × work + covered_hours × spread / hours_per_pm,
      where work = translate + adapt + remediation
    """
    x = draw_inputs(params)
    adapted = facts["adapted_sloc"].to_numpy(float)[:, None]
    manual = facts["manual_sloc"].to_numpy(float)[:, None]
    # Lines a build translates (PyTorch's hipify of a CUDAExtension) cost no translation.
    by_build = facts["build_translated_sloc"].to_numpy(float)[:, None] if "build_translated_sloc" in facts else np.zeros_like(adapted)
    translate = np.maximum(adapted - by_build, 0.0) / x["atprod"][None, :]
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
    # What already runs on the target is validated there, not moved.
    covered = facts["covered_hours"].to_numpy(float)[:, None] if "covered_hours" in facts else np.zeros_like(adapted)
    validation = validation + covered * spread
    parts["validation"] = validation
    total = work + validation
    # The model's own figures: the calibration maps them in lockin.scoring.score.
    return EffortDraws(list(facts["project"]), total, parts)


def cheaper_of(credited: EffortDraws, uncredited: EffortDraws) -> EffortDraws:
    """Per project and draw, the draws with the lower total (same projects, same draws).

    Crediting what already runs on the target never raises an estimate:
    where validating a tiny covered file would cost more than translating
    it, the translation's figure stands.
    """
    take = uncredited.total < credited.total
    parts = {name: np.where(take, uncredited.parts[name], part) for name, part in credited.parts.items()}
    return EffortDraws(credited.projects, np.where(take, uncredited.total, credited.total), parts, calibrated=credited.calibrated, calibration_label=credited.calibration_label)


def percentiles(draws: np.ndarray) -> tuple[float, float, float]:
    """P10, P50 and P90 of draws (person-months)."""
    p10, p50, p90 = np.percentile(draws, [10, 50, 90])
    return float(p10), float(p50), float(p90)
