"""Benchmark results: MLPerf's ``summary_results.json`` and a team's CSV.

Both are read into one results frame (:data:`RESULT_COLUMNS`), one row per
system × workload × scenario, with the accelerator name resolved to the spec
table's model and the result divided per accelerator. A record that cannot
be used (a unit nobody knows, a negative result, a mixed-accelerator system,
a name that fits no model) is kept out of the frame and reported as a
:class:`~lockin.records.Problem` with the file and line, so nothing is
compared on a guess and nothing is lost silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lockin.hardware.specs import BENCHMARK_DATA_DIR, SpecTable
from lockin.hardware.tables import Column, positive_or_none, read_table
from lockin.errors import quote, read_utf8
from lockin.records import InputError, Problem

__all__ = [
    "RESULT_COLUMNS",
    "UNIT_DIRECTIONS",
    "ResultSet",
    "bundled_result_files",
    "exclusion_note",
    "exclusion_reason",
    "exclusion_summary",
    "is_bundled",
    "split_bundled",
    "load_benchmarks",
    "load_results",
    "read_mlperf_summary",
    "read_results_csv",
    "per_accelerator",
]

#: Columns of the results frame, in order.
RESULT_COLUMNS = (
    "round",
    "division",
    "availability",
    "workload",
    "scenario",
    "submitter",
    "system",
    "accelerator",
    "model",
    "vendor",
    "accelerator_count",
    "result",
    "unit",
    "direction",
    "per_accelerator",
    "power_w",
    "precision",
    "software",
    "record",
    "source",
    "file",
    "line",
)

#: Units the suite knows, and whether more is better.
UNIT_DIRECTIONS = {
    "tokens/s": "higher",
    "samples/s": "higher",
    "queries/s": "higher",
    "images/s": "higher",
    "sequences/s": "higher",
    "latency (ms)": "lower",
    "ms": "lower",
    "s": "lower",
    "seconds": "lower",
    "minutes": "lower",
    "hours": "lower",
}

#: Keys every MLPerf summary record must have.
MLPERF_KEYS = ("Submitter", "Category", "Model", "Scenario", "Accelerator", "a#", "Nodes", "Performance_Result", "Performance_Units")

RESULT_CSV_COLUMNS = (
    Column("workload"),
    Column("scenario"),
    Column("system", required=False, nonempty=False, default=""),
    Column("accelerator"),
    Column("accelerator_count", "count", minimum=1),
    Column("result", "number", minimum=0, strict=True),
    Column("unit"),
    Column("direction"),
    Column("power_w", "number", required=False, nonempty=False, minimum=0, strict=True),
    Column("precision", required=False, nonempty=False, default=""),
    Column("software", required=False, nonempty=False, default=""),
    Column("round", required=False, nonempty=False, default=""),
    Column("division", required=False, nonempty=False, default="closed"),
    Column("availability", required=False, nonempty=False, default=""),
    Column("source", required=False, nonempty=False, default=""),
)


@dataclass
class ResultSet:
    """Benchmark results with the inputs they came from.

    Attributes
    ----------
    frame : DataFrame
        :data:`RESULT_COLUMNS`; ``model`` is the spec table's canonical name.
    problems : list of Problem
        Every record left out, with its file, line and reason.
    files : list of str
    """

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def bundled_result_files() -> list[Path]:
    """The curated MLPerf results shipped in ``data/benchmarks``."""
    folder = BENCHMARK_DATA_DIR
    return sorted((folder / "mlperf").glob("*.json")) + sorted(folder.glob("*results*.csv"))


def load_results(paths: Iterable[str | Path], specs: SpecTable) -> ResultSet:
    """Read result files of either format; a broken file is reported, not fatal.

    ``.json`` files are read as MLPerf ``summary_results.json``, anything
    else as the results CSV (see ``docs/data-formats.md``).
    """
    frames, problems, files = [], [], []
    for path in paths:
        path = Path(path)
        files.append(str(path))
        reader = read_mlperf_summary if path.suffix.lower() == ".json" else read_results_csv
        try:
            found = reader(path, specs)
        except InputError as exc:
            problems.append(exc.problem)
            continue
        frames.append(found.frame)
        problems += found.problems
    frame = pd.concat(frames, ignore_index=True) if frames else _empty()
    return ResultSet(frame, problems, files)


def read_mlperf_summary(path: str | Path, specs: SpecTable, *, text: str | None = None) -> ResultSet:
    """Read an MLCommons inference ``summary_results.json`` file as published.

    Total accelerators are ``a#`` × ``Nodes``; ``Power_Result`` (W, whole
    system) is kept when ``has_power`` is set. The round is ``Inference`` and
    the record's ``version``.
    """
    shown = str(path)
    if text is None:
        text = read_utf8(path)
    rows, problems = [], []
    for line, record in _json_array_items(text, shown):
        if not isinstance(record, dict):
            problems.append(Problem(shown, line, f"expected an object per record, found {type(record).__name__}"))
            continue
        row, error = _mlperf_row(record, specs)
        if error:
            label = f"record {record.get('ID', '?')} ({record.get('Model', '?')}, {record.get('Scenario', '?')})"
            problems.append(Problem(shown, line, f"{label}: {error}"))
            continue
        rows.append({**row, "file": shown, "line": line})
    return ResultSet(pd.DataFrame(rows, columns=list(RESULT_COLUMNS)), problems, [shown])


def read_results_csv(path: str | Path, specs: SpecTable, *, text: str | None = None) -> ResultSet:
    """Read a team's own results CSV (see ``docs/data-formats.md``)."""
    shown = str(path)
    table = read_table(path, RESULT_CSV_COLUMNS, text=read_utf8(path) if text is None else text)
    rows, problems = [], list(table.problems)
    for record in table.frame.to_dict("records"):
        row, error = _csv_row(record, specs)
        if error:
            problems.append(Problem(shown, int(record["line"]), error))
            continue
        rows.append({**row, "file": shown, "line": int(record["line"])})
    return ResultSet(pd.DataFrame(rows, columns=list(RESULT_COLUMNS)), problems, [shown])


def _mlperf_row(record: dict, specs: SpecTable) -> tuple[dict, str]:
    missing = [key for key in MLPERF_KEYS if key not in record]
    if missing:
        return {}, f"missing key(s) {', '.join(missing)}"
    per_node, nodes = _whole(record["a#"]), _whole(record["Nodes"])
    if not per_node or not nodes:
        return {}, f"accelerator count a#={quote(record['a#'])} × Nodes={quote(record['Nodes'])} is not a positive whole number"
    result = positive_or_none(record["Performance_Result"])
    if result is None:
        return {}, f"Performance_Result {quote(record['Performance_Result'])} is not a positive number"
    unit = str(record["Performance_Units"])
    direction = UNIT_DIRECTIONS.get(unit.strip().lower())
    if direction is None:
        return {}, f"unknown unit {quote(unit)} (known: {', '.join(sorted(UNIT_DIRECTIONS))})"
    name = str(record["Accelerator"])
    match = specs.matcher.match(name)
    if match.model is None:
        return {}, f"accelerator {quote(name)}: {match.reason}"
    power = positive_or_none(record.get("Power_Result")) if record.get("has_power") else None
    count = per_node * nodes
    version = str(record.get("version", "")).strip()
    return {
        "round": f"Inference {version}".strip(),
        "division": str(record["Category"]).lower(),
        "availability": str(record.get("Availability", "")),
        "workload": str(record["Model"]),
        "scenario": str(record["Scenario"]),
        "submitter": str(record["Submitter"]),
        "system": str(record.get("Platform") or record.get("System") or ""),
        **_measurement(specs, name, match.model, count, result, unit, direction),
        "power_w": power,
        "precision": str(record.get("weight_data_types") or ""),
        "software": str(record.get("Software") or ""),
        "record": str(record.get("ID", "")),
        "source": f"MLCommons summary_results.json {record.get('ID', '')}".strip(),
    }, ""


def _csv_row(record: dict, specs: SpecTable) -> tuple[dict, str]:
    unit = record["unit"]
    direction = str(record["direction"]).strip().lower()
    if direction not in ("higher", "lower"):
        return {}, f"direction must be 'higher' or 'lower', got {quote(record['direction'])}"
    known = UNIT_DIRECTIONS.get(unit.strip().lower())
    if known is None:
        return {}, f"unknown unit {quote(unit)} (known: {', '.join(sorted(UNIT_DIRECTIONS))})"
    if known != direction:
        return {}, f"unit {quote(unit)} is {known}-is-better, but direction says {direction}"
    match = specs.matcher.match(record["accelerator"])
    if match.model is None:
        return {}, f"accelerator {quote(record['accelerator'])}: {match.reason}"
    count, result = record["accelerator_count"], record["result"]
    return {
        "round": record["round"] or "",
        "division": (record["division"] or "closed").lower(),
        "availability": record["availability"] or "",
        "workload": record["workload"],
        "scenario": record["scenario"],
        "submitter": "",
        "system": record["system"] or "",
        **_measurement(specs, record["accelerator"], match.model, count, result, unit, direction),
        "power_w": positive_or_none(record.get("power_w")),
        "precision": record["precision"] or "",
        "software": record["software"] or "",
        "record": "",
        "source": record["source"] or "",
    }, ""


def _measurement(specs: SpecTable, name: str, model: str, count: int, result: float, unit: str, direction: str) -> dict:
    """The fields of a result row that both formats fill the same way."""
    return {
        "accelerator": name,
        "model": model,
        "vendor": specs.frame.loc[model, "vendor"],
        "accelerator_count": count,
        "result": result,
        "unit": unit,
        "direction": direction,
        "per_accelerator": per_accelerator(result, count, unit),
    }


#: Lower-is-better units that are a latency: they do not scale with the count.
LATENCY_UNITS = frozenset({"latency (ms)", "ms"})


def per_accelerator(result: float, count: int, unit: str) -> float:
    """A result normalised to one accelerator, in the result's own direction.

    Throughput divides by the count (tokens/s per accelerator); a time to
    train multiplies by it (accelerator-minutes, the work one accelerator
    would need at linear scaling); a latency stays as it is.
    """
    key = unit.strip().lower()
    if key in LATENCY_UNITS:
        return result
    return result / count if UNIT_DIRECTIONS.get(key) == "higher" else result * count


def _json_array_items(text: str, shown: str):
    """Yield (line, item) for each element of a top-level JSON array."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position >= len(text) or text[position] != "[":
        line = text.count("\n", 0, position) + 1
        raise InputError(shown, line, "expected a JSON array of result records (MLPerf summary_results.json)")
    position = _skip_space(text, position + 1)
    line, counted = 1, 0
    if position < len(text) and text[position] == "]":
        return
    while True:
        line += text.count("\n", counted, position)
        counted = position
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise InputError(shown, exc.lineno, f"invalid JSON: {exc.msg}") from exc
        except RecursionError:
            # The decoder recurses per nesting level; a result record is two deep.
            raise InputError(shown, line + text.count("\n", counted, position), "invalid JSON: nested too deeply to be a result record") from None
        yield line, item
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
            continue
        if position < len(text) and text[position] == "]":
            return
        bad = text.count("\n", 0, position) + 1
        raise InputError(shown, bad, "invalid JSON: expected ',' or ']' between records")


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _whole(value) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number > 0 and number == int(number) else None


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=list(RESULT_COLUMNS))


def load_benchmarks(
    result_files: Iterable[str | Path] = (),
    *,
    spec_files: Iterable[str | Path] = (),
    prices: str | Path | None = None,
    bundled: bool = True,
) -> tuple[SpecTable, ResultSet]:
    """The spec table and the results: the bundled curated set and/or a team's files.

    Parameters
    ----------
    result_files : iterable of path
        Result files that extend the bundled set (or replace it when
        ``bundled`` is False).
    spec_files : iterable of path
        Spec tables whose rows add to or replace the bundled ones.
    prices : path, optional
        A price parameter file instead of the bundled one.
    bundled : bool
        Include the curated MLPerf results shipped with lockin.
    """
    from lockin.hardware.specs import load_specs

    specs = load_specs(spec_files, prices=prices)
    files = [*(bundled_result_files() if bundled else []), *(Path(p) for p in result_files)]
    results = load_results(files, specs)
    results.problems = [*specs.problems, *results.problems]
    return specs, results


#: Columns of :func:`exclusion_summary`.
EXCLUSION_COLUMNS = ("count", "reason", "example")

_RECORD_LABEL = re.compile(r"^(record \S+ \([^)]*\)): ")
_ACCELERATOR_NAME = re.compile(r"""^accelerator (?:'[^']*'|"[^"]*"): """)
_RECORD_VALUE = re.compile(r"'[^']*'|\"[^\"]*\"|(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")


def is_bundled(problem: Problem) -> bool:
    """Whether ``problem`` is about the benchmark data shipped with lockin."""
    try:
        Path(problem.path).resolve().relative_to(BENCHMARK_DATA_DIR.resolve())
    except (ValueError, OSError):
        return False
    return True


def split_bundled(problems: Iterable[Problem]) -> tuple[list[Problem], list[Problem]]:
    """Split problems into (the user's own inputs, the bundled benchmark data).

    The bundled data's exclusions are the same on every run, so they are
    summarised rather than echoed; a user's own files keep every detail.
    """
    own, bundled = [], []
    for problem in problems:
        (bundled if is_bundled(problem) else own).append(problem)
    return own, bundled


def exclusion_reason(problem: Problem) -> str:
    """The kind of defect, without the values of one record.

    ``record 5.1-0065 (llama2-70b-99, Offline): accelerator 'A (x32), B
    (x16)': several accelerator types in one system; results cannot be
    attributed to one`` becomes ``several accelerator types in one system``,
    so records left out for the same reason group together.
    """
    reason = _RECORD_LABEL.sub("", problem.message)
    reason = _ACCELERATOR_NAME.sub("", reason)
    reason = _RECORD_VALUE.sub("…", reason)
    # The explanation after ';' and a list of candidates in '(…)' vary by record.
    return reason.split("; ")[0].split(" (")[0].strip()


def exclusion_summary(problems: Iterable[Problem], *, bundled_only: bool = True) -> pd.DataFrame:
    """The records left out, grouped by reason: one row per reason.

    Parameters
    ----------
    problems : iterable of Problem
        For example ``load_benchmarks()[1].problems`` or
        ``HardwareContext.problems``.
    bundled_only : bool
        Count only problems of the bundled benchmark data (the user's own
        files are listed one by one elsewhere).

    Returns
    -------
    DataFrame
        :data:`EXCLUSION_COLUMNS`: ``count``, ``reason`` and one ``example``
        (file as data/benchmarks/…, line and record), most frequent
        reason first.
    """
    groups: dict[str, list[Problem]] = {}
    for problem in problems:
        if bundled_only and not is_bundled(problem):
            continue
        groups.setdefault(exclusion_reason(problem), []).append(problem)
    rows = [{"count": len(found), "reason": reason, "example": _example(found[0])} for reason, found in groups.items()]
    frame = pd.DataFrame(rows, columns=list(EXCLUSION_COLUMNS))
    return frame.sort_values(["count", "reason"], ascending=[False, True], ignore_index=True)


def exclusion_note(problems: Iterable[Problem]) -> str:
    """One line about the bundled data's exclusions ('' when there are none)."""
    summary = exclusion_summary(problems)
    if summary.empty:
        return ""
    reasons = ", ".join(f"{count} × {reason}" for count, reason in zip(summary["count"], summary["reason"]))
    total = int(summary["count"].sum())
    return f"{total} record(s) of the bundled benchmark data left out ({reasons}); `lockin parity … --list-excluded` lists them"


def _example(problem: Problem) -> str:
    path = Path(problem.path)
    try:
        # Spelled as in the repository, wherever lockin is installed.
        shown = (Path("data/benchmarks") / path.resolve().relative_to(BENCHMARK_DATA_DIR.resolve())).as_posix()
    except (ValueError, OSError):
        shown = str(path)
    where = f"{shown}:{problem.line}" if problem.line else shown
    label = _RECORD_LABEL.match(problem.message)
    return f"{where} {label.group(1)}" if label else where
