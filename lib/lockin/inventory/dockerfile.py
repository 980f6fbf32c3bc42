"""Reading Dockerfiles (and Containerfiles) without running them.

The instructions are parsed here, following the Dockerfile reference:
parser directives (``# escape=``), line continuations, comment lines
inside continuations, heredocs, the JSON (exec) form, case-insensitive
keywords. The evidence is

* ``FROM`` (and ``COPY --from=``) images, with ``ARG`` defaults
  substituted the way the builder does;
* every ``ENV`` and ``ARG`` variable (the catalog decides which matter),
  plus architecture lists such as ``TORCH_CUDA_ARCH_LIST``;
* what ``RUN`` commands do: GPU compilers, architecture flags, CMake
  GPU variables, and ``apt``/``dnf``/``pip``/``conda`` installs.

Each piece of evidence carries the physical line its word is on, so a
package on the third continuation line of a ``RUN`` gets that line.

The shell lexer for ``RUN`` lines (:mod:`lockin.inventory.shell`), the
GPU architecture helpers (:mod:`lockin.inventory.gpuarch`) and the image
reference normaliser (:mod:`lockin.inventory.images`) are modules of their
own, shared with the other platform readers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lockin.inventory.gpuarch import ARCH_LIST_VARIABLES, arch_list_values
from lockin.inventory.images import normalise_image
from lockin.inventory.shell import ShellSyntaxError, ShellWord, SourceText, physical_lines, split_commands, split_shell_words
from lockin.inventory.shellscript import SHELLS, CommandReader, program_of
from lockin.records import ReadResult
from lockin.redact import redact_value

DOCKER = "docker"

# ---------------------------------------------------------------------------
# The Dockerfile reader
# ---------------------------------------------------------------------------

# The value's trailing blanks are stripped after the match: a lazy '(.*?)\s*$'
# tried the blanks to the end from every blank inside the value (quadratic).
_DIRECTIVE = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*)$")
_INSTRUCTION = re.compile(r"\s*([A-Za-z]+)(?=\s|$)")
_HEREDOC = re.compile(r"(?<!<)<<(-?)\s*([\"']?)([A-Za-z0-9_.-]+)\2")

KNOWN_INSTRUCTIONS = frozenset(
    "ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD RUN SHELL STOPSIGNAL USER VOLUME WORKDIR".split()
)

_RUN_FLAG = re.compile(r"\s*--[A-Za-z-]+=\S*")


@dataclass
class Instruction:
    """One Dockerfile instruction after continuations are joined."""

    keyword: str
    source: SourceText
    args_start: int
    line: int
    heredocs: list[SourceText] = field(default_factory=list)


def read_dockerfile(text: str, path: str) -> ReadResult:
    """Read a Dockerfile.

    Parameters
    ----------
    text : str
        The Dockerfile.
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        ``image`` evidence for base images (ecosystem ``docker``), ``env``
        for every ``ENV``/``ARG``, ``build`` for compilers, architectures and
        CMake GPU variables in ``RUN``, ``package``/``index`` for installs.
        Unknown instructions, unterminated continuations or heredocs and
        shell quoting errors are problems; the rest is still read.
    """
    result = ReadResult()
    reader = _DockerfileReader(result, path, physical_lines(text))
    for instruction in _instructions(reader):
        reader.handle(instruction)
    return result


def _instructions(reader: _DockerfileReader) -> Iterator[Instruction]:
    lines = reader.lines
    escape = "\\"
    directives_allowed = True
    index = 0
    while index < len(lines):
        raw = lines[index]
        if directives_allowed:
            directive = _DIRECTIVE.match(raw)
            if directive:
                escape = _apply_directive(reader, index + 1, directive.group(1), directive.group(2).rstrip(), escape)
                index += 1
                continue
            directives_allowed = False
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        source, index = _join_continuations(reader, index, escape)
        instruction = _instruction(reader, source)
        if instruction is None:
            continue
        if instruction.keyword in ("RUN", "COPY", "ADD"):
            index = _collect_heredocs(reader, instruction, index)
        yield instruction


def _apply_directive(reader: _DockerfileReader, line: int, key: str, value: str, escape: str) -> str:
    if key.lower() != "escape":
        return escape
    if value in ("\\", "`"):
        return value
    reader.result.problem(reader.path, line, f"escape directive must be '\\' or '`', not {value!r}")
    return escape


def _join_continuations(reader: _DockerfileReader, index: int, escape: str) -> tuple[SourceText, int]:
    """One instruction's text; comment and blank lines inside are dropped
    (the builder does the same). Returns the index after its last line."""
    lines = reader.lines
    source = SourceText()
    piece = lines[index]
    line = index + 1
    while True:
        body = piece.rstrip()
        continued = body.endswith(escape)
        source.append(body[:-1] if continued else piece, line)
        index += 1
        if not continued:
            return source, index
        while index < len(lines) and (not lines[index].strip() or lines[index].lstrip().startswith("#")):
            index += 1
        if index >= len(lines):
            reader.result.problem(
                reader.path,
                line,
                f"line continuation '{escape}' at the end of the file: the instruction is not finished",
            )
            return source, index
        piece, line = lines[index], index + 1


def _instruction(reader: _DockerfileReader, source: SourceText) -> Instruction | None:
    line = source.line_at(0)
    match = _INSTRUCTION.match(source.text)
    if not match:
        reader.result.problem(reader.path, line, f"expected a Dockerfile instruction, found {source.text.strip()[:40]!r}")
        return None
    keyword = match.group(1).upper()
    if keyword not in KNOWN_INSTRUCTIONS:
        reader.result.problem(reader.path, line, f"unknown Dockerfile instruction {match.group(1)!r}")
        return None
    return Instruction(keyword, source, match.end(), line)


def _collect_heredocs(reader: _DockerfileReader, instruction: Instruction, index: int) -> int:
    """Take the bodies of ``<<EOF`` heredocs off the following lines."""
    lines = reader.lines
    args = instruction.source.text[instruction.args_start :]
    for match in _HEREDOC.finditer(args):
        strip_tabs, delimiter = match.group(1) == "-", match.group(3)
        body = SourceText()
        while index < len(lines):
            candidate = lines[index].lstrip("\t") if strip_tabs else lines[index]
            index += 1
            if candidate == delimiter:
                break
            body.append(lines[index - 1] + "\n", index)
        else:
            reader.result.problem(reader.path, instruction.line, f"heredoc '<<{delimiter}' is never closed by a line '{delimiter}'")
        instruction.heredocs.append(body)
    return index


class _DockerfileReader(CommandReader):
    """State across instructions: build arguments, stages, the result;
    ``RUN`` commands are read as every shell command is (:class:`CommandReader`)."""

    def __init__(self, result: ReadResult, path: str, lines: list[str]):
        super().__init__(result, path, lines, DOCKER, context="RUN: ")
        self.global_args: dict[str, str | None] = {}
        self.stage_vars: dict[str, str | None] = {}
        self.stages: set[str] = set()
        self.in_stage = False

    def command_variables(self) -> dict[str, str | None]:
        # The builder hands a RUN the stage's ARG and ENV values.
        return self.stage_vars

    # -- dispatch ------------------------------------------------------------

    def handle(self, instruction: Instruction) -> None:
        handler = getattr(self, f"_on_{instruction.keyword.lower()}", None)
        if handler is not None:
            handler(instruction)

    def _words(self, instruction: Instruction, shell: bool = False) -> list[ShellWord] | None:
        try:
            return split_shell_words(instruction.source, instruction.args_start, shell=shell)
        except ShellSyntaxError as exc:
            self.problem(instruction.source.line_at(exc.offset), f"{instruction.keyword}: {exc}")
            return None

    def _on_from(self, instruction: Instruction) -> None:
        words = [w for w in self._words(instruction) or [] if not w.text.startswith("--")]
        self.in_stage = True
        self.stage_vars = {}
        if not words:
            self.problem(instruction.line, "FROM names no image")
            return
        image = words[0]
        reference = self.substitute(image.text, self.global_args, image.line, report=True)
        self._add_image(reference, image.line)
        if len(words) >= 3 and words[1].text.lower() == "as":
            self.stages.add(words[2].text.lower())

    def _add_image(self, reference: str, line: int) -> None:
        if not reference or reference.lower() == "scratch" or reference.lower() in self.stages:
            return
        name, tag = normalise_image(reference)
        self.add("image", name, line, DOCKER, tag)

    def _on_copy(self, instruction: Instruction) -> None:
        for word in self._words(instruction) or []:
            if word.text.startswith("--from="):
                source = word.text.split("=", 1)[1]
                if not source.isdigit():
                    self._add_image(self.substitute(source, self.global_args, word.line), word.line)

    def _on_arg(self, instruction: Instruction) -> None:
        previous = ""
        for word in self._words(instruction) or []:
            if word.text.startswith("#") and previous:
                # Only a line starting with '#' is a comment; the builder takes
                # 'ARG X=1 # note' as X and inert words after it, so it builds.
                break
            name, has_default, default = word.text.partition("=")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                # After 'ARG TOKEN=abc', a blank makes the rest a word of its own: shown as TOKEN's value is.
                self.problem(word.line, f"ARG: {redact_value(previous, name)!r} is not a variable name")
                continue
            previous = name
            scope = self.stage_vars if self.in_stage else self.global_args
            if has_default:
                value: str | None = self.substitute(default, {**self.global_args, **scope}, word.line)
            else:
                value = self.global_args.get(name) if self.in_stage else None
            scope[name] = value
            self._add_variable(name, value or "", word.line)

    def _on_env(self, instruction: Instruction) -> None:
        words = self._words(instruction)
        if not words:
            if words is not None:
                self.problem(instruction.line, "ENV sets no variable")
            return
        if "=" not in words[0].text:
            # Legacy form 'ENV NAME value with spaces': the rest of the line.
            rest = instruction.source.text[words[0].offset + len(words[0].text) :].strip()
            pairs = [(words[0], words[0].text, rest)]
        else:
            pairs = []
            previous = ""
            for word in words:
                name, has_value, value = word.text.partition("=")
                if not has_value or not name:
                    # 'ENV API_KEY= value' leaves the value a word of its own: shown as API_KEY's value is.
                    self.problem(word.line, f"ENV: expected NAME=value, found {redact_value(previous, word.text)!r}")
                    continue
                previous = name
                pairs.append((word, name, value))
        for word, name, value in pairs:
            value = self.substitute(value, {**self.global_args, **self.stage_vars}, word.line)
            self.stage_vars[name] = value
            self._add_variable(name, value, word.line)

    def _add_variable(self, name: str, value: str, line: int) -> None:
        self.add("env", name, line, DOCKER, value)
        kind = ARCH_LIST_VARIABLES.get(name.upper())
        if kind:
            for arch in arch_list_values(kind, value):
                self.add("build", f"arch={arch}", line, DOCKER, arch)

    def _on_run(self, instruction: Instruction) -> None:
        source = instruction.source
        start = instruction.args_start
        # Leading '--mount=…', '--network=…' flags belong to the builder.
        while True:
            flag = _RUN_FLAG.match(source.text, start)
            if not flag:
                break
            start = flag.end()
        exec_words = _exec_form(source, start)
        if exec_words is not None:
            self.analyse_command(exec_words, depth=0)
            return
        try:
            words = split_shell_words(source, start)
        except ShellSyntaxError as exc:
            self.problem(source.line_at(exc.offset), f"RUN: {exc}")
            return
        commands = split_commands(words)
        for command in commands:
            self.analyse_command(command, depth=0)
        if instruction.heredocs and _heredoc_is_script(commands):
            for body in instruction.heredocs:
                self.analyse_script(body)

    def analyse_script(self, body: SourceText) -> None:
        try:
            words = split_shell_words(body)
        except ShellSyntaxError as exc:
            self.problem(body.line_at(exc.offset), f"RUN heredoc: {exc}")
            return
        for command in split_commands(words):
            self.analyse_command(command, depth=0)

    # -- RUN commands --------------------------------------------------------

# ---------------------------------------------------------------------------
# RUN helpers
# ---------------------------------------------------------------------------
def _exec_form(source: SourceText, start: int) -> list[ShellWord] | None:
    """The words of a JSON-array RUN (``RUN ["nvcc", "-arch=sm_80"]``)."""
    text = source.text[start:].strip()
    if not text.startswith("["):
        return None
    try:
        items = json.loads(text)
    except ValueError:
        return None  # the builder runs it as a shell command then
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return None
    words = []
    cursor = start
    for item in items:
        encoded = json.dumps(item)
        found = source.text.find(encoded, cursor)
        offset = found if found >= 0 else cursor
        cursor = offset + (len(encoded) if found >= 0 else 0)
        words.append(ShellWord(item, offset, source.line_at(offset)))
    return words


def _heredoc_is_script(commands: Iterable[list[ShellWord]]) -> bool:
    """Whether a RUN's heredoc is a shell script (``RUN <<EOF`` or ``RUN bash <<EOF``),
    not data for another program (``RUN python3 <<EOF``)."""
    for command in commands:
        program = program_of(command)
        if program is not None and program[1] not in SHELLS:
            return False
    return True
