"""Reading Go module files: ``go.mod`` and a vendor folder's ``modules.txt``.

``go.mod`` is line-oriented (the Go reference, "go.mod files"): directives
such as ``module``, ``go``, ``require``, ``replace`` either stand on one
line or open a ``( … )`` block with one entry per line, and ``//`` starts a
comment. That grammar is small enough to read exactly here, line by line,
so every requirement keeps its line; nothing is run (``go mod`` would
download modules).

``vendor/modules.txt`` is what ``go mod vendor`` writes beside the vendored
copies: a ``# <module> <version>`` line per vendored module, ``## …``
annotations and the module's package paths. The scan reads it as the list
of vendored modules instead of scanning the vendored code as the project's
own (see ``lockin.scan.discover``).
"""

from __future__ import annotations

import re

from lockin.records import ReadResult

#: Ecosystem of Go module evidence (docs/evidence-names.md).
GO = "go"

#: Directives that may open a block, and whether their entries name modules.
_MODULE_DIRECTIVES = frozenset({"require", "replace", "exclude"})
_OTHER_DIRECTIVES = frozenset({"module", "go", "toolchain", "retract", "godebug", "tool", "ignore"})

# A module path token: unquoted, or a Go interpreted or raw string.
_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|`[^`]*`|\S+')


def read_go_mod(text: str, path: str) -> ReadResult:
    """Read the requirements of a ``go.mod`` file.

    Parameters
    ----------
    text : str
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        ``package`` evidence (ecosystem ``go``, spec: the version) for each
        ``require`` entry and for each module a ``replace`` directive
        substitutes (a local folder as replacement is not a module). A line that
        is not a directive, or a block never closed, is a problem naming the
        line; the other lines are still read.
    """
    result = ReadResult()
    block: tuple[str, int] | None = None  # (directive, line where its block opened)
    for number, raw in enumerate(text.split("\n"), start=1):
        line = _without_comment(raw).strip()
        if not line:
            continue
        if block is not None:
            if line == ")":
                block = None
            else:
                _read_entry(result, path, block[0], line, number, raw)
            continue
        directive, _, rest = line.partition(" ")
        rest = rest.strip()
        if directive not in _MODULE_DIRECTIVES | _OTHER_DIRECTIVES:
            result.problem(path, number, f"unknown go.mod directive {directive!r}; the line is skipped")
            continue
        if directive == "module" and rest and rest != "(":
            # The project's own module path: its imports of its own packages are not evidence.
            result.define("package", _unquote(rest.split()[0]), number)
        if rest == "(":
            block = (directive, number)
        elif rest.startswith("(") and rest.endswith(")"):
            _read_entry(result, path, directive, rest[1:-1].strip(), number, raw)  # 'require ()'
        else:
            _read_entry(result, path, directive, rest, number, raw)
    if block is not None:
        result.problem(path, block[1], f"the {block[0]} block opened here is never closed with ')'")
    return result


def _read_entry(result: ReadResult, path: str, directive: str, entry: str, number: int, raw: str) -> None:
    """One entry of a directive, on its own line or inside its block."""
    if directive not in _MODULE_DIRECTIVES or not entry:
        return
    tokens = _tokens(entry)
    if directive == "replace":
        # 'old [version] => new [version]': the new module is what is built.
        if "=>" not in tokens:
            result.problem(path, number, "replace entry without '=>'; expected 'module [version] => replacement [version]'")
            return
        target = tokens[tokens.index("=>") + 1 :]
        if target and not _is_local_path(target[0]):
            result.add("package", target[0], number, raw, GO, target[1] if len(target) > 1 else "")
        return
    if len(tokens) < 2 and directive == "require":
        result.problem(path, number, f"require entry {entry!r} has no version; expected 'module version'")
        return
    if directive == "require":
        result.add("package", tokens[0], number, raw, GO, tokens[1])


def read_vendor_modules(text: str, path: str) -> ReadResult:
    """Read ``vendor/modules.txt``: the modules ``go mod vendor`` copied.

    Returns
    -------
    ReadResult
        ``package`` evidence (ecosystem ``go``) for each ``# module version``
        line; for a replaced module (``# old v => new v``) the replacement,
        unless it is a local folder.
    """
    result = ReadResult()
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line.startswith("# "):
            continue  # '## explicit' annotations and package paths
        tokens = line[2:].split()
        if "=>" in tokens:
            tokens = tokens[tokens.index("=>") + 1 :]
        if not tokens or _is_local_path(tokens[0]):
            continue
        result.add("package", tokens[0], number, raw, GO, tokens[1] if len(tokens) > 1 else "")
    return result


def _tokens(entry: str) -> list[str]:
    return [_unquote(token) for token in _TOKEN.findall(entry)]


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in '"`':
        return token[1:-1]
    return token


def _without_comment(line: str) -> str:
    """The line without its ``//`` comment (a ``//`` inside a quoted path stays)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in '"`':
            quote = char
        elif line.startswith("//", i):
            return line[:i]
    return line


def _is_local_path(target: str) -> bool:
    # The go.mod reference: a replacement path starting with ./ or ../ (or absolute) is a folder.
    return target.startswith(("./", "../", "/")) or target in (".", "..")
