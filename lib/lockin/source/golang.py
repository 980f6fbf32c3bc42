"""Reading Go sources: imports and the cgo preamble, not the whole language.

What binds a Go program to a GPU vendor is visible in two places at the top
of a file: the import paths (``github.com/NVIDIA/go-nvml/pkg/nvml``) and,
for cgo, the comment right above ``import "C"`` — a C preamble with
``#include <nvml.h>`` and ``#cgo LDFLAGS: -lnvidia-ml`` lines — plus the
``C.cuInit(…)`` calls into it; and the vendor tools it starts with
``exec.Command("nvidia-smi", …)``. A token scan that knows Go's comments,
strings and runes finds those exactly; the rest of the grammar is not
needed, so the file is never parsed in full (nor built or run).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lockin.records import ReadResult

GO = "go"

# Go's lexical elements that can hide an import-looking text: comments,
# interpreted and raw strings, runes. Everything else is a word or a symbol.
_TOKENS = re.compile(
    r"(?P<line_comment>//[^\n]*)"
    r"|(?P<block_comment>/\*.*?(?:\*/|\Z))"
    r'|(?P<string>"(?:\\.|[^"\\\n])*"?)'
    r"|(?P<raw>`[^`]*`?)"
    r"|(?P<rune>'(?:\\.|[^'\\\n])*'?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<number>[0-9][A-Za-z0-9_.]*)"
    r"|(?P<symbol>[^\sA-Za-z0-9_])",
    re.DOTALL,
)

# In the cgo preamble: includes and #cgo flag lines (the cgo command docs).
_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
_CGO_FLAGS = re.compile(r"^\s*#cgo\s+(?:[^:]*\s)?(?P<kind>LDFLAGS|CFLAGS|CPPFLAGS|CXXFLAGS|pkg-config)\s*:(?P<flags>.*)$")
_LIBRARY_FLAG = re.compile(r"(?:^|\s)-l\s*([A-Za-z0-9_.+-]+)")


class _Token:
    __slots__ = ("kind", "text", "line", "end_line")

    def __init__(self, kind: str, text: str, line: int, end_line: int):
        self.kind, self.text, self.line, self.end_line = kind, text, line, end_line


def _tokens(text: str) -> Iterator[_Token]:
    line = 1
    position = 0
    for match in _TOKENS.finditer(text):
        line += text.count("\n", position, match.start())
        value = match.group()
        end_line = line + value.count("\n")
        yield _Token(match.lastgroup or "", value, line, end_line)
        line, position = end_line, match.end()


def scan_go(text: str, path: str) -> ReadResult:
    """Read the imports and cgo preamble of one Go source file.

    Returns
    -------
    ReadResult
        ``module`` evidence (ecosystem ``go``) for each import path, at the
        line of its string; for a file that imports ``"C"``: ``include``
        evidence for the preamble's ``#include`` lines, ``build`` evidence
        ``link=<library>`` for each ``-l`` of a ``#cgo LDFLAGS`` line and
        ``api`` evidence for each ``C.<name>`` used in the code (ecosystem
        ``hip`` when the preamble includes a ``hip/`` header, else ``cuda``);
        ``api`` evidence (ecosystem ``tool``) named after the program of each
        ``exec.Command``/``exec.CommandContext`` whose program is a string
        literal or a name the file assigns one string to
        (``mpsControlBin = "nvidia-cuda-mps-control"``). An import string never closed is a problem naming its line.
    """
    result = ReadResult()
    lines = text.split("\n")
    tokens = [t for t in _tokens(text)]
    preamble: list[_Token] | None = None
    pending_comments: list[_Token] = []
    i, count = 0, len(tokens)
    in_imports = True
    uses_cgo = False
    while i < count:
        token = tokens[i]
        if token.kind in ("line_comment", "block_comment"):
            pending_comments = _grouped(pending_comments, token)
            i += 1
            continue
        if in_imports and token.kind == "word" and token.text == "import":
            comments, pending_comments = pending_comments, []
            i, imported_c = _read_import(tokens, i + 1, result, path, lines)
            uses_cgo = uses_cgo or imported_c
            if imported_c and comments and comments[-1].end_line >= token.line - 1:
                preamble = comments
            continue
        pending_comments = []
        if token.kind == "word" and token.text in ("func", "type", "var", "const"):
            in_imports = False  # imports come before every other declaration
        i += 1
    if uses_cgo:
        ecosystem = _read_preamble(preamble or [], result, lines)
        _read_c_uses(tokens, result, lines, ecosystem)
    _read_started_programs(tokens, result, lines)
    return result


def _grouped(comments: list[_Token], token: _Token) -> list[_Token]:
    """Comments that form one group with ``token`` (no blank line between)."""
    if comments and comments[-1].end_line >= token.line - 1:
        return [*comments, token]
    return [token]


def _read_import(tokens: list[_Token], i: int, result: ReadResult, path: str, lines: list[str]) -> tuple[int, bool]:
    """The import declaration starting after ``import``: (next index, whether it imports "C")."""
    imported_c = False
    grouped = i < len(tokens) and tokens[i].kind == "symbol" and tokens[i].text == "("
    if grouped:
        i += 1
    while i < len(tokens):
        token = tokens[i]
        if token.kind in ("line_comment", "block_comment"):
            i += 1
            continue
        if grouped and token.kind == "symbol" and token.text == ")":
            return i + 1, imported_c
        if token.kind in ("string", "raw"):
            import_path = _string_value(token)
            if import_path is None:
                result.problem(path, token.line, "import path string is never closed")
            elif import_path == "C":
                imported_c = True
            elif import_path:
                result.add("module", import_path, token.line, lines[token.line - 1], GO)
            if not grouped:
                return i + 1, imported_c
        elif token.kind == "symbol" and token.text == ";":
            if not grouped:
                return i + 1, imported_c
        elif not (token.kind == "word" or (token.kind == "symbol" and token.text in "._")):
            return i, imported_c  # not an import spec: let the caller go on from here
        i += 1
    return i, imported_c


def _string_value(token: _Token) -> str | None:
    text = token.text
    closing = "`" if token.kind == "raw" else '"'
    if len(text) < 2 or not text.endswith(closing):
        return None
    return text[1:-1]


def _read_preamble(comments: list[_Token], result: ReadResult, lines: list[str]) -> str:
    """Includes and link flags of the cgo preamble; returns the dialect of its C."""
    found: list[tuple[str, str, int]] = []
    for comment in comments:
        for offset, line in enumerate(_comment_lines(comment)):
            number = comment.line + offset
            include = _INCLUDE.match(line)
            if include:
                found.append(("include", include.group(1).strip(), number))
                continue
            flags = _CGO_FLAGS.match(line)
            if flags and flags.group("kind") == "LDFLAGS":
                for library in _LIBRARY_FLAG.findall(flags.group("flags")):
                    found.append(("build", f"link={library}", number))
    ecosystem = "hip" if any(kind == "include" and name.startswith("hip/") for kind, name, _ in found) else "cuda"
    for kind, name, number in found:
        result.add(kind, name, number, lines[number - 1], "cgo" if kind == "build" else ecosystem)
    return ecosystem


def _comment_lines(comment: _Token) -> list[str]:
    text = comment.text
    if comment.kind == "line_comment":
        return [text[2:]]
    body = text[2:-2] if text.endswith("*/") else text[2:]
    return body.split("\n")


def _read_c_uses(tokens: list[_Token], result: ReadResult, lines: list[str], ecosystem: str) -> None:
    """``C.name`` selectors: the Go code calling into the preamble's C API."""
    for first, dot, name in zip(tokens, tokens[1:], tokens[2:]):
        if first.kind == "word" and first.text == "C" and dot.text == "." and name.kind == "word" and dot.line == name.line:
            result.add("api", name.text, name.line, lines[name.line - 1], ecosystem)


def _read_started_programs(tokens: list[_Token], result: ReadResult, lines: list[str]) -> None:
    """The programs ``exec.Command(…)`` and ``exec.CommandContext(ctx, …)`` start."""
    constants = _string_constants(tokens)
    for i in range(len(tokens) - 4):
        first, dot, name, paren = tokens[i : i + 4]
        if not (first.text == "exec" and dot.text == "." and name.text in ("Command", "CommandContext") and paren.text == "("):
            continue
        argument = _argument(tokens, i + 4, 1 if name.text == "CommandContext" else 0)
        if argument is None:
            continue
        program = _string_value(argument) if argument.kind in ("string", "raw") else constants.get(argument.text)
        if program:
            result.add("api", program.rsplit("/", 1)[-1], argument.line, lines[argument.line - 1], "tool")


def _argument(tokens: list[_Token], start: int, position: int) -> _Token | None:
    """The first token of the ``position``-th argument of a call whose arguments start at ``start``."""
    depth, index = 0, 0
    for i in range(start, len(tokens)):
        token = tokens[i]
        if token.kind in ("line_comment", "block_comment"):
            continue
        if index == position and depth == 0:
            return token
        if token.text in "([{":
            depth += 1
        elif token.text in ")]}":
            if depth == 0:
                return None
            depth -= 1
        elif token.text == "," and depth == 0:
            index += 1
    return None


def _string_constants(tokens: list[_Token]) -> dict[str, str]:
    """Names the file sets to one string (``name = "…"``, ``name := "…"``): a
    program is often named once as a constant and started elsewhere."""
    values: dict[str, set[str]] = {}
    for name, equals, value in zip(tokens, tokens[1:], tokens[2:]):
        if name.kind == "word" and equals.text == "=" and value.kind in ("string", "raw"):
            text = _string_value(value)
            if text is not None:
                values.setdefault(name.text, set()).add(text)
    for name, colon, equals, value in zip(tokens, tokens[1:], tokens[2:], tokens[3:]):  # ':=' is two symbols
        if name.kind == "word" and colon.text == ":" and equals.text == "=" and value.kind in ("string", "raw"):
            text = _string_value(value)
            if text is not None:
                values.setdefault(name.text, set()).add(text)
    return {name: next(iter(texts)) for name, texts in values.items() if len(texts) == 1}
