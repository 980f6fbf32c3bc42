"""Reading Python lock files: ``poetry.lock``, ``Pipfile.lock`` and ``uv.lock``.

A lock file names every installed package with its exact version, so the
``+cu121``-style local labels that tell which accelerator build was locked
are visible here even when the project file only says ``torch>=2.3``.
Package indexes a lock resolved against become ``index`` evidence, once per
distinct URL (a uv lock repeats the registry on every package).

poetry.lock and uv.lock are TOML, read with :mod:`tomllib`; Pipfile.lock is
JSON. Neither parser reports positions, so lines are found again in the
text (see :class:`lockin.inventory.pyproject.TomlLocator`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from packaging.utils import canonicalize_name

from lockin.inventory.jsontext import load_json_object
from lockin.inventory.pip import PYPI, add_local_version, index_name
from lockin.inventory.pyproject import TomlLocator, load_toml
from lockin.records import InputError, ReadResult

# uv marks the project itself (and workspace members) with these sources;
# they are the team's own code, not dependencies.
_UV_OWN_CODE_SOURCES = ("virtual", "editable")


class _LockReader:
    """Collects package and index evidence from ``[[package]]`` tables."""

    def __init__(self, text: str, path: str):
        self.path = path
        self.locator = TomlLocator(text)
        self.result = ReadResult()
        self._indexes: set[str] = set()

    def package_line(self, occurrence: int) -> tuple[int | None, int]:
        """Line of the ``name`` of the ``occurrence``-th ``[[package]]``, and where the table ends."""
        start, end = self.locator.section(("package",), occurrence)
        if self.locator.header(("package",), occurrence) is None:
            return None, end
        end = self._package_end(occurrence, end)
        return self.locator.find_key("name", start, end) or start, end

    def _package_end(self, occurrence: int, fallback: int) -> int:
        following = self.locator.header(("package",), occurrence + 1)
        return following - 1 if following is not None else max(fallback, len(self.locator.lines))

    def package(self, name: Any, version: Any, line: int | None, occurrence: int) -> bool:
        if not isinstance(name, str) or not name.strip():
            self.result.problem(self.path, line, f"package #{occurrence + 1} has no name")
            return False
        version = version if isinstance(version, str) else ""
        text = self.locator.text(line)
        self.result.add("package", canonicalize_name(name), line, text, PYPI, version)
        add_local_version(self.result, version, line, text)
        return True

    def index_once(self, url: str, start: int | None, end: int) -> None:
        name = index_name(url)
        if name in self._indexes:
            return
        self._indexes.add(name)
        line = self.locator.find_string(url, start, end) if start is not None else None
        line = line or start
        self.result.add("index", name, line, self.locator.text(line), PYPI)


def _packages(data: dict[str, Any], path: str) -> list[Any]:
    packages = data.get("package", [])
    if not isinstance(packages, list):
        raise InputError(path, None, "'package' must be an array of tables ([[package]])")
    return packages


def _package_tables(reader: _LockReader, text: str, path: str):
    """(occurrence, table, line, end line) of each ``[[package]]``; a package
    that is not a table is a problem and is passed over."""
    for occurrence, package in enumerate(_packages(load_toml(text, path), path)):
        line, end = reader.package_line(occurrence)
        if not isinstance(package, dict):
            reader.result.problem(path, line, f"package #{occurrence + 1} is not a table")
            continue
        yield occurrence, package, line, end


def read_poetry_lock(text: str, path: str) -> ReadResult:
    """Read a ``poetry.lock``.

    Parameters
    ----------
    text : str
    path : str

    Returns
    -------
    ReadResult
        One ``package`` per ``[[package]]`` (spec: the locked version), a
        ``local-version:`` package for versions with a local label, and one
        ``index`` per distinct ``legacy`` source URL.

    Raises
    ------
    InputError
        When the text is not TOML or ``package`` is not an array of tables.
    """
    reader = _LockReader(text, path)
    for occurrence, package, line, end in _package_tables(reader, text, path):
        if not reader.package(package.get("name"), package.get("version"), line, occurrence):
            continue
        source = package.get("source")
        if isinstance(source, dict) and source.get("type") == "legacy" and isinstance(source.get("url"), str):
            reader.index_once(source["url"], line, end)
    return reader.result


def read_uv_lock(text: str, path: str) -> ReadResult:
    """Read a ``uv.lock``.

    Parameters
    ----------
    text : str
    path : str

    Returns
    -------
    ReadResult
        One ``package`` per locked package except the project's own code
        (``virtual``/``editable`` sources), ``local-version:`` packages, and
        one ``index`` per distinct ``registry`` URL.

    Raises
    ------
    InputError
        When the text is not TOML or ``package`` is not an array of tables.
    """
    reader = _LockReader(text, path)
    for occurrence, package, line, end in _package_tables(reader, text, path):
        source = package.get("source")
        source = source if isinstance(source, dict) else {}
        if any(kind in source for kind in _UV_OWN_CODE_SOURCES):
            continue
        if not reader.package(package.get("name"), package.get("version"), line, occurrence):
            continue
        registry = source.get("registry")
        if isinstance(registry, str) and "://" in registry:
            reader.index_once(registry, line, end)
    return reader.result


def read_pipfile_lock(text: str, path: str) -> ReadResult:
    """Read a pipenv ``Pipfile.lock`` (JSON).

    Parameters
    ----------
    text : str
    path : str

    Returns
    -------
    ReadResult
        One ``package`` per entry of ``default``, ``develop`` and any other
        category (spec: the ``version`` as written, e.g. ``==2.3.1+cu121``,
        or the git/file source), ``local-version:`` packages, and an
        ``index`` per ``_meta.sources`` URL.

    Raises
    ------
    InputError
        When the text is not JSON or not an object of package tables.
    """
    data = load_json_object(text, path, "a JSON object with 'default' and 'develop'")
    finder = _JsonLineFinder(text)
    result = ReadResult()
    _read_pipfile_lock_sources(result, finder, data.get("_meta"))
    for category, packages in data.items():
        if category == "_meta":
            continue
        start = finder.key(category, 1) or 1
        if not isinstance(packages, dict):
            result.problem(path, start, f"{category!r} must be an object of packages, found {type(packages).__name__}")
            continue
        cursor = start
        for name, entry in packages.items():
            cursor = finder.key(name, cursor, opens_object=True) or finder.key(name, cursor) or cursor
            _read_pipfile_lock_entry(result, path, cursor, finder.text(cursor), name, entry)
    return result


def _read_pipfile_lock_sources(result: ReadResult, finder: _JsonLineFinder, meta: Any) -> None:
    sources = meta.get("sources") if isinstance(meta, dict) else None
    if not isinstance(sources, list):
        return
    cursor = finder.key("_meta", 1) or 1
    for source in sources:
        url = source.get("url") if isinstance(source, dict) else None
        if isinstance(url, str) and url.strip():
            cursor = finder.string(url, cursor) or cursor
            result.add("index", index_name(url), cursor, finder.text(cursor), PYPI)


def _read_pipfile_lock_entry(result: ReadResult, path: str, line: int, text: str, name: str, entry: Any) -> None:
    if not isinstance(entry, dict):
        result.problem(path, line, f"package {name!r}: expected an object, found {type(entry).__name__}")
        return
    version = entry.get("version")
    if isinstance(version, str):
        spec = version
    elif isinstance(entry.get("git"), str):
        ref = entry.get("ref")
        spec = f"git+{entry['git']}" + (f"@{ref}" if isinstance(ref, str) and ref else "")
    else:
        spec = next((entry[k] for k in ("file", "path") if isinstance(entry.get(k), str)), "")
    result.add("package", canonicalize_name(name), line, text, PYPI, spec)
    if isinstance(version, str) and version.startswith("=="):
        add_local_version(result, version.lstrip("="), line, text)


class _JsonLineFinder:
    """Finds the line of a key or string in JSON text (json reports none)."""

    def __init__(self, text: str):
        # json counts only '\n' as a line break in its error positions too.
        self.lines = [line.removesuffix("\r") for line in text.split("\n")]

    def key(self, key: str, start: int, opens_object: bool = False) -> int | None:
        # A package entry opens an object; looking for '"name": {' first
        # keeps a package called "index" from matching an "index" field.
        tail = r"\s*:\s*\{" if opens_object else r"\s*:"
        pattern = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + tail)
        return self._first(start, lambda line: bool(pattern.search(line)))

    def string(self, value: str, start: int) -> int | None:
        needle = json.dumps(value, ensure_ascii=False)
        return self._first(start, lambda line: needle in line)

    def text(self, line: int | None) -> str:
        return self.lines[line - 1] if line and 1 <= line <= len(self.lines) else ""

    def _first(self, start: int, test: Any) -> int | None:
        for number in range(max(1, start), len(self.lines) + 1):
            if test(self.lines[number - 1]):
                return number
        return None
