"""The period's figures: what the strategy notebook hands to the history.

The strategy notebook writes ``period_figures.json`` into its
``output_dir``::

    {"period": "2026-11", "catalog_version": "...", "params_hash": "...",
     "scores": [{"project": "llm-trainer", "rating": "D", "lockin_ratio": 0.71,
                 "roadblocks": 3, "effort_pm_p10": 4.0, "effort_pm_p50": 7.5,
                 "effort_pm_p90": 14.0, "npv_usd": 1.2e6,
                 "recommendation": "..."}, ...],
     "portfolio": {"rating": "C", "lockin_ratio": 0.4, ...}}

with one score per project (none for an empty portfolio) and, apart from
them, the portfolio's totals: the same keys less ``project``, so no project
name can be taken for the totals. ``npv_usd`` may be null (no economics);
every other field is required. This module reads and checks that file so a broken
notebook is caught before anything is recorded.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from lockin.errors import LockinError
from lockin.report.periods import PeriodError, parse_period

#: Name of the file the strategy notebook writes into ``output_dir``.
FIGURES_FILE = "period_figures.json"

#: Top-level keys of the figures document.
FIGURE_KEYS = ("period", "catalog_version", "params_hash", "scores", "portfolio")

#: Keys of each score, in the order the history stores them.
SCORE_KEYS = ("project", "rating", "lockin_ratio", "roadblocks", "effort_pm_p10", "effort_pm_p50", "effort_pm_p90", "npv_usd", "recommendation")

#: Keys of the portfolio's totals.
TOTAL_KEYS = SCORE_KEYS[1:]

_TEXT_KEYS = ("project", "rating", "recommendation")
_NUMBER_KEYS = ("lockin_ratio", "effort_pm_p10", "effort_pm_p50", "effort_pm_p90")
_NULLABLE_NUMBER_KEYS = ("npv_usd",)


class FiguresError(LockinError, ValueError):
    """Figures that do not follow the ``period_figures.json`` contract."""


def load_figures(path: str | Path, expected_period: str | None = None) -> dict[str, Any]:
    """Read and check ``period_figures.json``.

    Parameters
    ----------
    path : path
    expected_period : str, optional
        The period being rendered; figures for another period are an error
        (a notebook that ignored its ``period`` parameter).

    Returns
    -------
    dict
        The figures, normalized (see :func:`validate_figures`).

    Raises
    ------
    FiguresError
        Naming ``path`` and what is wrong.
    """
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FiguresError(f"{path}: not written (the strategy notebook must write {FIGURES_FILE} into its output_dir)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FiguresError(f"{path}: cannot be read as JSON: {error}") from None
    figures = validate_figures(document, source=str(path))
    if expected_period is not None and figures["period"] != expected_period:
        raise FiguresError(f"{path}: period is {figures['period']!r}, but the report is for {expected_period!r}")
    return figures


def validate_figures(document: Any, source: str = "figures") -> dict[str, Any]:
    """Check a figures document against the contract.

    Parameters
    ----------
    document : object
        The decoded JSON.
    source : str
        Named in error messages (the file, usually).

    Returns
    -------
    dict
        A copy with the period in canonical form, ``roadblocks`` as int,
        numbers as float and NaN ``npv_usd`` as None.

    Raises
    ------
    FiguresError
    """
    if not isinstance(document, dict):
        raise FiguresError(f"{source}: expected a JSON object with keys {', '.join(FIGURE_KEYS)}")
    _require_keys(document, FIGURE_KEYS, source)
    try:
        period = str(parse_period(str(document["period"])))
    except PeriodError as error:
        raise FiguresError(f"{source}: {error}") from None
    scores = document["scores"]
    if not isinstance(scores, list):
        raise FiguresError(f"{source}: 'scores' must be a list (empty for a portfolio without projects)")
    normalized = [_validate_score(score, f"{source}: scores[{index}]") for index, score in enumerate(scores)]
    _require_unique_projects(normalized, source)
    return {
        "period": period,
        "catalog_version": _text(document["catalog_version"], "catalog_version", source, allow_empty=True),
        "params_hash": _text(document["params_hash"], "params_hash", source, allow_empty=True),
        "scores": normalized,
        "portfolio": _validate_score(document["portfolio"], f"{source}: portfolio", TOTAL_KEYS),
    }


def _validate_score(score: Any, where: str, keys: tuple[str, ...] = SCORE_KEYS) -> dict[str, Any]:
    if not isinstance(score, dict):
        raise FiguresError(f"{where}: expected an object with keys {', '.join(keys)}")
    _require_keys(score, keys, where)
    row: dict[str, Any] = {}
    for key in _TEXT_KEYS:
        if key in keys:
            row[key] = _text(score[key], key, where, allow_empty=key != "project")
    for key in _NUMBER_KEYS:
        row[key] = _number(score[key], key, where)
    for key in _NULLABLE_NUMBER_KEYS:
        row[key] = None if score[key] is None else _number(score[key], key, where, nan_is_null=True)
    row["roadblocks"] = _count(score["roadblocks"], "roadblocks", where)
    return {key: row[key] for key in keys}


def _require_keys(mapping: dict, keys: tuple[str, ...], where: str) -> None:
    missing = [key for key in keys if key not in mapping]
    if missing:
        raise FiguresError(f"{where}: missing key(s) {', '.join(repr(key) for key in missing)}")


def _require_unique_projects(scores: list[dict[str, Any]], source: str) -> None:
    seen: set[str] = set()
    for score in scores:
        if score["project"] in seen:
            raise FiguresError(f"{source}: project {score['project']!r} appears more than once in 'scores'")
        seen.add(score["project"])


def _text(value: Any, key: str, where: str, *, allow_empty: bool) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise FiguresError(f"{where}: {key!r} must be a {'string' if allow_empty else 'non-empty string'}, got {value!r}")
    return value


def _number(value: Any, key: str, where: str, *, nan_is_null: bool = False) -> float | None:
    # bool is an int to Python but never a figure.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FiguresError(f"{where}: {key!r} must be a number, got {value!r}")
    if math.isnan(value):
        if nan_is_null:
            return None
        raise FiguresError(f"{where}: {key!r} is NaN")
    return float(value)


def _count(value: Any, key: str, where: str) -> int:
    # pandas often hands integers over as floats (3.0): accept whole numbers.
    if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer() or value < 0:
        raise FiguresError(f"{where}: {key!r} must be a whole number >= 0, got {value!r}")
    return int(value)
