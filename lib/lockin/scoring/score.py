"""Lock-in scores per project and for the portfolio.

The lock-in ratio follows SonarQube's technical-debt ratio: the effort to
remove the lock-in (migration effort, P50) over the cost of developing the
code base (lines × minutes per line), rated A–E on a grid. The dimensions
(code, libraries, platform, performance, supply) are shown side by side,
not blended into one number, so a project that is cheap to port but runs
badly on the target does not look like one that is simply cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lockin.records import PORTFOLIO_RECORD, PROJECT_RECORD, Problem
from lockin.scan import incomplete_column
from lockin.scoring.calibration import Calibration, load_calibration
from lockin.scoring.translation import keep_cheaper_adoptions, mark_translation
from lockin.scoring.economics import CaseResult, ProjectCase, evaluate_case, recommend, tornado
from lockin.scoring.effort import EffortDraws, attach_effort_hours, attach_library, cheaper_of, finding_hours, percentiles, project_facts, simulate_effort, work_items, work_keys
from lockin.scoring.hardware import HardwareContext, load_hardware_context
from lockin.scoring.parameters import Parameters
from lockin.scoring.readiness import charged_mask, mark_covered, merge_vendor_counts, portfolio_readiness, readiness_table, scan_definitions, scan_regions, source_vendors

__all__ = ["PROJECT_RECORD", "PORTFOLIO_RECORD", "SCORE_COLUMNS", "ROADBLOCK_COLUMNS", "ROADBLOCK_LOCATIONS", "Scores", "score", "priced_findings", "rating_for", "lockin_ratio"]


#: Columns of a score record, contract first.
SCORE_COLUMNS = (
    "record",
    "project",
    "lockin_ratio",
    "rating",
    "roadblocks",
    "readiness",
    "target_paths",
    "effort_pm_p10",
    "effort_pm_p50",
    "effort_pm_p90",
    "effort_to_a_pm",
    "code_pm",
    "libraries_pm",
    "platform_pm",
    "validation_pm",
    "performance_ratio",
    "performance_basis",
    "supply_hhi",
    "supply_concentration",
    "sloc",
    "adapted_sloc",
    "translated_share",
    "vendor_bound",
    "translatable",
    "replaceable",
    "rewrite",
    "covered",
    "source_vendor",
    "other_vendor_bound",
    "other_vendors",
    "gpu_hours_per_month",
    "npv_usd",
    "npv_usd_p10",
    "npv_usd_p90",
    "breakeven_month",
    "recommendation",
    "reasons",
    "calibration",
    "incomplete",
)

ROADBLOCK_COLUMNS = ("project", "kind", "name", "family", "vendor", "alternative", "why", "hours", "occurrences", "path", "line", "locations", "evidence")

#: Places a roadblock row lists in ``locations``; ``occurrences`` counts them all.
ROADBLOCK_LOCATIONS = 3

UNCALIBRATED = "uncalibrated defaults"

CASHFLOW_COLUMNS = ["month", "stay", "move", "labour", "savings", "discounted", "cumulative", "project"]


@dataclass
class Scores:
    """Everything scoring produced.

    Attributes
    ----------
    frame : DataFrame
        :data:`SCORE_COLUMNS`, one row per project (``record`` ``project``)
        and last the totals (``record`` ``portfolio``, ``project`` None).
    findings : DataFrame
        The scan's findings with the ``effort_hours`` of their catalog rows,
        ``library`` (see :func:`~lockin.scoring.effort.attach_library`),
        ``covered``/``covered_by`` (see
        :func:`~lockin.scoring.readiness.mark_covered`) and ``charged``
        (the project's source vendor's vendor-bound findings).
    roadblocks : DataFrame
        :data:`ROADBLOCK_COLUMNS`: the distinct roadblocks (priced
        ``rewrite`` findings grouped as in
        :func:`~lockin.scoring.effort.work_keys`), most hours first. A
        project's ``roadblocks`` score is its number of rows here.
    facts : DataFrame
        Sizes and hours behind the effort (see :func:`~lockin.scoring.effort.project_facts`).
    draws : EffortDraws
    cashflows : DataFrame
        Month-by-month stay/move costs per project.
    tornado : DataFrame
        Sensitivity of the portfolio's NPV.
    params : Parameters
    notes : list of str
        Caveats every output repeats (uncalibrated defaults, estimates).
    problems : list of Problem
        Inputs skipped on the hardware side.
    """

    frame: pd.DataFrame
    roadblocks: pd.DataFrame
    facts: pd.DataFrame
    draws: EffortDraws
    cashflows: pd.DataFrame
    tornado: pd.DataFrame
    params: Parameters
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    calibration: Calibration | None = None
    findings: pd.DataFrame | None = None

    @property
    def projects(self) -> pd.DataFrame:
        """The project records, without the totals."""
        return self.frame[self.frame["record"] == PROJECT_RECORD]

    @property
    def portfolio(self) -> pd.Series:
        """The portfolio's totals record."""
        return self.frame[self.frame["record"] == PORTFOLIO_RECORD].iloc[0]


def lockin_ratio(effort_pm: float, sloc: int, params: Parameters) -> float:
    """Migration effort over development cost (SonarQube's debt ratio), as a fraction."""
    development_hours = sloc * params.development_minutes_per_line / 60.0
    effort_hours = effort_pm * params.hours_per_pm
    if development_hours <= 0:
        return 0.0 if effort_hours <= 0 else math.inf
    return effort_hours / development_hours


def rating_for(ratio: float, grid: list[float]) -> str:
    """A–E: A up to grid[0] %, B up to grid[1] %, … E above grid[3] %."""
    percent = ratio * 100.0
    for letter, bound in zip("ABCD", grid):
        if percent <= bound:
            return letter
    return "E"


def effort_to_a(effort_pm: float, sloc: int, params: Parameters) -> float:
    """Person-months to remove before the ratio is within rating A."""
    allowed_hours = params.rating_grid[0] / 100.0 * sloc * params.development_minutes_per_line / 60.0
    return max(0.0, effort_pm - allowed_hours / params.hours_per_pm)


def score(scan, params: Parameters | None = None, hardware: HardwareContext | None = None, catalog=None, credit_target_support: bool | None = None) -> Scores:
    """Score the projects of a scan.

    Parameters
    ----------
    scan : ScanResult
        Findings must be judged against ``params.target_vendor``.
    params : Parameters, optional
        Defaults when not given.
    hardware : HardwareContext, optional
        Loaded from the parameters when not given.
    catalog : Catalog, optional
        The catalog the scan used (for rows' ``effort_hours``); the bundled
        one when not given.
    credit_target_support : bool, optional
        Overrides the parameter of that name: False prices covered findings
        as if the target path were not there ("effort without that support").
    """
    params = params or Parameters()
    if credit_target_support is not None and credit_target_support != params.credit_target_support:
        params = params.replace(credit_target_support=bool(credit_target_support))
    if scan.target != params.target_vendor:
        raise ValueError(f"the scan judged findings against {scan.target!r}, the parameters target {params.target_vendor!r}; scan again with --target {params.target_vendor}")
    hardware = hardware or load_hardware_context(params)
    calibration = load_calibration(params) if params.calibration_file else None
    if catalog is None:
        from lockin.catalog import load_catalog

        catalog = load_catalog()
    names = [p.name for p in scan.projects] or sorted(set(scan.inputs["project"]))
    meta = {p.name: p.meta for p in scan.projects}
    regions = scan_regions(scan)
    findings, sources = _judged_findings(scan, regions, params, catalog, _accelerator_vendors(meta, hardware), names)
    findings = keep_cheaper_adoptions(findings, scan.inputs, params, names, regions)
    facts = project_facts(findings, scan.inputs, params, names, regions)
    readiness = readiness_table(findings, regions, sources, params.target_vendor, names, scan.inputs).set_index("project")
    draws = _effort_draws(findings, facts, scan.inputs, regions, params, calibration, names)
    roadblocks = _roadblocks(not_adopted(priced_findings(findings, params)), params)
    distinct = roadblocks["project"].value_counts()
    cases, rows, flows = [], [], []
    for index, name in enumerate(names):
        row, case, result = _project_row(name, index, facts, draws, params, hardware, meta.get(name, {}), int(distinct.get(name, 0)))
        row.update(readiness.loc[name, ["readiness", "target_paths", "source_vendor", "other_vendor_bound", "other_vendors"]].to_dict())
        rows.append(row)
        if result.status == "ok":
            cases.append(case)
            flows.append(result.cashflows)
    frame = pd.DataFrame(rows, columns=[c for c in SCORE_COLUMNS if c not in ("calibration", "incomplete")])
    total = pd.DataFrame([_portfolio_row(frame, facts, draws, params, hardware)]).astype({"project": object})
    frame = pd.concat([frame.astype({"project": object}), total], ignore_index=True) if len(frame) else total
    frame["calibration"] = calibration.describe() if calibration else UNCALIBRATED
    # "" or e.g. "2 unreadable folder(s)"; the totals record says how many projects are incomplete.
    frame["incomplete"] = incomplete_column(scan, [None if record == PORTFOLIO_RECORD else name for record, name in zip(frame["record"], frame["project"])])
    notes = _notes(params, calibration, frame)
    return Scores(
        frame=frame[list(SCORE_COLUMNS)],
        roadblocks=roadblocks,
        facts=facts,
        draws=draws,
        cashflows=pd.concat(flows, ignore_index=True) if flows else pd.DataFrame(columns=CASHFLOW_COLUMNS),
        tornado=tornado([c for c in cases if c.gpu_hours_per_month > 0 and not c.same_vendor], params),
        params=params,
        notes=notes,
        problems=list(hardware.problems),
        calibration=calibration,
        findings=findings,
    )


def _judged_findings(scan, regions: pd.DataFrame, params: Parameters, catalog, accelerators: dict[str, str], names: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The scan's findings with what scoring needs, and each project's source vendor.

    Adds ``effort_hours`` and ``library`` (from the catalog), ``covered``
    and ``covered_by`` (target support already there) and ``charged`` (of
    the project's source vendor).
    """
    findings = attach_library(attach_effort_hours(scan.findings, catalog), catalog)
    findings = mark_covered(findings, regions, scan_definitions(scan), scan.inputs, params.target_vendor)
    findings = mark_translation(findings, scan.inputs, getattr(catalog, "implementations", []), params.target_vendor)
    sources = source_vendors(findings, params.target_vendor, accelerators, names, credit_target_support=params.credit_target_support)
    charged = charged_mask(findings, sources, params.target_vendor) if len(findings) else pd.Series(dtype=bool)
    return findings.assign(charged=charged), sources


def _effort_draws(findings, facts, inputs, regions, params: Parameters, calibration, names) -> EffortDraws:
    """Effort draws; with target support credited, never above those without the credit (see :func:`cheaper_of`).

    The calibration was fitted on ports of CUDA-only projects, so it maps
    each project's estimate *without* its target support; the credit for
    what already runs on the target then scales the calibrated figure in
    proportion (a project that needs 4 % of its uncredited work still
    needs 4 % after calibration).
    """
    draws = simulate_effort(facts, params)
    basis = draws.total
    if params.credit_target_support and facts["covered"].any():
        uncredited = simulate_effort(project_facts(findings, inputs, params.replace(credit_target_support=False), names, regions), params)
        draws = cheaper_of(draws, uncredited)
        basis = uncredited.total
    if calibration is None:
        return draws
    calibrated = calibration.apply(basis, seed=params.seed)
    factor = np.divide(calibrated, basis, out=np.zeros_like(calibrated), where=basis > 0)
    return EffortDraws(draws.projects, draws.total * factor, draws.parts, calibrated=True, calibration_label=calibration.label)


def _accelerator_vendors(meta: dict, hardware: HardwareContext) -> dict[str, str]:
    """project → vendor of the accelerator its portfolio.yml entry names (only those that name one the specs know)."""
    vendors = {}
    for name, fields in meta.items():
        given = (fields or {}).get("accelerator")
        if not given:
            continue
        try:
            vendors[name] = hardware.vendor(hardware.resolve(str(given)))
        except (KeyError, ValueError):
            continue  # an accelerator the specs do not know: the evidence decides
    return vendors


def priced_findings(findings: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """The findings a move is charged for: the source vendor's, not covered while target support is credited.

    ``findings`` are a :class:`Scores`' (with ``charged`` and ``covered``).
    """
    if findings.empty:
        return findings[findings["portability"] != "portable"]
    keep = findings["charged"].astype(bool)
    if params.credit_target_support:
        keep &= ~findings["covered"].astype(bool)
    return findings[keep]


def not_adopted(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings whose kernels a move does not replace with the target vendor's implementation
    (:func:`lockin.scoring.translation.mark_translation`): an adopted kernel is no roadblock."""
    if "adopted_as" not in findings.columns:
        return findings
    return findings[findings["adopted_as"].fillna("").astype(str) == ""]


def _project_row(name, index, facts, draws, params, hardware, meta, roadblocks: int) -> tuple[dict, ProjectCase, CaseResult]:
    fact = facts.iloc[index]
    p10, p50, p90 = percentiles(draws.total[index])
    baseline = hardware.resolve(str(meta.get("accelerator") or params.baseline_accelerator))
    target = hardware.resolve(params.target_accelerator)
    workloads = [str(w) for w in meta.get("workloads") or []]
    ratio, basis, band = hardware.ratio_for(baseline, target, workloads)
    given = meta.get("gpu_hours_per_month")
    gpu_hours = float(given if given is not None else params.default_gpu_hours_per_month)
    lockin = lockin_ratio(p50, int(fact["sloc"]), params)
    row = {
        "record": PROJECT_RECORD,
        "project": name,
        "lockin_ratio": lockin,
        "rating": rating_for(lockin, params.rating_grid),
        "roadblocks": roadblocks,
        "effort_pm_p10": p10,
        "effort_pm_p50": p50,
        "effort_pm_p90": p90,
        "effort_to_a_pm": effort_to_a(p50, int(fact["sloc"]), params),
        **{f"{part}_pm": float(np.median(draws.parts[part][index])) for part in ("code", "libraries", "platform", "validation")},
        "performance_ratio": ratio,
        "performance_basis": f"{target} over {baseline}: {basis}",
        "supply_hhi": hardware.supply_hhi,
        "supply_concentration": hardware.supply_concentration,
        **{k: fact[k] for k in ("sloc", "adapted_sloc", "translated_share", "vendor_bound", "translatable", "replaceable", "rewrite", "covered")},
        "gpu_hours_per_month": gpu_hours,
    }
    same_vendor = hardware.vendor(baseline) == params.target_vendor
    case = ProjectCase(name, gpu_hours, baseline, target, _spec(hardware, baseline), _spec(hardware, target), ratio, band, (p10, p50, p90), same_vendor)
    if same_vendor:
        result = CaseResult(name, *([float("nan")] * 9), status=f"it already runs on {params.target_vendor}")
    elif gpu_hours > 0:
        result = evaluate_case(case, params)
    else:
        status = "it uses no accelerator hours" if given is not None else "no gpu_hours_per_month for this project in portfolio.yml"
        result = CaseResult(name, *([float("nan")] * 9), status=status)
    decision, reasons = recommend(result, case, roadblocks, params, hardware.supply_concentration)
    row.update(
        npv_usd=result.npv_usd, npv_usd_p10=result.npv_usd_p10, npv_usd_p90=result.npv_usd_p90,
        breakeven_month=result.breakeven_month, recommendation=decision, reasons=reasons,
    )  # fmt: skip
    return row, case, result


def _spec(hardware: HardwareContext, model: str) -> dict:
    return {"model": model, **hardware.specs.frame.loc[model].to_dict()}


def _portfolio_row(frame: pd.DataFrame, facts: pd.DataFrame, draws: EffortDraws, params: Parameters, hardware: HardwareContext) -> dict:
    p10, p50, p90 = percentiles(draws.portfolio)
    sloc = int(facts["sloc"].sum())
    ratio = lockin_ratio(p50, sloc, params)
    counts = frame["recommendation"].value_counts()
    return {
        "record": PORTFOLIO_RECORD,
        "project": None,
        "lockin_ratio": ratio,
        "rating": rating_for(ratio, params.rating_grid),
        "roadblocks": int(frame["roadblocks"].sum()),
        "readiness": portfolio_readiness(frame),
        "target_paths": f"{int((frame['target_paths'].fillna('') != '').sum()):,} project(s)",
        "effort_pm_p10": p10,
        "effort_pm_p50": p50,
        "effort_pm_p90": p90,
        "effort_to_a_pm": effort_to_a(p50, sloc, params),
        **{f"{part}_pm": float(np.median(draws.parts[part].sum(axis=0))) for part in ("code", "libraries", "platform", "validation")},
        "performance_ratio": _weighted_ratio(frame),
        "performance_basis": "geometric mean over projects, weighted by GPU-hours",
        "supply_hhi": hardware.supply_hhi,
        "supply_concentration": hardware.supply_concentration,
        **{k: facts[k].sum() for k in ("sloc", "adapted_sloc", "vendor_bound", "translatable", "replaceable", "rewrite", "covered")},
        "source_vendor": ", ".join(sorted({v for v in frame["source_vendor"].fillna("") if v})),
        "other_vendor_bound": int(frame["other_vendor_bound"].sum()),
        "other_vendors": merge_vendor_counts(frame["other_vendors"]),
        "translated_share": _share(facts),
        "gpu_hours_per_month": float(frame["gpu_hours_per_month"].sum()),
        "npv_usd": frame["npv_usd"].sum(min_count=1),
        "npv_usd_p10": frame["npv_usd_p10"].sum(min_count=1),
        "npv_usd_p90": frame["npv_usd_p90"].sum(min_count=1),
        "breakeven_month": float("nan"),
        "recommendation": ", ".join(f"{n} {k}" for k, n in counts.items()),
        "reasons": "sum over projects; NPV percentiles are summed per project, so the portfolio band is conservative",
    }


def _weighted_ratio(frame: pd.DataFrame) -> float:
    weights = frame["gpu_hours_per_month"].to_numpy(float)
    ratios = frame["performance_ratio"].to_numpy(float)
    if weights.sum() <= 0:
        weights = np.ones_like(ratios)
    keep = (ratios > 0) & np.isfinite(ratios)
    if not keep.any():
        return float("nan")
    return float(np.exp(np.average(np.log(ratios[keep]), weights=weights[keep] if weights[keep].sum() > 0 else None)))


def _share(facts: pd.DataFrame) -> float:
    adapted = facts["adapted_sloc"].sum()
    return float((adapted - facts["manual_sloc"].sum()) / adapted) if adapted else 0.0


def _roadblocks(findings: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """The distinct roadblocks, most hours first.

    Priced ``rewrite`` findings grouped as in
    :func:`~lockin.scoring.effort.work_keys`: a construct once per file
    (four ``wgmma`` instructions in one file are one row with
    ``occurrences`` 4), a library matched by a prefix row once per project
    (CuTe DSL's 12,891 uses are one row), another API once per project and
    name, a component by its family (18 RAPIDS package findings are one
    ``cudf`` row). ``hours`` is the item's, which grows with its uses but
    less than in proportion (:func:`~lockin.scoring.effort.repeat_factor`);
    ``path`` and ``line`` are its first location and ``locations`` lists up
    to :data:`ROADBLOCK_LOCATIONS` of them as ``path:line``.
    """
    rows = findings[findings["portability"] == "rewrite"]
    if rows.empty:
        return pd.DataFrame(columns=list(ROADBLOCK_COLUMNS))
    rows = rows.assign(hours=finding_hours(rows, params))
    items = work_items(rows, params).set_index("key")
    items["name"] = items["shown"]
    places = _places(rows.assign(roadblock=work_keys(rows)[0]))
    items["path"] = places["path"]
    items["line"] = places["line"]
    items["locations"] = places["locations"]
    items = items.assign(why=[_why(r) for r in items.itertuples()])
    items = items.sort_values(["hours", "occurrences", "project", "kind", "name"], ascending=[False, False, True, True, True], kind="stable")
    return items[list(ROADBLOCK_COLUMNS)].reset_index(drop=True)


def _places(rows: pd.DataFrame) -> pd.DataFrame:
    """Per roadblock: its first path and line and up to three ``path:line`` locations, in file order."""
    ordered = rows.assign(line=pd.to_numeric(rows["line"], errors="coerce").astype("Int64"))
    ordered = ordered.sort_values(["path", "line"], kind="stable", na_position="first")
    ordered = ordered.assign(place=[f"{path}:{line}" if pd.notna(line) else str(path) for path, line in zip(ordered["path"], ordered["line"])])
    ordered = ordered.drop_duplicates(["roadblock", "place"])
    by_roadblock = ordered.groupby("roadblock", sort=False)
    first = by_roadblock.head(1).set_index("roadblock")
    return pd.DataFrame(
        {
            "path": first["path"],
            "line": first["line"],
            "locations": by_roadblock["place"].apply(lambda p: ", ".join(p.head(ROADBLOCK_LOCATIONS))),
        }
    )


def _why(row) -> str:
    note = str(getattr(row, "note", "") or "")
    alternative = str(getattr(row, "alternative", "") or "")
    if note:
        return note
    return f"no equivalent on the target{': closest is ' + alternative if alternative else ''}"


def _notes(params: Parameters, calibration: Calibration | None, frame: pd.DataFrame) -> list[str]:
    notes = []
    if calibration is None:
        notes.append("Effort figures use lockin's uncalibrated default parameters (calibration_file is empty); the bundled calibration on real ports is data/calibration/calibration.csv.")
    else:
        notes.append(f"Effort figures use {calibration.describe()}; the P10–P90 band includes that error.")
    if frame["performance_basis"].str.contains("estimate").any():
        notes.append("Some performance ratios are transfer-model estimates, not measurements (see performance_basis).")
    return notes
