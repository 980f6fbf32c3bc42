"""Shell words with their lines: the lexer for ``RUN`` lines and job scripts.

:func:`split_shell_words` splits text the way a POSIX shell does (quotes,
escapes, ``$(…)``, operators, comments) and keeps each word's offset and
physical line; :func:`split_commands` cuts the words into simple
commands. :class:`SourceText` is the text they work on: a logical line
joined from continuation lines, which maps every offset back to the line
it came from, so evidence on the third continuation line of a ``RUN``
carries that line.

It is apart from the Dockerfile reader because the Slurm reader splits
batch scripts with it too, and shell syntax is the same in both; the
CMake and setup.py readers number lines with :func:`physical_lines`.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from lockin.lines import physical_lines  # the one line rule, for the readers that import it from here

__all__ = [
    "physical_lines",
    "SourceText",
    "ShellWord",
    "ShellSyntaxError",
    "split_shell_words",
    "split_commands",
    "CommandLine",
    "command_line",
]

# ---------------------------------------------------------------------------
# Text with positions: a logical line made of physical lines
# ---------------------------------------------------------------------------


@dataclass
class SourceText:
    """A piece of text assembled from parts of physical lines.

    ``text`` is what a shell (or the Dockerfile builder) sees after line
    continuations are joined; :meth:`line_at` maps an offset in it back to
    the 1-based physical line it came from.
    """

    text: str = ""
    _starts: list[int] = field(default_factory=list)
    _lines: list[int] = field(default_factory=list)

    def append(self, piece: str, line: int) -> None:
        self._starts.append(len(self.text))
        self._lines.append(line)
        self.text += piece

    def line_at(self, offset: int) -> int:
        index = bisect.bisect_right(self._starts, offset) - 1
        return self._lines[max(index, 0)] if self._lines else 1

    @classmethod
    def single(cls, piece: str, line: int) -> SourceText:
        source = cls()
        source.append(piece, line)
        return source


# ---------------------------------------------------------------------------
# Shell words
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShellWord:
    """One shell word with quotes removed, or an operator (``op``)."""

    text: str
    offset: int
    line: int
    op: bool = False


class ShellSyntaxError(ValueError):
    """A quote or substitution that is never closed."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


# Longest first, so '&&' wins over '&'.
_OPERATORS = ("<<<", "<<-", "&&", "||", ";;", "|&", "<<", ">>", ">&", "<&", "&>", ">|", "<>", ";", "|", "&", "(", ")", "<", ">")
_COMMAND_SEPARATORS = frozenset({"&&", "||", ";;", "|&", ";", "|", "&", "(", ")", "\n"})
_BLANKS = " \t\r\f\v"


def split_shell_words(source: SourceText, start: int = 0, end: int | None = None, shell: bool = True) -> list[ShellWord]:
    """Split text into words the way a POSIX shell does, keeping positions.

    :mod:`shlex` is not used because it reports no positions (exact lines
    are needed for every word) and it starts a comment at a ``#`` inside a
    word, where a shell does not (``git+https://…#egg=x``).

    Parameters
    ----------
    source : SourceText
    start, end : int
        The slice of ``source.text`` to split.
    shell : bool
        True for shell command lines: operators (``&&``, ``|``, ``;``,
        redirections) become ``op`` words, newlines separate commands and
        ``#`` at the start of a word begins a comment. False for the word
        splitting of Dockerfile ``ENV``/``ARG``/``FROM`` arguments: only
        blanks separate words.

    Raises
    ------
    ShellSyntaxError
        For a quote, ``$(``, ``${`` or backquote that is not closed.
    """
    text = source.text
    stop = len(text) if end is None else end
    words: list[ShellWord] = []
    i = start
    while i < stop:
        char = text[i]
        if char in _BLANKS or (char == "\n" and not shell):
            i += 1
            continue
        if char == "\\" and text.startswith("\\\n", i):
            i += 2
            continue
        if shell and char == "\n":
            words.append(ShellWord("\n", i, source.line_at(i), op=True))
            i += 1
            continue
        if shell and char == "#":
            newline = text.find("\n", i, stop)
            i = stop if newline < 0 else newline
            continue
        operator = next((o for o in _OPERATORS if text.startswith(o, i)), None) if shell else None
        if operator:
            words.append(ShellWord(operator, i, source.line_at(i), op=True))
            i += len(operator)
            continue
        value, after = _read_word(text, i, stop, shell)
        words.append(ShellWord(value, i, source.line_at(i)))
        i = after
    return words


@functools.lru_cache(maxsize=16)
def _last_of(text: str, char: str, stop: int) -> int:
    """Where ``char`` last occurs before ``stop``: a quote after it is never
    closed, known without searching the rest of the text again for each of
    many unclosed quotes (which made such a file quadratic). Strings cache
    their hash, so the lookup costs the text's length once."""
    return text.rfind(char, 0, stop)


def _read_word(text: str, i: int, stop: int, shell: bool) -> tuple[str, int]:
    """One unquoted word starting at ``i``: its value and where it ends."""
    parts: list[str] = []
    while i < stop:
        char = text[i]
        if char in _BLANKS or char == "\n" or (shell and char in ";&|()<>"):
            break
        if char == "\\":
            if i + 1 < stop and text[i + 1] != "\n":
                parts.append(text[i + 1])
            i += 2
        elif char == "'":
            close = text.find("'", i + 1, stop) if _last_of(text, "'", stop) > i else -1
            if close < 0:
                raise ShellSyntaxError("a single quote is never closed", i)
            parts.append(text[i + 1 : close])
            i = close + 1
        elif char == '"':
            value, i = _read_double_quoted(text, i, stop)
            parts.append(value)
        elif char == "$" and i + 1 < stop and text[i + 1] in "({":
            close = _matching(text, i + 1, stop)
            parts.append(text[i : close + 1])
            i = close + 1
        elif char == "`" and shell:
            close = text.find("`", i + 1, stop) if _last_of(text, "`", stop) > i else -1
            if close < 0:
                raise ShellSyntaxError("a backquote is never closed", i)
            parts.append(text[i : close + 1])
            i = close + 1
        else:
            parts.append(char)
            i += 1
    return "".join(parts), i


def _read_double_quoted(text: str, i: int, stop: int) -> tuple[str, int]:
    parts: list[str] = []
    j = i + 1
    while j < stop:
        char = text[j]
        if char == '"':
            return "".join(parts), j + 1
        if char == "\\" and j + 1 < stop and text[j + 1] in '$`"\\\n':
            if text[j + 1] != "\n":
                parts.append(text[j + 1])
            j += 2
            continue
        if char == "$" and j + 1 < stop and text[j + 1] in "({":
            close = _matching(text, j + 1, stop)
            parts.append(text[j : close + 1])
            j = close + 1
            continue
        parts.append(char)
        j += 1
    raise ShellSyntaxError("a double quote is never closed", i)


def _matching(text: str, open_at: int, stop: int) -> int:
    """Offset of the bracket closing the one at ``open_at`` (nesting counted)."""
    opening = text[open_at]
    closing = ")" if opening == "(" else "}"
    depth = 0
    for j in range(open_at, stop):
        if text[j] == opening:
            depth += 1
        elif text[j] == closing:
            depth -= 1
            if depth == 0:
                return j
    raise ShellSyntaxError(f"'${opening}' is never closed", open_at - 1)


def split_commands(words: Sequence[ShellWord]) -> list[list[ShellWord]]:
    """Simple commands: words between ``&&``, ``;``, ``|``, newlines …,
    with redirections (``> file``, ``2>&1``, ``<<EOF``) taken out."""
    commands: list[list[ShellWord]] = [[]]
    skip_next = False
    for word in words:
        if skip_next and not word.op:
            skip_next = False
            continue
        skip_next = False
        if word.op and word.text in _COMMAND_SEPARATORS:
            commands.append([])
        elif word.op:
            current = commands[-1]
            # '2>&1': the descriptor number touches the operator.
            if current and current[-1].text.isdigit() and current[-1].offset + len(current[-1].text) == word.offset:
                current.pop()
            skip_next = True
        else:
            commands[-1].append(word)
    return [c for c in commands if c]


# ---------------------------------------------------------------------------
# Command lines of a script: what the shell reads before it runs anything
# ---------------------------------------------------------------------------

#: How many physical lines one command line may span before an open quote is
#: taken for a mistake rather than a long string (bounds the re-lexing).
MAX_COMMAND_LINES = 500


@dataclass
class CommandLine:
    """One command line of a script, as the shell reads it before running it.

    ``words`` is None when the line cannot be split; ``error`` then says
    why and ``error_line`` where the open quote or substitution began.
    ``next_index`` is the index of the first physical line after it (and
    after the bodies of its heredocs).
    """

    source: SourceText
    words: list[ShellWord] | None
    next_index: int
    error: str = ""
    error_line: int = 0


def command_line(lines: Sequence[str], index: int) -> CommandLine:
    """The command line starting at ``lines[index]`` (0-based).

    A shell keeps reading lines while a quote, ``$(`` or backquote is open
    or a line ends with ``\\`` (a string may span many lines); the bodies of
    ``<<EOF`` heredocs that follow are data for the command and are skipped.

    Parameters
    ----------
    lines : sequence of str
        The script's physical lines (:func:`physical_lines`).
    index : int
        Where the command line starts.

    Returns
    -------
    CommandLine
        On an error (a quote never closed), ``next_index`` is the line after
        ``index``, so the rest of the script is still read.
    """
    source = SourceText()
    end = index
    while True:
        source.append(lines[end] + "\n", end + 1)
        end += 1
        if lines[end - 1].endswith("\\") and end < len(lines):
            continue
        try:
            words = split_shell_words(source)
        except ShellSyntaxError as exc:
            # A string or substitution spanning lines: read on to the next line
            # that can close it. Splitting again at every line would read a long
            # unclosed line once per line that follows (quadratic).
            closing = _next_closing_line(lines, end, min(len(lines), index + MAX_COMMAND_LINES), _closer(source.text, exc.offset))
            if closing is not None:
                for skipped in range(end, closing):
                    source.append(lines[skipped] + "\n", skipped + 1)
                end = closing
                continue
            return CommandLine(source, None, index + 1, str(exc), source.line_at(exc.offset))
        return CommandLine(source, words, _after_heredocs(lines, words, end))


def _closer(text: str, offset: int) -> str:
    """The character that closes what opens at ``offset`` (a quote, ``$(``, ``${``)."""
    opening = text[offset : offset + 2]
    if opening in ("$(", "${"):
        return ")" if opening == "$(" else "}"
    return text[offset] if offset < len(text) else "'"


def _next_closing_line(lines: Sequence[str], start: int, stop: int, closer: str) -> int | None:
    """The first of ``lines[start:stop]`` holding ``closer`` (None when none does)."""
    return next((i for i in range(start, stop) if closer in lines[i]), None)


def _after_heredocs(lines: Sequence[str], words: Sequence[ShellWord], index: int) -> int:
    """The index after the bodies of the line's ``<<WORD`` heredocs (in order)."""
    for position, word in enumerate(words[:-1]):
        if not (word.op and word.text in ("<<", "<<-")):
            continue
        delimiter = words[position + 1].text
        while index < len(lines):
            body_line = lines[index].lstrip("\t") if word.text == "<<-" else lines[index]
            index += 1
            if body_line == delimiter:
                break
    return index
