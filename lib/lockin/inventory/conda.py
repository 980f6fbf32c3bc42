"""Reading conda inventories: ``environment.yml``, ``conda list`` outputs.

``environment.yml`` is YAML. :func:`yaml.safe_load` would drop positions,
so the document is only *composed* (``yaml.compose`` with the safe loader:
nodes with their marks, nothing constructed) and the nodes are walked
directly; every item keeps the line it was written on.

Conda match specs (``cudf=24.08``, ``nvidia::cuda-toolkit``,
``pytorch=2.3=py3.11_cuda12.1_cudnn8.9.2_0``) have no parser in the
libraries lockin uses (``conda`` itself is not a dependency), so
:func:`parse_match_spec` splits them following the grammar conda
documents: ``[channel::]name[ version[ build]]`` with ``=``/``==``/
comparison operators or spaces between the parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import yaml
from packaging.utils import canonicalize_name

from lockin.inventory.pip import PYPI, add_local_version, read_requirement_line
from lockin.lines import YAML, counted_by, numbered_splitlines
from lockin.records import InputError, ReadResult
from lockin.yamlsafe import YamlError, compose

CONDA = "conda"

#: conda's platform folders; they follow the channel in package URLs.
PLATFORM_SUBDIRS = frozenset(
    {
        "noarch",
        "linux-32",
        "linux-64",
        "linux-aarch64",
        "linux-armv6l",
        "linux-armv7l",
        "linux-ppc64le",
        "linux-s390x",
        "osx-64",
        "osx-arm64",
        "win-32",
        "win-64",
        "win-arm64",
        "emscripten-wasm32",
        "wasi-wasm32",
        "zos-z",
    }
)

_PACKAGE_SUFFIXES = (".tar.bz2", ".conda")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_AFTER_NAME = frozenset("=<>!~[ \t")
_TRAILING_OPERATOR = frozenset("=<>!~,|")

# Build string of a package that pip installed into the conda environment.
_PIP_BUILD = "pypi_0"

_NULL_TAG = "tag:yaml.org,2002:null"

# The line breaks PyYAML counts in its marks, so a mark's line finds its text.
_YAML_LINE_BREAK = YAML.breaks


@dataclass(frozen=True)
class MatchSpec:
    """A conda match spec split into its parts.

    Attributes
    ----------
    name : str
        The package name, lower-cased.
    spec : str
        Version and build as written, without one leading ``=`` (conda's
        ``cudf=24.08`` gives ``24.08``; ``python==3.11`` gives ``==3.11``).
    channel : str or None
        The channel name from a ``channel::`` prefix.
    """

    name: str
    spec: str
    channel: str | None = None


class MatchSpecError(ValueError):
    """A string that is not a conda match spec; the message says why."""


def parse_match_spec(text: str) -> MatchSpec:
    """Split a conda match spec such as ``conda-forge::numpy 1.26.*``.

    Parameters
    ----------
    text : str
        One match spec, as in an ``environment.yml`` dependency or a line
        of ``conda list --export``.

    Returns
    -------
    MatchSpec

    Raises
    ------
    MatchSpecError
        When there is no package name, a character that cannot follow one,
        or an operator without a version.
    """
    spec = text.strip()
    channel = None
    if "::" in spec:
        prefix, spec = spec.split("::", 1)
        if not prefix.strip():
            raise MatchSpecError(f"empty channel before '::' in {text!r}")
        channel = channel_name(prefix)
        spec = spec.strip()
    found = _NAME.match(spec)
    if not found:
        raise MatchSpecError(f"expected a package name at the start of {text.strip()!r}")
    rest = spec[found.end() :]
    if rest and rest[0] not in _AFTER_NAME:
        raise MatchSpecError(f"unexpected {rest[0]!r} after the package name in {text.strip()!r}")
    rest = rest.strip()
    if rest and rest[-1] in _TRAILING_OPERATOR:
        raise MatchSpecError(f"{text.strip()!r} ends with an operator but no version")
    if rest.startswith("[") and not rest.endswith("]"):
        raise MatchSpecError(f"unclosed '[' in {text.strip()!r}")
    if rest.startswith("=") and not rest.startswith("=="):
        rest = rest[1:].strip()
    return MatchSpec(found.group(0).lower(), rest, channel)


def channel_name(channel: str) -> str:
    """The name of a conda channel, from a name, a path or a URL.

    ``nvidia``, ``nvidia/label/cuda-12.1.0``,
    ``https://conda.anaconda.org/nvidia`` and
    ``https://conda.anaconda.org/t/<token>/nvidia/linux-64/x.conda`` all
    give ``nvidia``; a private channel URL gives its last path component.
    Credentials (user info, ``/t/<token>/``) never reach the name.

    Parameters
    ----------
    channel : str
        A channel as written in ``channels:``, before ``::``, or a package
        URL of an explicit file.

    Returns
    -------
    str
        The channel name, lower-cased.
    """
    channel = channel.strip()
    if "://" not in channel and not channel.startswith("file:"):
        return channel.split("/", 1)[0].lower()
    try:
        parts = urlsplit(channel)
    except ValueError:
        return channel.rsplit("/", 1)[-1].lower()
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if segments and segments[-1].endswith(_PACKAGE_SUFFIXES):
        segments.pop()
    if len(segments) >= 2 and segments[0] == "t":
        # anaconda.org's token URLs: /t/<token>/<channel>/...
        segments = segments[2:]
    if "label" in segments:
        segments = segments[: segments.index("label")]
    while segments and segments[-1] in PLATFORM_SUBDIRS:
        segments.pop()
    if segments:
        return segments[-1].lower()
    return parts.netloc.rpartition("@")[2].lower()


@counted_by(YAML, exact=(YamlError,))
def read_conda_environment(text: str, path: str) -> ReadResult:
    """Read a conda ``environment.yml``.

    Parameters
    ----------
    text : str
    path : str

    Returns
    -------
    ReadResult
        ``index`` evidence (ecosystem ``conda``) per channel and per
        ``channel::`` prefix; ``package`` evidence (ecosystem ``conda``) per
        dependency; the ``pip:`` list read like a requirements file
        (ecosystem ``pypi``, ``-r`` files in ``references``).

    Raises
    ------
    InputError
        On a YAML syntax error (with its line), an empty document, a
        document that is not a mapping, or ``channels``/``dependencies``
        that are not lists.
    """
    root = _compose(text, path)
    if root is None:
        raise InputError(path, 1, "empty document: expected a mapping with 'channels' and 'dependencies'")
    if not isinstance(root, yaml.MappingNode):
        raise InputError(path, _line(root), f"expected a mapping with 'channels' and 'dependencies', found {_node_kind(root)}")
    lines = _YAML_LINE_BREAK.split(text)
    result = ReadResult()
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value == "channels":
            _read_channels(result, path, lines, value)
        elif key.value == "dependencies":
            _read_dependencies(result, path, lines, value)
    return result


def _compose(text: str, path: str) -> yaml.Node | None:
    # The pure-Python loader, as before (its marks index the text as this
    # reader's line list does); alias expansion is bounded.
    return compose(text, path, loader=yaml.SafeLoader)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _source(lines: list[str], node: yaml.Node) -> str:
    index = node.start_mark.line
    return lines[index] if 0 <= index < len(lines) else str(getattr(node, "value", ""))


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return "null" if node.tag == _NULL_TAG else f"the value {node.value!r}"


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG


def _items(path: str, key: str, node: yaml.Node) -> list[yaml.Node]:
    if _is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise InputError(path, _line(node), f"'{key}' must be a list, found {_node_kind(node)}")
    return node.value


def _read_channels(result: ReadResult, path: str, lines: list[str], node: yaml.Node) -> None:
    for item in _items(path, "channels", node):
        if isinstance(item, yaml.ScalarNode) and not _is_null(item) and item.value.strip():
            result.add("index", channel_name(item.value), _line(item), _source(lines, item), CONDA)
        else:
            result.problem(path, _line(item), f"a channel must be a name or URL, found {_node_kind(item)}")


def _read_dependencies(result: ReadResult, path: str, lines: list[str], node: yaml.Node) -> None:
    for item in _items(path, "dependencies", node):
        if isinstance(item, yaml.ScalarNode) and not _is_null(item):
            add_match_spec(result, path, _line(item), item.value, _source(lines, item))
        elif isinstance(item, yaml.MappingNode):
            _read_dependency_mapping(result, path, lines, item)
        else:
            result.problem(path, _line(item), f"a dependency must be a match spec or a 'pip:' list, found {_node_kind(item)}")


def _read_dependency_mapping(result: ReadResult, path: str, lines: list[str], node: yaml.MappingNode) -> None:
    for key, value in node.value:
        if not (isinstance(key, yaml.ScalarNode) and key.value == "pip"):
            result.problem(path, _line(key), f"unexpected {getattr(key, 'value', 'key')!r} in dependencies: only a 'pip:' list may appear there")
            continue
        if _is_null(value):
            continue
        if not isinstance(value, yaml.SequenceNode):
            result.problem(path, _line(value), f"'pip' must be a list of requirements, found {_node_kind(value)}")
            continue
        for item in value.value:
            if isinstance(item, yaml.ScalarNode) and not _is_null(item):
                read_requirement_line(result, path, _line(item), item.value, _source(lines, item))
            else:
                result.problem(path, _line(item), f"a pip requirement must be a string, found {_node_kind(item)}")


def add_match_spec(result: ReadResult, path: str, line: int | None, spec: str, text: str) -> bool:
    """Add the evidence of one conda match spec; a bad one becomes a problem.

    A ``channel::`` prefix also adds ``index`` evidence for that channel.

    Returns
    -------
    bool
        Whether the spec was valid.
    """
    try:
        parsed = parse_match_spec(spec)
    except MatchSpecError as exc:
        result.problem(path, line, f"not a valid conda package spec: {exc}")
        return False
    if parsed.channel:
        result.add("index", parsed.channel, line, text, CONDA)
    result.add("package", parsed.name, line, text, CONDA, parsed.spec)
    return True


def read_conda_list(text: str, path: str) -> ReadResult:
    """Read ``conda list --export`` output, an ``@EXPLICIT`` file or ``conda list``.

    Parameters
    ----------
    text : str
    path : str

    Returns
    -------
    ReadResult
        ``package`` evidence per package (spec ``version=build``: the build
        string tells a CUDA build, e.g. ``py3.11_cuda12.1_cudnn8.9.2_0``).
        Packages pip installed (build ``pypi_0``) are ``pypi`` packages,
        with ``local-version:`` evidence like pip's. Explicit URLs and the
        ``conda list`` channel column add ``index`` evidence once per
        channel, without tokens.
    """
    result = ReadResult()
    seen_channels: set[str] = set()
    explicit = table = False
    for number, raw in numbered_splitlines(text.removeprefix("\ufeff")):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            table = table or line.startswith("# packages in environment at")
            continue
        if line == "@EXPLICIT":
            explicit = True
        elif explicit:
            _read_explicit_url(result, path, number, line, seen_channels)
        elif table:
            _read_table_row(result, path, number, line, seen_channels)
        else:
            _read_export_line(result, path, number, line)
    return result


def _add_channel_once(result: ReadResult, seen: set[str], channel: str, line: int, text: str) -> None:
    if channel and channel not in seen:
        seen.add(channel)
        result.add("index", channel, line, text, CONDA)


def _add_listed_package(result: ReadResult, name: str, version: str, build: str, line: int, text: str) -> None:
    if build == _PIP_BUILD:
        result.add("package", canonicalize_name(name), line, text, PYPI, version)
        add_local_version(result, version, line, text)
    else:
        spec = f"{version}={build}" if build else version
        result.add("package", name.lower(), line, text, CONDA, spec)


def _read_export_line(result: ReadResult, path: str, line: int, text: str) -> None:
    try:
        parsed = parse_match_spec(text)
    except MatchSpecError as exc:
        result.problem(path, line, f"not a valid conda package spec: {exc}")
        return
    if parsed.channel:
        result.add("index", parsed.channel, line, text, CONDA)
    version, _, build = parsed.spec.partition("=")
    _add_listed_package(result, parsed.name, version.strip(), build.strip(), line, text)


def _read_table_row(result: ReadResult, path: str, line: int, text: str, seen: set[str]) -> None:
    # `conda list`: Name Version Build [Channel]
    columns = text.split()
    if len(columns) not in (3, 4):
        result.problem(path, line, f"expected 'name version build [channel]', found {len(columns)} column(s)")
        return
    name, version, build = columns[:3]
    channel = columns[3] if len(columns) == 4 else ""
    _add_listed_package(result, name, version, build, line, text)
    if channel and channel != PYPI:
        _add_channel_once(result, seen, channel_name(channel), line, text)


def _read_explicit_url(result: ReadResult, path: str, line: int, text: str, seen: set[str]) -> None:
    url = text.split("#", 1)[0].strip()  # '#<md5>' or '#sha256:…' checksums
    try:
        filename = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    except ValueError as exc:
        result.problem(path, line, f"not a valid package URL: {exc}")
        return
    stem = next((filename[: -len(s)] for s in _PACKAGE_SUFFIXES if filename.endswith(s)), None)
    parts = stem.rsplit("-", 2) if stem else []
    if len(parts) != 3 or not all(parts):
        result.problem(path, line, f"expected a package URL ending in <name>-<version>-<build>.conda or .tar.bz2, found {url!r}")
        return
    name, version, build = parts
    result.add("package", name.lower(), line, text, CONDA, f"{version}={build}")
    _add_channel_once(result, seen, channel_name(url), line, text)
