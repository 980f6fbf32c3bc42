"""The accelerator spec table and price parameters.

Specs are facts with a source (``data/benchmarks/accelerators.csv``);
prices are parameters (``data/benchmarks/prices.csv`` holds illustrative
defaults a team replaces with its own quotes). Both are read with
file-and-line errors and joined on the canonical model name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lockin.hardware.names import AcceleratorMatcher
from lockin import resources
from lockin.hardware.tables import Column, read_table
from lockin.records import InputError, Problem

__all__ = [
    "BENCHMARK_DATA_DIR",
    "SPEC_COLUMNS",
    "PRICE_COLUMNS",
    "SpecTable",
    "load_specs",
    "read_prices",
]

#: Benchmark data shipped with lockin (``data/benchmarks``).
BENCHMARK_DATA_DIR = resources.benchmarks_dir()

VENDORS = ("nvidia", "amd", "intel", "google")

SPEC_COLUMNS = (
    Column("vendor"),
    Column("model"),
    Column("aliases", required=False, nonempty=False, default=""),
    Column("year", "count", required=False, nonempty=False, minimum=1990),
    Column("memory_gb", "number", minimum=0, strict=True),
    Column("memory_bandwidth_tbs", "number", minimum=0, strict=True),
    Column("board_power_w", "number", nonempty=False, minimum=0, strict=True),
    Column("power_term", required=False, nonempty=False, default=""),
    Column("fp16_dense_tflops", "number", minimum=0, strict=True),
    Column("fp8_dense_tflops", "number", nonempty=False, minimum=0, strict=True),
    Column("interconnect", required=False, nonempty=False, default=""),
    Column("source"),
)

PRICE_COLUMNS = (
    Column("model"),
    Column("purchase_usd", "number", nonempty=False, minimum=0, strict=True),
    Column("hourly_usd", "number", nonempty=False, minimum=0, strict=True),
    Column("basis", required=False, nonempty=False, default=""),
    Column("source", required=False, nonempty=False, default=""),
)


@dataclass
class SpecTable:
    """Accelerator specs, one row per canonical model, with prices joined.

    Attributes
    ----------
    frame : DataFrame
        Indexed by ``model``; the spec columns plus ``purchase_usd``,
        ``hourly_usd`` and ``price_source``.
    problems : list of Problem
        Rows that were skipped, with file and line.
    """

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        spellings = [(model, model) for model in self.frame.index]
        for model, aliases in self.frame["aliases"].items():
            spellings += [(model, alias.strip()) for alias in str(aliases or "").split(";") if alias.strip()]
        self.matcher = AcceleratorMatcher(spellings)

    @property
    def models(self) -> list[str]:
        return list(self.frame.index)

    def resolve(self, name: str) -> str:
        """Canonical model for a name (``ValueError`` with the reason if none)."""
        return self.matcher.resolve(name)

    def row(self, name: str) -> pd.Series:
        return self.frame.loc[self.resolve(name)]

    def vendor_of(self, name: str) -> str:
        return str(self.row(name)["vendor"])

    def with_prices(self, prices: Mapping[str, Mapping[str, float]]) -> SpecTable:
        """A copy with prices replaced: ``{model or alias: {"purchase_usd": …, "hourly_usd": …}}``."""
        frame = self.frame.copy()
        for name, values in prices.items():
            model = self.resolve(name)
            for key, value in values.items():
                if key not in ("purchase_usd", "hourly_usd"):
                    raise ValueError(f"price of {name}: unknown field {key!r} (purchase_usd, hourly_usd)")
                if value is not None and not value > 0:
                    raise ValueError(f"price of {name}: {key} must be above 0, got {value!r}")
                frame.loc[model, key] = value
            frame.loc[model, "price_source"] = "parameter"
        return SpecTable(frame, list(self.problems))


def load_specs(
    paths: Iterable[str | Path] = (),
    *,
    bundled: bool = True,
    prices: str | Path | None = None,
) -> SpecTable:
    """Read the spec table: the bundled one, then each file in ``paths``.

    A row of a later file replaces the row of the same model. Prices come
    from ``prices`` (default: the bundled ``prices.csv``).

    Raises
    ------
    InputError
        When a file lacks a required column or no usable row remains.
    """
    files = ([BENCHMARK_DATA_DIR / "accelerators.csv"] if bundled else []) + [Path(p) for p in paths]
    frames, problems = [], []
    for path in files:
        result = read_table(path, SPEC_COLUMNS)
        problems += result.problems
        frame = result.frame
        bad_vendor = ~frame["vendor"].str.lower().isin(VENDORS)
        for line, vendor in frame.loc[bad_vendor, ["line", "vendor"]].itertuples(index=False):
            problems.append(Problem(str(path), int(line), f"vendor {vendor!r} is not one of {', '.join(VENDORS)}"))
        frame = frame[~bad_vendor].assign(vendor=lambda f: f["vendor"].str.lower(), spec_file=str(path))
        frames.append(frame)
    if not frames or all(f.empty for f in frames):
        raise InputError(str(files[-1]) if files else "(no spec file)", None, "no usable accelerator rows")
    specs = pd.concat(frames, ignore_index=True).drop_duplicates("model", keep="last").set_index("model")
    price_file = Path(prices) if prices else BENCHMARK_DATA_DIR / "prices.csv"
    specs = _join_prices(specs, price_file, problems)
    return SpecTable(specs, problems)


def read_prices(path: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a price parameter file (model, purchase_usd, hourly_usd, basis, source)."""
    result = read_table(path, PRICE_COLUMNS)
    return result.frame, result.problems


def _join_prices(specs: pd.DataFrame, path: Path, problems: list[Problem]) -> pd.DataFrame:
    specs = specs.assign(purchase_usd=float("nan"), hourly_usd=float("nan"), price_source="")
    if not path.exists():
        return specs
    prices, price_problems = read_prices(path)
    problems += price_problems
    matcher = SpecTable(specs).matcher
    for row in prices.itertuples(index=False):
        found = matcher.match(row.model)
        if found.model is None:
            problems.append(Problem(str(path), int(row.line), f"price for {row.model!r}: {found.reason}"))
            continue
        specs.loc[found.model, ["purchase_usd", "hourly_usd"]] = [row.purchase_usd, row.hourly_usd]
        specs.loc[found.model, "price_source"] = f"{row.basis}; {row.source}".strip("; ")
    return specs
