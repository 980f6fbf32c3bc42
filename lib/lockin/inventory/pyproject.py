"""Reading ``pyproject.toml`` (PEP 621, PEP 735, Poetry, uv, PDM) and ``Pipfile``.

Both are TOML, read with :mod:`tomllib`. tomllib returns plain values
without positions, so :class:`TomlLocator` finds each value's line again by
searching the text: it knows where every ``[table]`` header is and looks
for the quoted string (or the key) from the header of the table the value
belongs to, never before it. That is exact for the way these files are
written (one dependency per line, or several on one line of an inline
array); for exotic layouts (a value inside a multi-line string, a table
written as dotted keys of a parent) it falls back to the table's header
line, which still points at the right part of the file.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from lockin.inventory.pip import PYPI, add_local_version, add_requirement, add_archive_url, index_name
from lockin.parsebounds import check_dotted_names, is_long_number_error, long_number_error
from lockin.records import InputError, ReadResult

# PEP 508's rule for a project name (a key in Poetry or Pipfile tables).
_VALID_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)

_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")

# A table header: [a.b."c d"] or [[a.b]], optionally followed by a comment.
_BARE_KEY = r"[A-Za-z0-9_-]+"
_QUOTED_KEY = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_KEY_PART = rf"(?:{_BARE_KEY}|{_QUOTED_KEY})"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*(\]\]?)\s*(?:#.*)?$")
_KEY_PARTS = re.compile(_KEY_PART)
# The key a line assigns (or starts a dotted key with), as find_key matches it.
_ASSIGNED_KEY = re.compile(r"\s*(?:([A-Za-z0-9_-]+)|\"([A-Za-z0-9_-]*)\"|'([A-Za-z0-9_-]*)')\s*[=.]")
_BARE_KEY_ONLY = re.compile(r"[A-Za-z0-9_-]+")

#: Poetry dependency keys that are not packages.
_POETRY_NOT_PACKAGES = frozenset({"python"})

#: Pipfile tables that are not package categories.
_PIPFILE_NOT_CATEGORIES = frozenset({"source", "requires", "pipenv", "scripts"})


def load_toml(text: str, path: str) -> dict[str, Any]:
    """Parse TOML text, turning a syntax error into :class:`InputError`.

    Raises
    ------
    InputError
        With the line tomllib names in its message (the last line when the
        error is at the end of the document).
    """
    check_dotted_names(text, path, "toml")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        if found:
            line = int(found.group(1))
        else:
            line = text.count("\n") + 1 if "end of document" in message else None
        raise InputError(path, line, f"invalid TOML: {message}") from None
    except RecursionError:
        raise InputError(path, None, "invalid TOML: nested too deeply to read") from None
    except ValueError as exc:  # after TOMLDecodeError, a ValueError itself
        if is_long_number_error(exc):
            raise long_number_error(text, path, "TOML") from None
        raise InputError(path, None, f"invalid TOML: {exc}") from None


class TomlLocator:
    """Finds the line of a TOML value, which :mod:`tomllib` does not report.

    Parameters
    ----------
    text : str
        The TOML document the values were parsed from.
    """

    def __init__(self, text: str):
        self.document = text
        # TOML (and tomllib's error positions) count only '\n' as a line break.
        pieces = text.split("\n")
        if pieces and pieces[-1] == "":
            pieces.pop()
        self.lines = [piece.removesuffix("\r") for piece in pieces]
        # Offsets of line starts, so that a search can resume mid-line
        # (two dependencies on one line, the same string twice in a list).
        self._starts = [0]
        for piece in pieces:
            self._starts.append(self._starts[-1] + len(piece) + 1)
        self.headers: list[tuple[int, tuple[str, ...]]] = []
        for number, line in enumerate(self.lines, start=1):
            found = _HEADER.match(line)
            if found and (found.group(1) == "[[") == (found.group(3) == "]]"):
                self.headers.append((number, _key_path(found.group(2))))

        # Indexes built once, so that finding the line of each of n tables
        # or keys is no search of all n (quadratic: an 8,000-package lock
        # file took 5 s, an 8,000-dependency pyproject 7 s).
        self._headers_of: dict[tuple[str, ...], list[int]] = {}
        for number, path in self.headers:
            self._headers_of.setdefault(path, []).append(number)
        self._header_lines = [number for number, _ in self.headers]
        self._key_lines: dict[str, list[int]] | None = None

    def header(self, table: tuple[str, ...], occurrence: int = 0) -> int | None:
        """The line of the ``occurrence``-th header of exactly ``table``."""
        numbers = self._headers_of.get(table, ())
        return numbers[occurrence] if 0 <= occurrence < len(numbers) else None

    def section(self, table: tuple[str, ...], occurrence: int = 0) -> tuple[int, int]:
        """First and last line of a table's text.

        The table is found by its own header, else by the header of the
        nearest enclosing table (``[project]`` for
        ``project.optional-dependencies``); without any, the whole document.
        """
        for length in range(len(table), 0, -1):
            start = self.header(table[:length], occurrence if length == len(table) else 0)
            if start is not None:
                return start, self._next_header_after(start) - 1
        return 1, max(1, len(self.lines))

    def _next_header_after(self, line: int) -> int:
        at = bisect_right(self._header_lines, line)
        return self._header_lines[at] if at < len(self._header_lines) else len(self.lines) + 1

    def find_string(self, value: str, start: int, end: int) -> int | None:
        """The first line in ``start..end`` holding ``value`` as a TOML string."""
        found = self.find_string_from(value, start, end, 0)
        return found[0] if found else None

    def find_string_from(self, value: str, start: int, end: int, offset: int) -> tuple[int, int] | None:
        """Like :meth:`find_string`, from character ``offset`` on.

        Returns
        -------
        tuple of (int, int) or None
            The line, and the offset just after the match (where the search
            for the next item of a list resumes).
        """
        start = max(1, start)
        end = min(end, len(self.lines))
        if start > end:
            return None
        low = max(self._starts[start - 1], offset)
        high = self._starts[end]
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        for needles in ((f'"{escaped}"', f"'{value}'", f'"{value}"'), (value,) if value else ()):
            # The bare text is the fallback for multi-line strings and unusual escapes.
            hits = [(at, len(n)) for n in needles if (at := self.document.find(n, low, high)) >= 0]
            if hits:
                at, length = min(hits)
                return bisect_right(self._starts, at), at + length
        return None

    def offset_of_line(self, line: int) -> int:
        """The character offset where ``line`` starts."""
        return self._starts[max(0, min(line, len(self._starts)) - 1)]

    def find_key(self, key: str, start: int, end: int) -> int | None:
        """The first line in ``start..end`` that assigns ``key``."""
        if _BARE_KEY_ONLY.fullmatch(key):
            lines = self._lines_assigning().get(key, ())
            at = bisect_left(lines, max(1, start))
            return lines[at] if at < len(lines) and lines[at] <= min(end, len(self.lines)) else None
        pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*[=.]")
        return self._first_line(start, end, lambda line: bool(pattern.match(line)))

    def _lines_assigning(self) -> dict[str, list[int]]:
        """The lines each key (bare or quoted) is assigned on, in order."""
        if self._key_lines is None:
            self._key_lines = {}
            for number, line in enumerate(self.lines, start=1):
                found = _ASSIGNED_KEY.match(line)
                if found:
                    key = next(group for group in found.groups() if group is not None)
                    self._key_lines.setdefault(key, []).append(number)
        return self._key_lines

    def text(self, line: int | None) -> str:
        """The source text of a line (empty when there is no such line)."""
        if line is None or not 1 <= line <= len(self.lines):
            return ""
        return self.lines[line - 1]

    def _first_line(self, start: int, end: int, test: Any) -> int | None:
        for number in range(max(1, start), min(end, len(self.lines)) + 1):
            if test(self.lines[number - 1]):
                return number
        return None


def _package_name_of_key(key: str) -> str | None:
    """The package a table key names: ``torch``, or ``jax`` for ``"jax[cuda12]"``."""
    if _VALID_NAME.match(key):
        return key
    try:
        parsed = Requirement(key)
    except InvalidRequirement:
        return None
    # Extras are fine in a key; a version or URL there is not.
    if parsed.specifier or parsed.url or parsed.marker:
        return None
    return parsed.name


def _key_path(header: str) -> tuple[str, ...]:
    parts = []
    for part in _KEY_PARTS.findall(header):
        if part[:1] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


@dataclass
class _Reader:
    """What every section reader needs: the result, the path and the locator."""

    path: str
    locator: TomlLocator
    result: ReadResult

    def problem(self, line: int | None, message: str) -> None:
        self.result.problem(self.path, line, message)

    def key_line(self, table: tuple[str, ...], key: str, occurrence: int = 0) -> int:
        start, end = self.locator.section(table, occurrence)
        return self.locator.find_key(key, start, end) or start

    def string_line(self, table: tuple[str, ...], value: str, occurrence: int = 0) -> int:
        start, end = self.locator.section(table, occurrence)
        return self.locator.find_string(value, start, end) or start

    def requirement_list(self, table: tuple[str, ...], key: str, value: Any) -> None:
        """A list of PEP 508 strings (``dependencies``, a group, ``requires``)."""
        line = self.key_line(table, key)
        if not isinstance(value, list):
            self.problem(line, f"{_dotted(table + (key,))} must be a list of requirement strings, found {_type(value)}")
            return
        cursor, offset = line, self.locator.offset_of_line(line)
        _, end = self.locator.section(table)
        for item in value:
            if isinstance(item, str):
                found = self.locator.find_string_from(item, line, end, offset)
                if found:
                    cursor, offset = found
                add_requirement(self.result, self.path, cursor, item, self.locator.text(cursor))
            elif isinstance(item, dict) and "include-group" in item:
                continue  # PEP 735 include: the other group is read on its own.
            else:
                self.problem(cursor, f"{_dotted(table + (key,))}: expected a requirement string, found {_type(item)}")

    def requirement_groups(self, table: tuple[str, ...], groups: Any) -> None:
        """A table of named requirement lists (optional dependencies, groups)."""
        if groups is None:
            return
        if not isinstance(groups, dict):
            self.problem(self.key_line(table[:-1], table[-1]), f"{_dotted(table)} must be a table of lists, found {_type(groups)}")
            return
        for group, value in groups.items():
            self.requirement_list(table, group, value)

    def index(self, table: tuple[str, ...], url: Any, occurrence: int = 0) -> None:
        if not isinstance(url, str) or not url.strip():
            self.problem(self.locator.section(table, occurrence)[0], f"{_dotted(table)}: expected a URL string, found {_type(url)}")
            return
        line = self.string_line(table, url, occurrence=occurrence)
        self.result.add("index", index_name(url), line, self.locator.text(line), PYPI)

    def index_tables(self, table: tuple[str, ...], entries: Any) -> None:
        """``[[tool.poetry.source]]``-style arrays of tables with a ``url``."""
        if entries is None:
            return
        if not isinstance(entries, list):
            self.problem(self.locator.section(table)[0], f"{_dotted(table)} must be an array of tables, found {_type(entries)}")
            return
        for occurrence, entry in enumerate(entries):
            if isinstance(entry, dict) and "url" in entry:
                self.index(table, entry["url"], occurrence)
            elif not isinstance(entry, dict):
                self.problem(self.locator.section(table)[0], f"{_dotted(table)}: expected a table, found {_type(entry)}")

    def named_package(self, table: tuple[str, ...], key: str, spec: str, pins: list[str]) -> None:
        """A package named by a table key (Poetry, Pipfile), with its exact pins."""
        line = self.key_line(table, key)
        name = _package_name_of_key(key)
        if name is None:
            self.problem(line, f"{key!r} is not a valid package name")
            return
        text = self.locator.text(line)
        self.result.add("package", canonicalize_name(name), line, text, PYPI, spec)
        for pin in pins:
            add_local_version(self.result, pin, line, text)
        # A direct wheel URL pins a build too (flash_attn-2.5.9+cu122torch2.3-....whl).
        add_archive_url(self.result, spec.split(";", 1)[0].strip(), line, text)


def read_pyproject(text: str, path: str) -> ReadResult:
    """Read the dependencies and package indexes of a ``pyproject.toml``.

    Parameters
    ----------
    text : str
    path : str

    Returns
    -------
    ReadResult
        ``package`` evidence (ecosystem ``pypi``) from PEP 621
        ``[project]`` dependencies and optional dependencies, PEP 735
        ``[dependency-groups]``, ``[build-system] requires``, Poetry
        dependency tables and groups, uv and PDM dev dependencies; ``index``
        evidence from Poetry, uv and PDM sources.

    Raises
    ------
    InputError
        When the text is not TOML (with the line tomllib reports) or is not
        a table at the top.
    """
    data = load_toml(text, path)
    reader = _Reader(path, TomlLocator(text), ReadResult())
    _read_pep621(reader, data)
    _read_poetry(reader, _table(data, "tool", "poetry"))
    _read_uv(reader, _table(data, "tool", "uv"))
    _read_pdm(reader, _table(data, "tool", "pdm"))
    _read_own_packages(reader, data)
    _drop_self_references(reader.result, data)
    return reader.result


def _drop_self_references(result: ReadResult, data: dict[str, Any]) -> None:
    """``dev = ["bitsandbytes[test]"]`` in bitsandbytes names the project
    itself (its own extras), not a dependency: no package evidence."""
    names = [_table(data, "project").get("name"), _table(data, "tool", "poetry").get("name")]
    own = {canonicalize_name(name) for name in names if isinstance(name, str) and name.strip()}
    if own:
        result.evidence = [e for e in result.evidence if not (e.kind == "package" and canonicalize_name(e.name) in own)]


def _read_own_packages(reader: _Reader, data: dict[str, Any]) -> None:
    """The import roots the project defines (``define("package", …)``): its
    name (``flash-attn`` → ``flash_attn``), setuptools ``packages`` and
    ``py-modules``, Poetry's ``name`` and ``packages = [{include = …}]``."""
    found: dict[str, int] = {}

    def define(module: Any, table: tuple[str, ...], key: str, name: bool = False) -> None:
        if not isinstance(module, str):
            return
        root = re.sub(r"[-_.]+", "_", module.strip()).lower() if name else module.strip().split(".")[0]
        if root.isidentifier() and root not in found:
            found[root] = reader.key_line(table, key)

    define(_table(data, "project").get("name"), ("project",), "name", name=True)
    setuptools = _table(data, "tool", "setuptools")
    for key in ("packages", "py-modules"):
        value = setuptools.get(key)
        for module in value if isinstance(value, list) else ():
            define(module, ("tool", "setuptools"), key)
    poetry = _table(data, "tool", "poetry")
    define(poetry.get("name"), ("tool", "poetry"), "name", name=True)
    packages = poetry.get("packages")
    for entry in packages if isinstance(packages, list) else ():
        if isinstance(entry, dict):
            define(entry.get("include"), ("tool", "poetry"), "packages")
    for root, line in found.items():
        reader.result.define("package", root, line)


def _read_pep621(reader: _Reader, data: dict[str, Any]) -> None:
    project = _table(data, "project")
    if "dependencies" in project:
        reader.requirement_list(("project",), "dependencies", project["dependencies"])
    reader.requirement_groups(("project", "optional-dependencies"), project.get("optional-dependencies"))
    reader.requirement_groups(("dependency-groups",), data.get("dependency-groups"))
    build = _table(data, "build-system")
    if "requires" in build:
        reader.requirement_list(("build-system",), "requires", build["requires"])


def _read_poetry(reader: _Reader, poetry: dict[str, Any]) -> None:
    for key in ("dependencies", "dev-dependencies"):
        _read_poetry_dependencies(reader, ("tool", "poetry", key), poetry.get(key))
    groups = poetry.get("group")
    if isinstance(groups, dict):
        for group, body in groups.items():
            if isinstance(body, dict):
                _read_poetry_dependencies(reader, ("tool", "poetry", "group", group, "dependencies"), body.get("dependencies"))
    reader.index_tables(("tool", "poetry", "source"), poetry.get("source"))


def _read_poetry_dependencies(reader: _Reader, table: tuple[str, ...], dependencies: Any) -> None:
    if dependencies is None:
        return
    if not isinstance(dependencies, dict):
        reader.problem(reader.locator.section(table)[0], f"{_dotted(table)} must be a table, found {_type(dependencies)}")
        return
    for name, value in dependencies.items():
        if name.lower() in _POETRY_NOT_PACKAGES:
            continue
        constraints = value if isinstance(value, list) else [value]
        specs, pins = [], []
        for constraint in constraints:
            spec, pin = _poetry_constraint(constraint)
            if spec is None:
                reader.problem(reader.key_line(table, name), f"{_dotted(table)}.{name}: expected a version string or a table, found {_type(constraint)}")
                break
            specs.append(spec)
            pins.extend([pin] if pin else [])
        else:
            reader.named_package(table, name, " | ".join(specs), pins)


def _poetry_constraint(value: Any) -> tuple[str | None, str | None]:
    """The spec of one Poetry constraint, and its exact version if pinned."""
    if isinstance(value, str):
        return value, _exact_version(value)
    if not isinstance(value, dict):
        return None, None
    version = value.get("version")
    if isinstance(version, str):
        spec, pin = version, _exact_version(version)
    elif "git" in value:
        ref = next((value[k] for k in ("rev", "tag", "branch") if isinstance(value.get(k), str)), "")
        spec, pin = f"git+{value['git']}" + (f"@{ref}" if ref else ""), None
    else:
        source = next((value[k] for k in ("url", "path", "file") if isinstance(value.get(k), str)), "")
        spec, pin = source, None
    markers = value.get("markers")
    if isinstance(markers, str) and markers:
        spec = f"{spec}; {markers}"
    return spec, pin


def _exact_version(spec: str) -> str | None:
    """The version of an exact pin (``2.3.1+cu121``, ``==2.3.1+cu121``), else None."""
    spec = spec.strip()
    for operator in ("===", "=="):
        if spec.startswith(operator):
            spec = spec[len(operator) :].strip()
            break
    if not spec or any(c in spec for c in "<>=!~^*,| ") or not spec[0].isdigit():
        return None
    return spec


def _read_uv(reader: _Reader, uv: dict[str, Any]) -> None:
    reader.index_tables(("tool", "uv", "index"), uv.get("index"))
    for key in ("index-url", "extra-index-url", "find-links"):
        urls = uv.get(key)
        for url in urls if isinstance(urls, list) else [urls] if urls is not None else []:
            reader.index(("tool", "uv"), url)
    if "dev-dependencies" in uv:
        reader.requirement_list(("tool", "uv"), "dev-dependencies", uv["dev-dependencies"])
    _read_uv_sources(reader, uv.get("sources"))


def _read_uv_sources(reader: _Reader, sources: Any) -> None:
    """``[tool.uv.sources]``: where a declared dependency comes from.

    The packages themselves are already evidence from the dependency
    lists, and named indexes from ``[[tool.uv.index]]``; what a source adds
    is the build a direct wheel URL pins, e.g. a ``+cu122`` label in a
    flash-attn wheel name.
    """
    if not isinstance(sources, dict):
        return
    table = ("tool", "uv", "sources")
    for name, value in sources.items():
        for source in value if isinstance(value, list) else [value]:
            url = source.get("url") if isinstance(source, dict) else None
            if isinstance(url, str):
                line = reader.string_line(table, url)
                add_archive_url(reader.result, url, line, reader.locator.text(line))


def _read_pdm(reader: _Reader, pdm: dict[str, Any]) -> None:
    reader.requirement_groups(("tool", "pdm", "dev-dependencies"), pdm.get("dev-dependencies"))
    reader.index_tables(("tool", "pdm", "source"), pdm.get("source"))


def read_pipfile(text: str, path: str) -> ReadResult:
    """Read a pipenv ``Pipfile``.

    Parameters
    ----------
    text : str
    path : str

    Returns
    -------
    ReadResult
        ``package`` evidence from ``[packages]``, ``[dev-packages]`` and any
        other package category; ``index`` evidence from ``[[source]]``.

    Raises
    ------
    InputError
        When the text is not TOML.
    """
    data = load_toml(text, path)
    reader = _Reader(path, TomlLocator(text), ReadResult())
    reader.index_tables(("source",), data.get("source"))
    for category, packages in data.items():
        if category in _PIPFILE_NOT_CATEGORIES:
            continue
        if not isinstance(packages, dict):
            reader.problem(reader.locator.header((category,)) or reader.key_line((), category), f"[{category}] must be a table of packages, found {_type(packages)}")
            continue
        for name, value in packages.items():
            spec = _pipfile_spec(value)
            if spec is None:
                reader.problem(reader.key_line((category,), name), f"[{category}] {name}: expected a version string or a table, found {_type(value)}")
                continue
            pin = _pinned_pep440(spec)
            reader.named_package((category,), name, spec, [pin] if pin else [])
    return reader.result


def _pipfile_spec(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("version"), str):
        spec = value["version"]
    elif isinstance(value.get("git"), str):
        ref = value.get("ref")
        spec = f"git+{value['git']}" + (f"@{ref}" if isinstance(ref, str) and ref else "")
    else:
        spec = next((value[k] for k in ("file", "path") if isinstance(value.get(k), str)), "")
    markers = value.get("markers")
    if isinstance(markers, str) and markers:
        spec = f"{spec}; {markers}"
    return spec


def _pinned_pep440(spec: str) -> str | None:
    spec = spec.split(";", 1)[0].strip()
    for operator in ("===", "=="):
        if spec.startswith(operator) and "," not in spec and not spec.endswith(".*"):
            return spec[len(operator) :].strip()
    return None


def _table(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """A nested table, or an empty one where it is missing or not a table."""
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def _dotted(table: tuple[str, ...]) -> str:
    return ".".join(table)


def _type(value: Any) -> str:
    names = {str: "a string", list: "a list", dict: "a table", bool: "a boolean", int: "an integer", float: "a number"}
    return names.get(type(value), type(value).__name__)
