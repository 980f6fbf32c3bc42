"""Reading pip requirements files and ``pip freeze`` output.

Requirement strings are parsed with :mod:`packaging` (PEP 508); only the
requirements-file syntax around them (comments, line continuations,
options such as ``-r`` or ``--extra-index-url``) is handled here, following
the rules pip documents for requirements files.

The helpers :func:`add_requirement`, :func:`read_requirement_line`,
:func:`add_local_version` and :func:`index_name` are shared by the other
Python-ecosystem readers (pyproject, lock files, the ``pip:`` section of a
conda environment), so every reader names PyPI evidence the same way.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from lockin.lines import numbered_splitlines
from lockin.records import ReadResult

PYPI = "pypi"

#: Prefix of the evidence name that carries a local version label.
LOCAL_VERSION_PREFIX = "local-version:"

# pip's own rule: a comment starts at '#' at the start of a line or after
# whitespace, so URL fragments such as '#egg=apex' are not comments. The
# blanks before it are stripped afterwards: matched here (``\s+#``) they
# were re-read from every blank of a long run that no '#' ends (quadratic:
# 40,000 blanks took 6 s).
_COMMENT = re.compile(r"(?<!\S)#.*$")

_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".tar")

# Options pip accepts in a requirements file: spelling -> (meaning, takes a value).
_OPTIONS: dict[str, tuple[str, bool]] = {
    "-r": ("requirement", True),
    "--requirement": ("requirement", True),
    "-c": ("constraint", True),
    "--constraint": ("constraint", True),
    "-e": ("editable", True),
    "--editable": ("editable", True),
    "-i": ("index-url", True),
    "--index-url": ("index-url", True),
    "--extra-index-url": ("extra-index-url", True),
    "-f": ("find-links", True),
    "--find-links": ("find-links", True),
    "--no-index": ("no-index", False),
    "--no-binary": ("no-binary", True),
    "--only-binary": ("only-binary", True),
    "--prefer-binary": ("prefer-binary", False),
    "--pre": ("pre", False),
    "--require-hashes": ("require-hashes", False),
    "--trusted-host": ("trusted-host", True),
    "--use-feature": ("use-feature", True),
    # Per-requirement options: they change how one package is built or
    # checked, not which package it is.
    "--hash": ("hash", True),
    "--global-option": ("global-option", True),
    "--install-option": ("install-option", True),
    "--config-settings": ("config-settings", True),
    "-C": ("config-settings", True),
}

_REFERENCE_OPTIONS = frozenset({"requirement", "constraint"})
_INDEX_OPTIONS = frozenset({"index-url", "extra-index-url", "find-links"})


class _LineError(ValueError):
    """A requirements line pip would reject; the message says why."""


def read_requirements(text: str, path: str) -> ReadResult:
    """Read a pip requirements file or the output of ``pip freeze``.

    Parameters
    ----------
    text : str
        The file's content.
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        ``package`` evidence (ecosystem ``pypi``) per requirement, plus a
        ``local-version:<label>`` package for pins such as
        ``torch==2.3.1+cu121``; ``index`` evidence per ``--index-url``,
        ``--extra-index-url`` and ``--find-links`` (credentials removed);
        ``-r``/``-c`` files in ``references``; one problem per line pip
        would reject. Reading never stops at a bad line.
    """
    result = ReadResult()
    for number, line in logical_lines(text):
        read_requirement_line(result, path, number, line)
    return result


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Join continued lines and drop comments, as pip does.

    Parameters
    ----------
    text : str
        A requirements file.

    Yields
    ------
    tuple of (int, str)
        The 1-based number of the first physical line of each logical line,
        and the logical line without its comment. Blank results are skipped.
    """
    pending: list[str] = []
    first = 0
    for number, raw in numbered_splitlines(text.removeprefix("\ufeff")):
        is_comment = raw.lstrip().startswith("#")
        if raw.endswith("\\") and not is_comment:
            if not pending:
                first = number
            pending.append(raw[:-1])
            continue
        if pending:
            # A comment line ends a continuation without adding to it (pip's rule).
            pending.append("" if is_comment else raw)
            joined, pending = " ".join(pending), []
            yield from _uncommented(first, joined)
        else:
            yield from _uncommented(number, raw)
    if pending:
        yield from _uncommented(first, " ".join(pending))


def _uncommented(number: int, line: str) -> Iterator[tuple[int, str]]:
    cleaned = _COMMENT.sub("", line).strip()
    if cleaned:
        yield number, " ".join(cleaned.split())


def read_requirement_line(result: ReadResult, path: str, line: int | None, text: str, source: str | None = None) -> None:
    """Read one logical requirements line into ``result``.

    Parameters
    ----------
    result : ReadResult
        Evidence, references and problems are added here.
    path : str
        The path shown in problems.
    line : int or None
        The line number to report.
    text : str
        The line, comment already removed (a trailing `` # comment`` is
        removed again here, so conda's ``pip:`` items can be passed as is).
    source : str, optional
        The source line to keep as evidence text, when it differs from
        ``text`` (a YAML list item); ``text`` by default.

    Notes
    -----
    A line whose options pip would reject (an unknown option, an option
    without its value, unbalanced quotes) becomes one problem and nothing
    of it is emitted. An invalid requirement is a problem as well; valid
    options on its line still count.
    """
    text = _COMMENT.sub("", text).strip()
    if not text:
        return
    requirement, option_text = _split_requirement_and_options(text)
    shown = text if source is None else source
    try:
        options = _parse_options(option_text)
    except _LineError as exc:
        result.problem(path, line, str(exc))
        return
    if requirement:
        _add_requirement_or_url(result, path, line, requirement, shown)
    for meaning, value in options:
        _apply_option(result, path, line, meaning, value, shown)


def _split_requirement_and_options(text: str) -> tuple[str, str]:
    # pip's rule: the requirement is every word before the first word
    # starting with '-'; the rest are options.
    words = text.split()
    for position, word in enumerate(words):
        if word.startswith("-"):
            return " ".join(words[:position]), " ".join(words[position:])
    return text, ""


def _parse_options(option_text: str) -> list[tuple[str, str]]:
    if not option_text:
        return []
    try:
        words = shlex.split(option_text)
    except ValueError as exc:
        raise _LineError(f"cannot split the options {option_text!r}: {exc}") from None
    options: list[tuple[str, str]] = []
    position = 0
    while position < len(words):
        word = words[position]
        spelling, value = _option_spelling(word)
        if spelling not in _OPTIONS:
            raise _LineError(f"unknown option {word!r}: pip does not accept it in a requirements file")
        meaning, takes_value = _OPTIONS[spelling]
        if takes_value and value is None:
            position += 1
            if position >= len(words):
                raise _LineError(f"option {spelling} needs a value")
            value = words[position]
        elif not takes_value and value is not None:
            raise _LineError(f"option {spelling} takes no value, found {value!r}")
        options.append((meaning, value or ""))
        position += 1
    return options


def _option_spelling(word: str) -> tuple[str, str | None]:
    """Split ``--opt=value`` and ``-rvalue`` into the option and its value."""
    if word.startswith("--"):
        name, equals, value = word.partition("=")
        return name, value if equals else None
    if word.startswith("-") and len(word) > 2:
        return word[:2], word[2:]
    return word, None


def _apply_option(result: ReadResult, path: str, line: int, meaning: str, value: str, text: str) -> None:
    if meaning in _REFERENCE_OPTIONS:
        result.references.append(value)
    elif meaning in _INDEX_OPTIONS:
        result.add("index", index_name(value), line, text, PYPI)
    elif meaning == "editable":
        _add_editable(result, path, line, value, text)


def _add_editable(result: ReadResult, path: str, line: int, target: str, text: str) -> None:
    if _is_url_or_path(target):
        _add_url(result, path, line, target, text)
    else:
        result.problem(path, line, f"-e needs a VCS URL or a local path, found {target!r}")


def _add_requirement_or_url(result: ReadResult, path: str, line: int, requirement: str, text: str) -> None:
    if not _is_url_or_path(requirement):
        add_requirement(result, path, line, requirement, text)
        return
    # pip takes markers after a URL or path when '; ' (with the space) sets
    # them apart: a URL may hold a bare ';' itself.
    target, _, marker = requirement.partition("; ")
    if marker:
        try:
            Marker(marker)
        except InvalidMarker as exc:
            result.problem(path, line, f"not a valid environment marker {marker.strip()!r}: {_first_line(exc)}")
            return
    _add_url(result, path, line, target.strip(), text, marker.strip())


def _is_url_or_path(value: str) -> bool:
    if _URL_SCHEME.match(value) or value.startswith(("file:", ".", "/", "~")):
        return True
    before_marker = value.split(";", 1)[0]
    if "@" in before_marker:
        return False  # 'name @ url'
    # A bare archive path ('wheels/torch-2.3.1-....whl'), or a folder as pip
    # reads one: no package name holds a '/' ('submodules/rasterizer').
    return before_marker.strip().lower().endswith(_ARCHIVE_SUFFIXES) or "/" in before_marker


def add_requirement(result: ReadResult, path: str, line: int | None, requirement: str, text: str) -> bool:
    """Add the evidence of one PEP 508 requirement string.

    Parameters
    ----------
    result : ReadResult
    path : str
        The path shown in a problem.
    line : int or None
        The line of the requirement.
    requirement : str
        A PEP 508 string such as ``torch[cuda]>=2.3; python_version < "3.12"``
        or ``apex @ git+https://github.com/NVIDIA/apex.git``.
    text : str
        The source line, kept as evidence text.

    Returns
    -------
    bool
        Whether the string was valid; an invalid one is recorded as a
        problem in plain words.
    """
    try:
        parsed = Requirement(requirement)
    except InvalidRequirement as exc:
        result.problem(path, line, f"not a valid requirement {requirement!r}: {_first_line(exc)}")
        return False
    spec = parsed.url if parsed.url else _specifier_as_written(requirement, parsed)
    if parsed.marker is not None:
        spec = f"{spec}; {parsed.marker}" if spec else f"; {parsed.marker}"
    result.add("package", canonicalize_name(parsed.name), line, text, PYPI, spec)
    if parsed.url:
        add_archive_url(result, parsed.url, line, text)
    for specifier in parsed.specifier:
        if specifier.operator in ("==", "===") and not specifier.version.endswith(".*"):
            add_local_version(result, specifier.version, line, text)
    return True


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _specifier_as_written(requirement: str, parsed: Requirement) -> str:
    """The version specifier as the file wrote it.

    packaging re-orders specifiers when it prints them (``>=2.0, <3``
    becomes ``<3,>=2.0``); the string is already known to be valid, so its
    parts can be cut out by position instead.
    """
    rest = requirement.split(";", 1)[0].strip()[len(parsed.name) :].lstrip()
    if rest.startswith("["):
        rest = rest[rest.find("]") + 1 :].strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    return rest


def add_local_version(result: ReadResult, version: str, line: int | None, text: str) -> None:
    """Add ``local-version:<label>`` evidence for a version with a ``+label``.

    Parameters
    ----------
    result : ReadResult
    version : str
        A pinned version such as ``2.3.1+cu121``; nothing is added when it
        has no local label.
    line : int or None
    text : str
        The source line.
    """
    version = version.strip()
    if "+" not in version:
        return
    try:
        label = Version(version).local or ""
    except ValueError:
        # InvalidVersion, or a number of more than 4,300 digits that int()
        # refuses (packaging converts every numeric segment).
        # '===' allows arbitrary strings; the label is whatever follows '+'.
        label = version.split("+", 1)[1].lower()
    if label:
        result.add("package", LOCAL_VERSION_PREFIX + label, line, text, PYPI, version)


def add_archive_url(result: ReadResult, url: str, line: int | None, text: str) -> None:
    """Add what a wheel or sdist URL says besides its package: the folder it
    comes from, as an ``index`` (vendor wheel hosts such as
    ``https://download.pytorch.org/whl/cu121`` or ``repo.radeon.com`` are
    evidence), and ``local-version:`` for a labelled version.

    ``.../whl/cu121/torch-2.3.1%2Bcu121-cp311-cp311-linux_x86_64.whl`` gives
    the index ``https://download.pytorch.org/whl/cu121`` and
    ``local-version:cu121``; other URLs add nothing.
    """
    parsed = _parse_archive_url(url)
    if parsed is None:
        return
    folder = index_name(url.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[0])
    if _URL_SCHEME.match(folder):
        result.add("index", folder, line, text, PYPI)
    if parsed[1]:
        add_local_version(result, parsed[1], line, text)


def _parse_archive_url(url: str) -> tuple[str, str] | None:
    """Name and version from a wheel or sdist file name at the end of a URL."""
    try:
        filename = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    except ValueError:
        return None
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
            return str(name), str(version)
        if filename.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(filename)
            return str(name), str(version)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion, ValueError):
        # ValueError: a version number of more than 4,300 digits, which int() refuses.
        return None
    return None


def _add_url(result: ReadResult, path: str, line: int, target: str, text: str, marker: str = "") -> None:
    """A bare URL, VCS URL or path on a requirements line (or after ``-e``),
    with the environment marker written after it, if any."""
    try:
        parts = urlsplit(target)
    except ValueError as exc:
        result.problem(path, line, f"not a valid URL {target!r}: {exc}")
        return
    egg = parse_qs(parts.fragment).get("egg", [""])[0]
    without_fragment = target.split("#", 1)[0]
    spec = f"{without_fragment}; {marker}" if marker else without_fragment
    if egg:
        _add_egg(result, path, line, egg, spec, text)
        return
    archive = _parse_archive_url(target)
    if archive is not None:
        name, _ = archive
        result.add("package", canonicalize_name(name), line, text, PYPI, spec)
        add_archive_url(result, target, line, text)
        return
    if _is_local_path(target, parts.scheme):
        # A local folder (often the project itself, '-e .'): no package name.
        return
    repository = _vcs_repository_name(parts)
    if repository:
        # pip builds the package to learn its name; the repository's usually is it.
        result.add("package", canonicalize_name(repository), line, text, PYPI, spec)
        return
    result.problem(path, line, f"cannot tell the package name of {without_fragment!r}: add '#egg=<name>' or write 'name @ URL'")


def _vcs_repository_name(parts) -> str:
    """``dask`` for ``git+https://github.com/dask/dask.git@main``; "" unless a
    VCS URL whose last path segment can be a package name."""
    if not parts.scheme.startswith(("git+", "hg+", "svn+", "bzr+")):
        return ""
    segment = parts.path.rstrip("/").rsplit("/", 1)[-1].split("@", 1)[0]
    segment = segment[: -len(".git")] if segment.endswith(".git") else segment
    return segment if _PACKAGE_NAME.fullmatch(segment) else ""


#: A PEP 508 distribution name.
_PACKAGE_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")


def _add_egg(result: ReadResult, path: str, line: int, egg: str, url: str, text: str) -> None:
    try:
        name = Requirement(egg).name
    except InvalidRequirement as exc:
        result.problem(path, line, f"'#egg={egg}' is not a valid package name: {_first_line(exc)}")
        return
    result.add("package", canonicalize_name(name), line, text, PYPI, url)


def _is_local_path(target: str, scheme: str) -> bool:
    return scheme in ("", "file") or not _URL_SCHEME.match(target)


def index_name(url: str) -> str:
    """The name of a package index: its URL without credentials.

    Parameters
    ----------
    url : str
        ``https://user:token@pypi.example.com/simple/`` or a local folder.

    Returns
    -------
    str
        Scheme, host (lower-cased, with port) and path without a trailing
        slash; user, password, query and fragment are dropped because
        tokens travel there. A value that is not a URL (a ``--find-links``
        folder) is returned as written.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/]*@", "//", url).rstrip("/")
    if not parts.scheme or not parts.netloc:
        return url.rstrip("/") or url
    host = parts.netloc.rpartition("@")[2].lower()
    return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/"), "", ""))
