"""Lexing C/C++ source: comments and literals blanked, includes taken out.

:func:`blank_source` returns the text with every comment, string and
character literal replaced by spaces (same length, same line breaks, so
offsets and line numbers stay valid) and the ``#include`` header names
listed apart. Everything after it searches the blanked code, which is why
nothing inside a comment or a string literal is evidence; the literals'
positions are kept for inline assembly, whose text is the construct.
Preprocessor conditionals are not evaluated: code inside ``#if 0`` or
``#ifdef __HIP_PLATFORM_AMD__`` is scanned like any other code, because
it is still code someone maintains.

It is apart from the scanner because it is the one place that knows C++
token syntax (raw strings, digit separators, line splices). It stays fast
by lexing a file once with one regex whose callback runs per comment or
literal, never per identifier.
"""

from __future__ import annotations

import re

__all__ = ["Lexed", "blank_source"]

# One regex finds every comment, literal and include directive, whole; the
# callback runs once per such token, never per identifier. The loops are
# "unrolled" ([^*]* rather than (?:.|…)*) because that is what Python's
# regex engine runs fast. A character literal is at most a few characters
# long, so the ' of a digit separator (1'000'000) cannot swallow code up to
# a distant quote. Context checks (a raw string's prefix, a directive being
# first on its line) are made in the callback.
_TOKEN = re.compile(
    r"[/\"'R#](?:"
    r"(?<=/)/[^\n\\]*(?:\\(?:\r\n|[\s\S])[^\n\\]*)*"
    r"|(?<=/)\*[^*]*(?:\*+[^*/][^*]*)*(?P<block_end>\*+/)?"
    r'|(?<=R)"(?P<delim>[^ ()\\\t\v\f\r\n"]{0,16})\([\s\S]*?(?P<raw_end>\)(?P=delim)"|\Z)'
    r'|(?<=")[^"\\\n]*(?:\\(?:\r\n|[\s\S])[^"\\\n]*)*(?P<string_end>")?'
    r"|(?<=')(?:\\[^\n][^'\\\n]{0,8}|[^'\\\n]{1,4})'"
    r'|(?<=#)[ \t]*include(?:_next)?[ \t]*(?:<(?P<angled>[^>\n]*)>|"(?P<quoted>[^"\n]*)")'
    r")"
)
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_RAW_PREFIXES = frozenset({"", "u8", "u", "U", "L"})


class Lexed:
    """A source file with comments and literals blanked out.

    Attributes
    ----------
    code : str
        The text, same length and same line breaks, with every comment,
        string and character literal and every ``#include`` header name
        replaced by spaces.
    includes : list of (int, str)
        Offset and name of each ``#include`` header, as written.
    strings : list of (int, int)
        Start and end offsets of the string literals (for inline assembly).
    problems : list of (int, str)
        Offset and description of unterminated comments and literals.
    """

    __slots__ = ("code", "includes", "strings", "problems")

    def __init__(self, code: str, includes: list, strings: list, problems: list):
        self.code = code
        self.includes = includes
        self.strings = strings
        self.problems = problems


def blank_source(text: str) -> Lexed:
    """Blank the comments and literals of C/C++ source.

    Parameters
    ----------
    text : str
        Any text; it never raises.

    Returns
    -------
    Lexed
        An unterminated block comment or raw string runs to the end of the
        file; an unterminated ordinary string ends at the end of its line,
        as the C preprocessor ends it. Both are listed in ``problems``.
    """
    includes: list[tuple[int, str]] = []
    strings: list[tuple[int, int]] = []
    problems: list[tuple[int, str]] = []

    def replace(m: re.Match) -> str:
        start = m.start()
        token = m.group()
        first = token[0]
        if first == "#":
            return _include(m, text, includes)
        if first == "R":
            if _word_before(text, start) not in _RAW_PREFIXES:
                # An identifier ending in R before a string (FOOR"…"): blank
                # it as an ordinary string instead.
                return _blank_ordinary_after_r(m, text, strings, problems)
            strings.append((start, m.end()))
            if not m.group("raw_end"):
                problems.append((start, "unterminated raw string literal: it runs to the end of the file"))
            return "R" + _blank(token[1:])
        if first == '"':
            strings.append((start, m.end()))
            if m.group("string_end") is None:
                problems.append((start, "unterminated string literal: it ends at the end of its line"))
        elif first == "'":
            if start and text[start - 1] in _WORD_CHARS and _word_before(text, start) not in _RAW_PREFIXES:
                return token  # the quotes of digit separators: 1'000'000
        elif token[1] == "*" and m.group("block_end") is None:
            problems.append((start, "unterminated /* comment: it runs to the end of the file"))
        if "\n" not in token:
            return " " * len(token)
        return _blank(token)

    code = _TOKEN.sub(replace, text)
    if "__has_include" in code:
        code = _HAS_INCLUDE_ANGLED.sub(_blank_header_name, code)
    return Lexed(code, includes, strings, problems)


# ``__has_include(<nvml.h>)`` only asks whether a header exists; its name is
# a file name, not code (the quoted form is already blanked as a string).
_HAS_INCLUDE_ANGLED = re.compile(r"(__has_include(?:_next)?[ \t]*\([ \t]*<)([^>\n]*)>")


def _blank_header_name(m: re.Match) -> str:
    return m.group(1) + " " * len(m.group(2)) + ">"


def _blank(segment: str) -> str:
    if "\n" not in segment:
        return " " * len(segment)
    return "\n".join(" " * len(part) for part in segment.split("\n"))


def _blank_ordinary_after_r(m: re.Match, text: str, strings: list, problems: list) -> str:
    # Re-lex from the quote as an ordinary string; what follows it stays code.
    quote = m.start() + 1
    s = _TOKEN.match(text, quote)
    end = s.end() if s else quote + 1
    strings.append((quote, end))
    if s is None or s.group("string_end") is None:
        problems.append((quote, "unterminated string literal: it ends at the end of its line"))
    return "R" + _blank(text[quote:end]) + text[end : m.end()]


def _word_before(text: str, index: int) -> str:
    """The identifier characters just before ``index``, up to four of them."""
    start = index
    while start > 0 and index - start < 4 and text[start - 1] in _WORD_CHARS:
        start -= 1
    word = text[start:index]
    if start > 0 and text[start - 1] in _WORD_CHARS:
        return word + "…"  # longer than any literal prefix
    return word


def _include(m: re.Match, text: str, includes: list) -> str:
    line_start = text.rfind("\n", 0, m.start()) + 1
    if text[line_start : m.start()].strip():
        return m.group()  # not a directive: '#' is not first on its line
    group = "angled" if m.group("angled") is not None else "quoted"
    name_start, name_end = m.span(group)
    includes.append((name_start, m.group(group)))
    token = m.group()
    cut = name_start - m.start()
    return token[:cut] + " " * (name_end - name_start) + token[cut + name_end - name_start :]
