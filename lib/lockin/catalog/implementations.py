"""Kernel functions a vendor maintains its own implementation of.

Read from ``implementations.yml`` in each catalog folder (the bundled one,
then ``--catalog`` folders, whose entries replace bundled ones with the
same vendor and function). Where a project's hand-written kernels compute
such a function, a move adopts the vendor's library instead of rewriting
them (:mod:`lockin.scoring.translation`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from lockin import yamlsafe
from lockin.errors import read_utf8
from lockin.records import InputError

__all__ = ["IMPLEMENTATIONS_FILE", "Implementation", "function_of", "read_implementations", "merge_implementations"]

IMPLEMENTATIONS_FILE = "implementations.yml"

_FIELDS = ("function", "vendor", "library", "pattern", "families", "integration_hours", "note", "source")
_REQUIRED = ("function", "vendor", "library", "integration_hours", "source")


@dataclass(frozen=True)
class Implementation:
    """One vendor's implementation of one kernel function."""

    function: str
    vendor: str
    library: str
    pattern: re.Pattern | None
    integration_hours: float
    source: str
    note: str = ""
    file: str = ""
    line: int | None = None
    #: Catalog families (lower-case) whose uses the library replaces wherever they are (TensorRT → MIGraphX).
    families: frozenset = frozenset()

    @property
    def key(self) -> tuple[str, str]:
        return (self.vendor, self.function)

    def matches(self, name: str) -> bool:
        """Whether a file or folder name (or a path) names this function."""
        return self.pattern is not None and self.pattern.search(f"/{str(name).lower()}/") is not None


def function_of(path: str, implementations: list[Implementation]) -> Implementation | None:
    """The implementation a source file's path names: its file name first,
    then its folders from the nearest up (``layer_norm/flash_fwd.cu`` is attention)."""
    for part in reversed(str(path).split("/")):
        for implementation in implementations:
            if implementation.matches(part):
                return implementation
    return None


def read_implementations(path: str | Path) -> list[Implementation]:
    """Read one ``implementations.yml``.

    Raises
    ------
    InputError
        Naming the file and the entry's line: not a list under
        ``implementations``, an unknown or missing field, a bad pattern or
        a negative number of hours.
    """
    name = str(path)
    text = read_utf8(Path(path))
    node = yamlsafe.compose(text, name)
    data = None if node is None else yamlsafe.construct(node, name)
    if data is None:
        return []
    entries = data.get("implementations") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError(name, 1, "expected a mapping with a list under 'implementations'")
    lines = _entry_lines(node)
    return [_implementation(entry, name, lines[i] if i < len(lines) else None) for i, entry in enumerate(entries)]


def _entry_lines(node: yaml.Node) -> list[int]:
    for key, value in getattr(node, "value", []):
        if isinstance(key, yaml.ScalarNode) and key.value == "implementations" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _implementation(entry, file: str, line: int | None) -> Implementation:
    if not isinstance(entry, dict):
        raise InputError(file, line, "an implementation is a mapping of function, vendor, library, pattern, integration_hours, source")
    unknown = sorted(set(map(str, entry)) - set(_FIELDS))
    if unknown:
        raise InputError(file, line, f"unknown field {unknown[0]!r} (known: {', '.join(_FIELDS)})")
    missing = [f for f in _REQUIRED if entry.get(f) in (None, "")]
    if missing:
        raise InputError(file, line, f"missing {missing[0]!r}")
    if entry.get("pattern") in (None, "") and not entry.get("families"):
        raise InputError(file, line, "give a pattern (file names), families (catalog families) or both")
    try:
        pattern = re.compile(str(entry["pattern"])) if entry.get("pattern") not in (None, "") else None
    except re.error as exc:
        raise InputError(file, line, f"pattern is not a valid regular expression: {exc}") from None
    families = entry.get("families") or []
    if not isinstance(families, list) or not all(isinstance(f, str) for f in families):
        raise InputError(file, line, "families must be a list of catalog family names")
    hours = entry["integration_hours"]
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0:
        raise InputError(file, line, f"integration_hours must be a number of hours, 0 or more (got {hours!r})")
    return Implementation(
        function=str(entry["function"]),
        vendor=str(entry["vendor"]).lower(),
        library=str(entry["library"]),
        pattern=pattern,
        integration_hours=float(hours),
        source=str(entry["source"]),
        note=str(entry.get("note") or ""),
        file=file,
        line=line,
        families=frozenset(f.lower() for f in families),
    )


def merge_implementations(folders) -> list[Implementation]:
    """The implementations of every folder in order; a later entry replaces an earlier one of the same vendor and function."""
    merged: dict[tuple[str, str], Implementation] = {}
    for folder in folders:
        path = Path(folder) / IMPLEMENTATIONS_FILE
        if path.is_file():
            for implementation in read_implementations(path):
                merged[implementation.key] = implementation
    return list(merged.values())
