"""Reading Rust sources: ``use`` paths and vendor tools a program runs.

Two things tie Rust code to a GPU vendor without any C in sight: the crates
it uses (``use cudarc::driver::CudaDevice``) and the vendor command-line
tools it starts (``Command::new("nvidia-smi")``, as a server does to count
GPUs). A token scan that knows Rust's comments (nested block comments
included), strings, raw strings, byte strings, chars and lifetimes finds
both exactly; nothing is parsed in full, built or run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lockin.records import ReadResult

RUST = "rust"
TOOL = "tool"

_SIMPLE_TOKENS = re.compile(
    r"(?P<line_comment>//[^\n]*)"
    r'|(?P<string>b?"(?:\\.|[^"\\])*"?)'
    r"|(?P<char>b?'(?:\\.|[^'\\\n])')"
    r"|(?P<lifetime>'[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<number>[0-9][A-Za-z0-9_]*)"
    r"|(?P<path_sep>::)"
    r"|(?P<symbol>[^\sA-Za-z0-9_])",
    re.DOTALL,
)
_RAW_STRING_START = re.compile(r'b?r(#*)"')
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


class _Token:
    __slots__ = ("kind", "text", "line")

    def __init__(self, kind: str, text: str, line: int):
        self.kind, self.text, self.line = kind, text, line


def _tokens(text: str) -> Iterator[_Token]:
    """Rust tokens with their lines; comments are dropped, strings kept whole."""
    i, line, size = 0, 1, len(text)
    while i < size:
        char = text[i]
        if char.isspace():
            line += char == "\n"
            i += 1
            continue
        if text.startswith("/*", i):
            end = _block_comment_end(text, i)
            line += text.count("\n", i, end)
            i = end
            continue
        raw = _RAW_STRING_START.match(text, i) if char in "br" else None
        if raw:
            closing = '"' + raw.group(1)
            close = text.find(closing, raw.end())
            end = size if close < 0 else close + len(closing)
            yield _Token("raw_string", text[raw.end() : size if close < 0 else close], line)
            line += text.count("\n", i, end)
            i = end
            continue
        match = _SIMPLE_TOKENS.match(text, i)
        assert match is not None  # the last alternative takes any character
        value = match.group()
        if match.lastgroup != "line_comment":
            yield _Token(match.lastgroup or "", value, line)
        line += value.count("\n")
        i = match.end()


def _block_comment_end(text: str, start: int) -> int:
    """Where the block comment at ``start`` ends: Rust block comments nest."""
    depth, i = 0, start
    while i < len(text):
        if text.startswith("/*", i):
            depth += 1
            i += 2
        elif text.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return len(text)


def string_value(token: _Token) -> str | None:
    """The value of a string token (escapes resolved), None for other tokens."""
    if token.kind == "raw_string":
        return token.text
    if token.kind != "string" or len(token.text) < 2 or not token.text.endswith('"'):
        return None
    body = token.text[token.text.index('"') + 1 : -1]
    return _ESCAPE.sub(lambda m: {"n": "\n", "t": "\t", "\n": ""}.get(m.group(1), m.group(1)), body)


def scan_rust(text: str, path: str) -> ReadResult:
    """Read the ``use`` paths and started programs of one Rust source file.

    Returns
    -------
    ReadResult
        ``module`` evidence (ecosystem ``rust``) for every path a ``use``
        declaration brings in, groups expanded (``use cudarc::{driver::CudaDevice,
        nvrtc}`` gives ``cudarc::driver::CudaDevice`` and ``cudarc::nvrtc``),
        and for ``extern crate`` names; ``api`` evidence (ecosystem ``tool``)
        named after the program of each ``Command::new("…")`` whose argument
        is a string literal (``/usr/bin/nvidia-smi`` gives ``nvidia-smi``).
        A ``use`` never ended by ``;`` is a problem naming its line.
    """
    result = ReadResult()
    lines = text.split("\n")
    tokens = list(_tokens(text))
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "word" and token.text == "use" and _starts_item(tokens, i):
            i = _read_use(tokens, i + 1, result, path, lines)
            continue
        if token.kind == "word" and token.text == "extern" and _following(tokens, i, ("crate",)):
            name = tokens[i + 2] if i + 2 < len(tokens) else None
            if name is not None and name.kind == "word":
                result.add("module", name.text, name.line, lines[name.line - 1], RUST)
        if token.kind == "word" and token.text == "Command" and _following(tokens, i, ("::", "new", "(")):
            _read_command(tokens, i + 4, result, lines)
        i += 1
    return result


def _starts_item(tokens: list[_Token], i: int) -> bool:
    """Whether ``use`` at ``i`` begins a declaration (not ``r#use`` or a field named so)."""
    before = tokens[i - 1] if i else None
    return before is None or before.text in (";", "{", "}", "]", "pub", ")")


def _following(tokens: list[_Token], i: int, texts: tuple[str, ...]) -> bool:
    return all(i + k + 1 < len(tokens) and tokens[i + k + 1].text == text for k, text in enumerate(texts))


def _read_use(tokens: list[_Token], i: int, result: ReadResult, path: str, lines: list[str]) -> int:
    """Expand one use tree; returns the index after its ``;``."""
    start_line = tokens[i - 1].line
    stack: list[list[str]] = [[]]  # path prefixes of the open groups
    current: list[str] = []
    current_line = start_line
    skip_alias = False
    while i < len(tokens):
        token = tokens[i]
        text = token.text
        if text == ";":
            _emit(result, stack, current, current_line, lines)
            return i + 1
        if skip_alias:
            skip_alias = False
        elif text == "as":
            skip_alias = True
        elif text == "{":
            stack.append(_path(stack[-1], current))
            current = []
        elif text == ",":
            _emit(result, stack, current, current_line, lines)
            current = []
        elif text == "}":
            _emit(result, stack, current, current_line, lines)
            current = []
            if len(stack) > 1:
                stack.pop()
        elif token.kind == "word" or text == "*":
            if not current:
                current_line = token.line
            if text == "self" and not current and len(stack) > 1:
                # '{self, …}' names the group's own module.
                result.add("module", "::".join(stack[-1]), token.line, lines[token.line - 1], RUST)
            elif text != "*" and not (text == "self" and current):
                current.append(text)
        elif token.kind not in ("path_sep",):
            break  # not a use tree: stop without emitting
        i += 1
    result.problem(path, start_line, "'use' declaration never ended by ';'")
    return i


#: Segments of a use path kept (``a::b::…``): real paths have a handful, and
#: the catalog matches a crate and its first modules; without a bound, a
#: path of thousands of segments was copied once per name it imports.
MAX_USE_SEGMENTS = 32


def _path(prefix: list[str], current: list[str]) -> list[str]:
    return prefix[:MAX_USE_SEGMENTS] + current[: max(0, MAX_USE_SEGMENTS - len(prefix))]


def _emit(result: ReadResult, stack: list[list[str]], current: list[str], line: int, lines: list[str]) -> None:
    if current:
        result.add("module", "::".join(_path(stack[-1], current)), line, lines[line - 1], RUST)


def _read_command(tokens: list[_Token], i: int, result: ReadResult, lines: list[str]) -> None:
    """The program of ``Command::new(<string>)``: a vendor tool when the catalog knows it."""
    argument = tokens[i] if i < len(tokens) else None
    if argument is not None and argument.text == "&":
        argument = tokens[i + 1] if i + 1 < len(tokens) else None
    value = string_value(argument) if argument is not None else None
    if value:
        program = value.strip().rsplit("/", 1)[-1]
        if program:
            result.add("api", program, argument.line, lines[argument.line - 1], TOOL)
