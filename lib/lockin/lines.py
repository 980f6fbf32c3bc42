"""One line-numbering rule for every reader: a line ends at ``\\n``.

Findings, problems, definitions and regions name lines as editors, ``grep
-n`` and ``wc -l`` count them: a line ends at ``\\n`` (``\\r\\n`` is one
break); a lone ``\\r``, a vertical tab, a form feed, ``\\x1c``-``\\x1e``,
NEL (``\\x85``) and the Unicode line and paragraph separators are ordinary
characters of a line. A file has :func:`line_count` lines, and no reader
names a line past that.

Some parsers count more breaks than that:

- :meth:`str.splitlines` breaks at all of them (pip reads requirements
  files that way, and the requirements and conda-list readers split as pip
  does, so that they read the same lines);
- YAML (PyYAML and libyaml) breaks at ``\\r``, NEL, U+2028 and U+2029 too;
- Python's parser and tokenizer break at a lone ``\\r`` too.

Readers keep the parser's meaning (what a line *holds* is the parser's
business) and translate only the numbers: :func:`line_map` maps each line
the parser counts to the ``\\n``-line it starts on, and :func:`counted_by`
wraps a reader so that every line of its result (and of the
:class:`~lockin.errors.InputError` it raises) is translated. Replacing the
extra breaks by a harmless character before parsing would have been
simpler, but changes what the file means (``a: 1<NEL>b: 2`` is two keys to
YAML, and ``x = 1<CR>import torch`` two statements to Python).

Files without extra breaks (nearly all) pay one search of the text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np

from lockin.errors import InputError, Problem
from lockin.records import Definition, Evidence, ReadResult, Region


class LineRule(NamedTuple):
    """How a parser counts lines.

    Attributes
    ----------
    name : str
        For messages and docs.
    breaks : re.Pattern
        Every line break the parser counts (``\\r\\n`` as one match).
    extra : re.Pattern
        The breaks it counts that do not end a ``\\n``-line: when ``text``
        has none, its lines and the parser's are the same.
    characters : str
        The characters it breaks at (``\\r`` followed by ``\\n`` is one break).
    """

    name: str
    breaks: re.Pattern[str]
    extra: re.Pattern[str]
    characters: str


#: :meth:`str.splitlines` (pip's requirements reader splits so).
SPLITLINES = LineRule(
    "str.splitlines",
    re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]"),
    re.compile(r"[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]|\r(?!\n)"),
    "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
)
#: YAML 1.1 as PyYAML and libyaml read it.
YAML = LineRule("YAML", re.compile(r"\r\n|[\r\n\x85\u2028\u2029]"), re.compile(r"[\x85\u2028\u2029]|\r(?!\n)"), "\n\r\x85\u2028\u2029")
#: Python's parser and tokenizer (universal newlines).
PYTHON = LineRule("Python", re.compile(r"\r\n?|\n"), re.compile(r"\r(?!\n)"), "\n\r")


def physical_lines(text: str) -> list[str]:
    """The ``\\n``-lines of ``text``, without their ``\\r\\n``'s ``\\r``:
    ``physical_lines(text)[n - 1]`` is line ``n``."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def line_count(text: str) -> int:
    """How many lines ``text`` has: its ``\\n`` count, plus one for a last
    line without a newline. No finding may name a line beyond it."""
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def line_at(text: str, offset: int) -> int:
    """The 1-based ``\\n``-line of a character offset in ``text``."""
    return text.count("\n", 0, max(0, offset)) + 1


def line_map(text: str, rule: LineRule) -> np.ndarray | None:
    """The ``\\n``-line each line ``rule`` counts starts on: ``mapping[k - 1]``
    for the parser's line ``k``; None when the two numberings agree.

    Vectorised over the text's code points: a hostile 8 MB file of line
    separators is mapped in a fraction of a second, one integer per break.
    """
    if "\r" not in text and text.isascii() and rule is not SPLITLINES:
        return None  # the common case, without a regex pass
    if not rule.extra.search(text):
        return None
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    newline = points == 10
    breaks = newline.copy()
    for character in rule.characters.replace("\n", ""):
        breaks |= points == ord(character)  # a few comparisons beat np.isin's sort
    breaks[:-1] &= ~((points[:-1] == 13) & newline[1:])  # \r\n breaks once, at its \n
    # Line k + 1 starts after the k-th break, on the line after the \n's up to it.
    newlines_so_far = np.cumsum(newline, dtype=np.int64)
    return np.concatenate(([1], newlines_so_far[np.flatnonzero(breaks)] + 1))


def mapped(mapping: np.ndarray, line: int | None) -> int | None:
    """``line`` as a parser counted it, as a ``\\n``-line (None stays None).

    A line past the parser's last (an end-of-file mark) is the last line.
    """
    if line is None or line < 1:
        return line
    return int(mapping[min(line, len(mapping)) - 1])


def renumber(result: ReadResult, mapping: np.ndarray) -> None:
    """Translate every line of ``result`` (see :func:`line_map`), in place."""
    result.evidence[:] = [Evidence(k, n, mapped(mapping, line), t, e, s) for k, n, line, t, e, s in result.evidence]
    result.problems[:] = [Problem(p.path, mapped(mapping, p.line), p.message) for p in result.problems]
    result.definitions[:] = [Definition(k, n, mapped(mapping, line), t) for k, n, line, t in result.definitions]
    result.regions[:] = [Region(k, mapped(mapping, s), mapped(mapping, e), v) for k, s, e, v in result.regions]


def counted_by(rule: LineRule, exact: tuple[type[InputError], ...] = ()) -> Callable:
    """Decorate a reader ``(text, path, …) -> ReadResult`` whose parser counts
    lines by ``rule``: its result, and the line of the InputError it raises,
    are translated to ``\\n``-lines.

    Parameters
    ----------
    rule : LineRule
    exact : tuple of InputError subclasses
        Errors that already name ``\\n``-lines (:mod:`lockin.yamlsafe` places
        its errors by character offset) and are passed on as they are.

    Only the reader a format registers is decorated: a decorated reader that
    called another would translate that one's lines twice.
    """

    def decorate(reader: Callable[..., ReadResult]) -> Callable[..., ReadResult]:
        @functools.wraps(reader)
        def read(text: str, path: str, *args, **kwargs) -> ReadResult:
            try:
                result = reader(text, path, *args, **kwargs)
            except InputError as exc:
                if not isinstance(exc, exact) and exc.problem.line is not None:
                    mapping = line_map(text, rule)
                    if mapping is not None:
                        exc.problem = Problem(exc.problem.path, mapped(mapping, exc.problem.line), exc.problem.message)
                        exc.args = (str(exc.problem),)
                raise
            mapping = line_map(text, rule)
            if mapping is not None:
                renumber(result, mapping)
            return result

        return read

    return decorate


def numbered_splitlines(text: str) -> Iterator[tuple[int, str]]:
    """``text.splitlines()``, each piece with the ``\\n``-line it is on.

    For readers that split as :meth:`str.splitlines` does (as pip does a
    requirements file), so that they read the same pieces and name true
    lines: two pieces a NEL separates are both on one line.
    """
    pieces = text.splitlines()
    mapping = line_map(text, SPLITLINES)
    return enumerate(pieces, start=1) if mapping is None else zip(mapping.tolist(), pieces)


def yaml_block_pieces(value: str, first: int) -> Iterator[tuple[int, str]]:
    """The ``\\n``-separated pieces of a YAML block scalar's value, each with
    the line YAML counts it on, the first on ``first``.

    YAML turns a block's ``\\r\\n``, ``\\r`` and NEL breaks into ``\\n`` but
    keeps U+2028 and U+2029 in the value, though its marks count them as
    breaks: a piece after one is that many YAML lines further down.
    """
    line = first
    for piece in value.split("\n"):
        yield line, piece
        line += 1 + piece.count("\u2028") + piece.count("\u2029")
