"""Loading YAML safely: every YAML file lockin reads goes through here.

PyYAML's safe loader never runs code, but it does expand aliases: a few
lines that nest anchors nine deep ("billion laughs") describe hundreds of
millions of values. Composing keeps an alias as a second reference to the
same node, so the document is composed (cheaply), its node graph is
measured, and only a document whose aliases add at most
:data:`MAX_ALIAS_EXPANSION` values is constructed. An alias that refers to
its own enclosing collection (a cycle) is refused as well: nothing
downstream could print or walk it.

Every failure is an :class:`~lockin.errors.InputError` naming the file and
line: the ``\n``-line (see :mod:`lockin.lines`), found from the mark's
character offset, as YAML also breaks lines at ``\r``, NEL, U+2028 and U+2029.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from lockin.errors import InputError
from lockin.lines import line_at, line_count

#: libyaml's loader when PyYAML was built with it (its wheels are): the same
#: safe composition, several times faster; it also bounds nesting depth.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: How many values aliases may add to a document beyond those written in it.
#: Anchors that share defaults (``<<: *defaults``) add tens each; an alias
#: bomb adds millions.
MAX_ALIAS_EXPANSION = 10_000

# An anchor (``&name``) as a node property: at the start of a line, after
# white space or a flow indicator. A document whose text has no alias of such
# a name (``*name``) has no shared nodes, and its graph need not be walked.
_ANCHOR = re.compile(r"(?:^|(?<=[\s\[{,\ufeff]))&([^\s\[\]{},]+)", re.MULTILINE)


class YamlError(InputError):
    """A YAML file that cannot be loaded safely: a syntax error, an alias bomb, a cycle."""


def load(text: str, path: str, loader: type = LOADER) -> Any:
    """The single document in ``text`` as Python values (``None`` when empty).

    Parameters
    ----------
    text : str
    path : str
        The path shown in errors.
    loader : type, optional
        A safe PyYAML loader class (the default: libyaml's when available).

    Raises
    ------
    YamlError
        On invalid YAML, too large an alias expansion, or an alias cycle.
    """
    node = compose(text, path, loader)
    return None if node is None else construct(node, path, loader)


def compose(text: str, path: str, loader: type = LOADER) -> yaml.Node | None:
    """The node graph of the single document in ``text``, checked (see :func:`load`)."""
    with _yaml_errors(text, path):
        node = yaml.compose(text, Loader=loader)
    if node is not None and may_have_aliases(text):
        check_aliases(node, path, text=text)
    return node


def compose_all(text: str, path: str, loader: type = LOADER) -> Iterator[yaml.Node]:
    """The node graphs of the ``---`` separated documents in ``text``, each checked."""
    check = may_have_aliases(text)
    with _yaml_errors(text, path):
        # compose_all parses lazily: errors surface while iterating.
        for node in yaml.compose_all(text, Loader=loader):
            if check:
                check_aliases(node, path, text=text)
            yield node


def construct(node: yaml.Node, path: str, loader: type = LOADER) -> Any:
    """Python values of a node that :func:`compose` returned."""
    builder = loader("")
    try:
        return builder.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(path, mark.line + 1 if mark else None, f"invalid YAML: {exc.problem or exc.context}") from None
    except RecursionError:
        raise YamlError(path, node.start_mark.line + 1, "invalid YAML: nested too deeply to read") from None
    finally:
        builder.dispose()


def may_have_aliases(text: str) -> bool:
    """Whether ``text`` may use an alias: it has an anchor and ``*`` followed
    by that anchor's name. False means no node can be shared (a cheap test:
    walking the node graph costs half as much as composing it)."""
    return any("*" + name in text for name in set(_ANCHOR.findall(text)))


def merged(node: yaml.MappingNode) -> yaml.MappingNode:
    """``node`` with its merge keys (``<<: *defaults``) replaced by the keys
    they bring in, as PyYAML's safe constructor merges them (in place)."""
    yaml.SafeLoader("").flatten_mapping(node)
    return node


def check_aliases(root: yaml.Node, path: str, limit: int = MAX_ALIAS_EXPANSION, text: str | None = None) -> None:
    """Refuse a node graph whose aliases expand beyond ``limit`` values or form a cycle.

    Walks each distinct node once (iteratively: depth costs no stack), so the
    check costs as much as the written document, never the expansion.

    Raises
    ------
    YamlError
        Naming the line of the first collection whose expansion is too large,
        or of the alias that closes a cycle (the ``\n``-line when the
        composed ``text`` is given, else the line as YAML counts it).
    """
    expanded: dict[int, int] = {}  # id(node) -> values it stands for, expanded
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            visiting.discard(key)
            size = 1 + sum(expanded[id(child)] for child in _children(node))
            expanded[key] = size
            if size - len(expanded) > limit:
                raise YamlError(path, _mark_line(node.start_mark, text), f"refused: aliases expand this document beyond {limit:,} values (an alias bomb?)")
            continue
        if key in expanded:
            continue  # an alias of a node already measured
        if key in visiting:
            raise YamlError(path, _mark_line(node.start_mark, text), "refused: an alias refers to a collection that contains it (a cycle)")
        visiting.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class _yaml_errors:
    """Turn PyYAML's errors (and a too-deep document) into YamlError with file and line."""

    def __init__(self, text: str, path: str):
        self.text, self.path = text, path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, traceback) -> bool:
        if exc is None or isinstance(exc, InputError):
            return False
        if isinstance(exc, yaml.MarkedYAMLError):
            raise YamlError(self.path, *marked_error(self.text, exc)) from None
        if isinstance(exc, yaml.reader.ReaderError):
            line = _reader_error_line(self.text, exc)
            raise YamlError(self.path, line, f"invalid YAML: {exc.reason}, character {exc.character!r} is not allowed") from None
        if isinstance(exc, yaml.YAMLError):
            raise YamlError(self.path, None, f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}") from None
        if isinstance(exc, RecursionError):
            raise YamlError(self.path, None, "invalid YAML: nested too deeply to read") from None
        return False


def marked_error(text: str, exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    """Line and message of a YAML error, saying where an open construct began."""
    mark = exc.problem_mark or exc.context_mark
    # At the end of the stream a mark sits after the last newline; name
    # the last line of the file instead of one that is not there.
    last_line = max(1, line_count(text))
    message = f"invalid YAML: {exc.problem or exc.context}"
    if exc.context and exc.context_mark is not None and exc.problem:
        message += f" ({exc.context} on line {min(_mark_line(exc.context_mark, text), last_line)})"
    if mark is None:
        return None, message
    return min(_mark_line(mark, text), last_line), message


def _mark_line(mark: yaml.Mark, text: str | None) -> int:
    """The ``\n``-line of a mark: from its character offset, as the mark's
    own line also counts YAML's other breaks."""
    if text is None or mark.index is None or not 0 <= mark.index <= len(text):
        return mark.line + 1
    return line_at(text, mark.index)


def _reader_error_line(text: str, exc: yaml.reader.ReaderError) -> int:
    """The ``\n``-line of an unacceptable character: PyYAML's reader gives
    its character offset, libyaml's its byte offset in UTF-8."""
    position = exc.position
    if 0 <= position < len(text) and ord(text[position]) == exc.character:
        return line_at(text, position)
    return text.encode("utf-8", "surrogatepass")[:position].count(b"\n") + 1
