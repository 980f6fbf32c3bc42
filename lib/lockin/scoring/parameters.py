"""The parameters of scoring and economics: documented defaults in one place.

Each parameter has a default, a unit, an allowed range and where the default
comes from. A team overrides any of them with a YAML file (safe-loaded); a
key nobody knows, a value of the wrong type or out of range is an error
naming the file and line, because a silently ignored typo
(``discount_rte: 0.2``) would give a plausible, wrong report.

Uncertain inputs of the effort model are triangular distributions written
as ``[low, mode, high]``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from lockin.hardware.fleet import DEFAULT_GRID_KG_PER_KWH, DEFAULT_PUE
from lockin import yamlsafe
from lockin.errors import quote, read_utf8
from lockin.records import InputError

__all__ = ["PARAMETERS", "Parameter", "Parameters", "load_parameters", "REMEDIATION_KINDS"]

#: Finding kinds whose remediation is counted per finding (components and
#: source findings that need redesign); see ``remediation_hours``.
REMEDIATION_KINDS = ("package", "index", "image", "cluster", "build", "env", "api", "include", "construct", "module")

_JUDGEMENT = "lockin default (judgement, not a measurement): calibrate with past migrations"


@dataclass(frozen=True)
class Parameter:
    """One parameter: its default, type, range, unit and the default's source."""

    name: str
    default: object
    kind: str  # number, integer, flag, choice, text, triangular, grid, prices, hours, paths, optional_text
    unit: str
    description: str
    source: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


#: Default remediation hours per finding, by portability class and kind.
#: Source-code kinds are 0 for translatable and replaceable findings because
#: the COCOMO II reuse model prices adapting the code they sit in; only
#: redesign (``rewrite``) is priced per finding on top.
DEFAULT_REMEDIATION_HOURS = {
    "translatable": {"package": 0.5, "index": 0.5, "image": 1.0, "cluster": 0.5, "build": 1.0, "env": 0.25, "api": 0.0, "include": 0.0, "construct": 0.0, "module": 0.0},
    "replaceable": {"package": 8.0, "index": 1.0, "image": 4.0, "cluster": 2.0, "build": 4.0, "env": 1.0, "api": 0.0, "include": 0.0, "construct": 0.0, "module": 0.0},
    "rewrite": {"package": 40.0, "index": 2.0, "image": 8.0, "cluster": 4.0, "build": 8.0, "env": 2.0, "api": 4.0, "include": 1.0, "construct": 16.0, "module": 4.0},
}

PARAMETERS: tuple[Parameter, ...] = (
    # --- what is compared
    Parameter("target_vendor", "amd", "choice", "", "vendor a move would go to", "docs/architecture.md: the motivating case, NVIDIA CUDA to AMD ROCm", choices=("amd", "nvidia", "intel", "google")),
    Parameter("baseline_accelerator", "H100 SXM", "text", "", "accelerator the portfolio runs on now (spec-table model or alias)", "data/fleet/fleet.csv: most of the sample fleet"),
    Parameter("target_accelerator", "MI300X", "text", "", "accelerator a move would go to", "the sample's question: NVIDIA H100 to AMD MI300X"),
    Parameter("seed", 20261125, "integer", "", "random seed of the Monte Carlo draws (same seed, same figures)", "any fixed number", minimum=0),
    Parameter("draws", 4000, "integer", "", "Monte Carlo draws", "measured on the sample portfolio: across seven seeds its P10/P50/P90 vary by at most 1.5 % at 4,000 draws (3.5 % at 1,000)", minimum=200, maximum=200_000),
    # --- lock-in ratio (SonarQube)
    Parameter("development_minutes_per_line", 30.0, "number", "min/line", "cost to develop one line of code", "SonarQube default development cost (sonar.technicalDebt.developmentCost = 30 min per line)", minimum=1, maximum=600),
    Parameter("rating_grid", [5.0, 10.0, 20.0, 50.0], "grid", "%", "upper bounds of ratings A, B, C, D of the lock-in ratio (E above)", "SonarQube default maintainability rating grid (0.05, 0.1, 0.2, 0.5)"),
    # --- COCOMO II reuse model
    Parameter("hours_per_pm", 152.0, "number", "h", "hours in a person-month", "COCOMO II Model Definition Manual (2000), §1: PM = 152 hours", minimum=100, maximum=200),
    Parameter("cocomo_a", 2.94, "number", "", "COCOMO II.2000 multiplicative constant A", "COCOMO II Model Definition Manual (2000), §3: A = 2.94", minimum=0.1, maximum=10),
    Parameter("cocomo_e", 1.0997, "number", "", "COCOMO II scale exponent E = B + 0.01·ΣSF at nominal scale factors", "COCOMO II (2000): B = 0.91, nominal ΣSF = 18.97", minimum=0.9, maximum=1.3),
    Parameter("atprod", [1200.0, 2400.0, 3600.0], "triangular", "SLOC/PM", "automated translation productivity", "COCOMO II (2000) reuse model: ATPROD default 2,400 SLOC per person-month; range a lockin judgement", minimum=100, maximum=20000),
    Parameter("dm", [5.0, 10.0, 30.0], "triangular", "%", "design modified, in files needing manual adaptation", _JUDGEMENT, minimum=0, maximum=100),
    Parameter("cm", [20.0, 40.0, 70.0], "triangular", "%", "code modified, in files needing manual adaptation", _JUDGEMENT, minimum=0, maximum=100),
    Parameter("im", [30.0, 50.0, 100.0], "triangular", "%", "integration and test effort, relative to new code", _JUDGEMENT, minimum=0, maximum=100),
    Parameter("su", [20.0, 30.0, 40.0], "triangular", "%", "software understanding increment", "COCOMO II (2000) SU rating scale 10 (very high) to 50 (very low); nominal 30", minimum=10, maximum=50),
    Parameter("unfm", [0.2, 0.4, 0.6], "triangular", "", "programmer unfamiliarity with the code", "COCOMO II (2000) UNFM scale 0.0 (completely familiar) to 1.0", minimum=0, maximum=1),
    Parameter("aa", [2.0, 4.0, 6.0], "triangular", "%", "assessment and assimilation", "COCOMO II (2000) AA scale 0 to 8; 4 = some module test and evaluation", minimum=0, maximum=8),
    # --- per-finding remediation and validation
    Parameter("remediation_hours", DEFAULT_REMEDIATION_HOURS, "hours", "h/finding", "remediation hours per finding by portability class and kind (a catalog row's effort_hours overrides)", _JUDGEMENT),
    Parameter("remediation_spread", [0.5, 1.0, 2.0], "triangular", "×", "uncertainty factor on per-finding hours", _JUDGEMENT, minimum=0.05, maximum=20),
    Parameter("validation_share", [0.15, 0.25, 0.4], "triangular", "", "validation on the new hardware, as a share of the migration work", _JUDGEMENT, minimum=0, maximum=3),
    Parameter("validation_fixed_pm", [0.25, 0.5, 1.0], "triangular", "PM", "fixed validation effort (CI, benchmarks on the new hardware) of a project with 1 PM of work or more; proportionally less below", _JUDGEMENT, minimum=0, maximum=24),
    # --- target readiness and sizing (docs/methodology.md, "Target readiness" and "Sizing")
    Parameter("credit_target_support", True, "flag", "", "credit what already runs on the target: covered findings cost validation only (false: price them as if the target path were not there, for comparison)", "issue 11: a project that already builds for the target needs its path validated, not written again"),
    Parameter("covered_validation_hours", 1.0, "number", "h/unit", "validating one covered unit (a build, a source file or a component group with a target path): build it for the target and run its tests there", _JUDGEMENT + ": the existing target path is built and its tests run in the target CI, an hour per build, file or component group; the 0.25–1 h the remediation table gives a mechanical component change", minimum=0, maximum=200),
    Parameter("adapted_window_lines", 10, "integer", "lines", "lines either side of a finding adapted with it when its file has no function regions", "lockin default (judgement): a call's argument set-up and error check around it; HIPIFY and SYCLomatic report migration per line and per function, not per file", minimum=0, maximum=500),
    Parameter("translated_build_hours", 8.0, "number", "h/build", "building one PyTorch CUDA extension whose sources PyTorch hipifies at build time on the target, and fixing what the translator leaves", _JUDGEMENT + ": a working day; the four PyTorch-extension ports of the real-port dataset (pytorch_scatter, pytorch_sparse, pytorch_cluster, pytorch_spline_conv) each took their author one day (data/calibration/ports.csv)", minimum=0, maximum=2000),
    Parameter("repeat_learning_rate", 0.8, "number", "", "cost of each doubling of the uses of one roadblock, relative to the previous (Wright's learning curve: the n-th use costs n^log2(rate) of the first)", "T. P. Wright, 'Factors Affecting the Cost of Airplanes', Journal of the Aeronautical Sciences 3(4), 1936: 80 % per doubling of repeated work; 1 = every use costs the same", minimum=0.5, maximum=1.0),
    # --- economics
    Parameter("horizon_years", 3.0, "number", "years", "period the economics cover", "a hardware generation: vendors ship a new accelerator every one to two years", minimum=0.5, maximum=15),
    Parameter("discount_rate", 0.08, "number", "/year", "discount rate of the net present value", "a typical corporate cost of capital; set your finance team's", minimum=0, maximum=0.5),
    Parameter("labour_cost_per_pm", 17200.0, "number", "USD/PM", "fully loaded cost of one engineer-month", "BLS OEWS May 2024 mean wage of software developers (SOC 15-1252) $144,570/year ÷ 0.70 (wages' share of total compensation, BLS ECEC) ÷ 12", minimum=0),
    Parameter("team_size", 4.0, "number", "engineers", "engineers working on one project's migration at once", _JUDGEMENT, minimum=0.5, maximum=200),
    Parameter("dual_running_months", 3.0, "number", "months", "months both platforms run after the migration, before the old one is retired", _JUDGEMENT, minimum=0, maximum=60),
    Parameter("retraining_usd_per_engineer", 5000.0, "number", "USD", "training an engineer on the target stack (courses, time)", _JUDGEMENT, minimum=0),
    Parameter("hardware_cost", "owned", "choice", "", "owned: purchase price amortised plus energy; rented: hourly rate (energy included)", "—", choices=("owned", "rented")),
    Parameter("amortisation_years", 4.0, "number", "years", "years over which owned accelerators are written off", "common depreciation schedule of servers (4–6 years at hyperscalers)", minimum=1, maximum=10),
    Parameter("utilisation", 0.7, "number", "", "busy share of an accelerator's hours; converts GPU-hours into accelerators", _JUDGEMENT, minimum=0.05, maximum=1),
    Parameter("power_load", 0.75, "number", "", "average draw as a share of board power when the fleet gives no measurement", _JUDGEMENT, minimum=0.05, maximum=1),
    Parameter("energy_usd_per_kwh", 0.0895, "number", "USD/kWh", "price of electricity", "EIA Electric Power Annual 2023: average revenue per kWh, commercial sector, Virginia (the largest data-centre market) 8.95 ¢", minimum=0, maximum=2),
    Parameter("pue", DEFAULT_PUE, "number", "", "power usage effectiveness of the facilities", "Uptime Institute Global Data Center Survey 2023: industry average PUE 1.58", minimum=1, maximum=3),
    Parameter("grid_kg_per_kwh", DEFAULT_GRID_KG_PER_KWH, "number", "kg CO2e/kWh", "carbon intensity of the electricity", "Ember Global Electricity Review 2023: world average 2022, 436 g CO2/kWh", minimum=0, maximum=2),
    Parameter("default_gpu_hours_per_month", 0.0, "number", "GPU-h/month", "compute of a project portfolio.yml gives none for", "none: a project without gpu_hours has no hardware economics", minimum=0),
    Parameter("prices", {}, "prices", "USD", "price overrides per accelerator: {model: {purchase_usd, hourly_usd}}", "data/benchmarks/prices.csv (illustrative list prices) unless given"),
    Parameter("sensitivity_swing", 0.25, "number", "", "relative swing of each parameter in the tornado (±)", "a common ±25 % one-at-a-time range", minimum=0.01, maximum=0.9),
    # --- inputs
    Parameter("fleet_file", "", "optional_text", "", "the fleet CSV (a relative path is read from the parameter file's folder)", "none: without a fleet file the report has no fleet section (the sample portfolio's parameters, data/sample-params.yml, name the sample fleet)"),
    Parameter("results_files", [], "paths", "", "benchmark result files that extend the bundled MLPerf set", "none"),
    Parameter("calibration_file", "data/calibration/calibration.csv", "optional_text", "", "past migrations CSV the effort model is calibrated on (empty: uncalibrated)", "the bundled calibration on real CUDA→ROCm ports mined from git history (data/calibration/ports.csv; docs/methodology.md §3.5); give your own team's migrations to replace it"),
    Parameter("hhi_regime", "2023", "choice", "", "HHI thresholds for the supply dimension", "2023 Merger Guidelines", choices=("2023", "2010")),
)

_BY_NAME = {p.name: p for p in PARAMETERS}


class Parameters(Mapping):
    """Validated parameter values, read as attributes or items.

    Parameters
    ----------
    values : mapping, optional
        Overrides of the defaults; validated like a YAML file's.
    origin : str
        Where the overrides came from (a file path), for messages and the
        report's appendix.
    """

    def __init__(self, values: Mapping | None = None, origin: str = "defaults", lines: Mapping[str, int] | None = None):
        merged = {p.name: _copy(p.default) for p in PARAMETERS}
        for name, value in (values or {}).items():
            line = (lines or {}).get(name)
            merged[name] = validate(name, value, origin, line)
        _check_consistency(merged, origin)
        self._values = merged
        self.origin = origin
        self.overridden = tuple(values or ())

    def __getitem__(self, key: str):
        return self._values[key]

    def __getattr__(self, key: str):
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def replace(self, **changes) -> Parameters:
        """A copy with some values changed (validated)."""
        values = {name: self._values[name] for name in self.overridden}
        values.update(changes)
        return Parameters(values, self.origin)

    def table(self):
        """Every parameter with its value, default, unit and source (a DataFrame)."""
        import pandas as pd

        rows = [
            {
                "parameter": p.name,
                "value": _show(self._values[p.name]),
                "default": _show(p.default),
                "unit": p.unit,
                "set_by": self.origin if p.name in self.overridden else "default",
                "description": p.description,
                "source": p.source,
            }
            for p in PARAMETERS
        ]
        return pd.DataFrame(rows)


def load_parameters(path: str | Path | None = None, **overrides) -> Parameters:
    """Read a YAML parameter file (a mapping of name → value) over the defaults.

    Keyword ``overrides`` (already typed, e.g. from the command line) win
    over the file.

    Raises
    ------
    InputError
        For YAML syntax errors, unknown names and invalid values, with the
        file and line.
    """
    values, lines, origin = {}, {}, "defaults"
    if path is not None:
        origin = str(path)
        text = read_utf8(path)
        values, lines = _read_yaml_mapping(text, origin)
        base = Path(path).resolve().parent
        for key in ("fleet_file", "calibration_file"):
            if values.get(key):
                values[key] = _relative_to(values[key], base)
        if values.get("results_files"):
            values["results_files"] = [_relative_to(p, base) for p in values["results_files"]] if isinstance(values["results_files"], list) else values["results_files"]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Parameters(values, origin, lines)


def _relative_to(value, base: Path):
    if not isinstance(value, str) or not value:
        return value
    candidate = Path(value)
    if candidate.is_absolute():
        return value
    beside = base / candidate
    # A bundled file spelled data/… (the defaults a scaffolded params.yml
    # writes out) stays bundled unless the parameter file's folder has its own.
    from lockin import resources

    if not beside.exists() and resources.bundled_file(value) is not None and resources.bundled_file(value).exists():
        return value
    return str(beside)


def _read_yaml_mapping(text: str, origin: str) -> tuple[dict, dict[str, int]]:
    # Bounded alias expansion: an alias bomb is refused, never expanded.
    node = yamlsafe.compose(text, origin)
    data = None if node is None else yamlsafe.construct(node, origin)
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise InputError(origin, 1, "expected a mapping of parameter names to values")
    lines = {key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
    unknown = [k for k in data if k not in _BY_NAME]
    if unknown:
        key = unknown[0]
        close = _closest(str(key)[:200])
        hint = f"; did you mean {close!r}?" if close else ""
        raise InputError(origin, lines.get(key) if isinstance(key, str) else None, f"unknown parameter {quote(key)}{hint} (known: {', '.join(_BY_NAME)})")
    return data, lines


def validate(name: str, value, origin: str = "parameters", line: int | None = None):
    """Check one value against its parameter; return it normalised."""
    if name not in _BY_NAME:
        close = _closest(name)
        raise InputError(origin, line, f"unknown parameter {quote(name)}" + (f"; did you mean {close!r}?" if close else ""))
    spec = _BY_NAME[name]
    try:
        return _CHECKS[spec.kind](spec, value)
    except ValueError as exc:
        raise InputError(origin, line, f"{name}: {exc}") from None


def _number(spec: Parameter, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"expected a number{_unit(spec)}, got {quote(value)}")
    _in_range(spec, float(value))
    return float(value)


def _integer(spec: Parameter, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {quote(value)}")
    _in_range(spec, value)
    return value


def _flag(spec: Parameter, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {quote(value)}")
    return value


def _choice(spec: Parameter, value) -> str:
    text = str(value).lower() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if text not in spec.choices:
        raise ValueError(f"expected one of {', '.join(spec.choices)}, got {quote(value)}")
    return text


def _text(spec: Parameter, value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty text, got {quote(value)}")
    return value.strip()


def _optional_text(spec: Parameter, value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"expected a text (a path) or nothing, got {quote(value)}")
    return value.strip()


def _paths(spec: Parameter, value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"expected a list of file paths, got {quote(value)}")
    return [v.strip() for v in value]


def _triangular(spec: Parameter, value) -> list[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value, value, value]  # a single number: no uncertainty
    if not isinstance(value, list) or len(value) != 3:
        raise ValueError(f"expected [low, mode, high]{_unit(spec)}, got {quote(value)}")
    numbers = [_number(spec, v) for v in value]
    if not numbers[0] <= numbers[1] <= numbers[2]:
        raise ValueError(f"expected low ≤ mode ≤ high, got {quote(value)}")
    return numbers


def _grid(spec: Parameter, value) -> list[float]:
    if not isinstance(value, list) or len(value) != 4:
        raise ValueError(f"expected four increasing percentages (A, B, C, D upper bounds), got {quote(value)}")
    numbers = [float(v) for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
    # Starting the pairs at 0 makes the first bound positive.
    if len(numbers) != 4 or not all(a < b for a, b in zip([0.0, *numbers], numbers)):
        raise ValueError(f"expected four increasing positive percentages, got {quote(value)}")
    return numbers


def _prices(spec: Parameter, value) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of accelerator → {{purchase_usd, hourly_usd}}, got {quote(value)}")
    prices = {}
    for model, fields in value.items():
        if not isinstance(fields, dict) or not fields or set(fields) - {"purchase_usd", "hourly_usd"}:
            raise ValueError(f"{quote(model)}: expected purchase_usd and/or hourly_usd, got {quote(fields)}")
        for key, number in fields.items():
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 < number < math.inf:
                raise ValueError(f"{quote(model)}.{quote(key)}: expected a price above 0, got {quote(number)}")
        prices[str(model)] = {k: float(v) for k, v in fields.items()}
    return prices


def _hours(spec: Parameter, value) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of class → {{kind: hours}}, got {quote(value)}")
    table = _copy(DEFAULT_REMEDIATION_HOURS)
    for portability, kinds in value.items():
        if portability not in table:
            raise ValueError(f"unknown portability class {quote(portability)} (translatable, replaceable, rewrite)")
        if not isinstance(kinds, dict):
            raise ValueError(f"{quote(portability)}: expected a mapping of kind → hours, got {quote(kinds)}")
        for kind, hours in kinds.items():
            if kind not in REMEDIATION_KINDS:
                raise ValueError(f"{quote(portability)}: unknown kind {quote(kind)} ({', '.join(REMEDIATION_KINDS)})")
            if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0:
                raise ValueError(f"{quote(portability)}.{quote(kind)}: expected hours ≥ 0, got {quote(hours)}")
            table[portability][kind] = float(hours)
    return table


_CHECKS = {
    "number": _number,
    "integer": _integer,
    "flag": _flag,
    "choice": _choice,
    "text": _text,
    "optional_text": _optional_text,
    "paths": _paths,
    "triangular": _triangular,
    "grid": _grid,
    "prices": _prices,
    "hours": _hours,
}


def _in_range(spec: Parameter, value: float) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(f"{value:g} is below the minimum {spec.minimum:g}{_unit(spec)}")
    if spec.maximum is not None and value > spec.maximum:
        raise ValueError(f"{value:g} is above the maximum {spec.maximum:g}{_unit(spec)}")


def _check_consistency(values: dict, origin: str) -> None:
    if values["baseline_accelerator"].strip().lower() == values["target_accelerator"].strip().lower():
        raise InputError(origin, None, "baseline_accelerator and target_accelerator are the same")


def _unit(spec: Parameter) -> str:
    return f" ({spec.unit})" if spec.unit else ""


def _closest(name: str) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, list(_BY_NAME), n=1)
    return found[0] if found else None


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return list(value)
    return value


def _show(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]" if value else "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value) if value != "" else "—"
