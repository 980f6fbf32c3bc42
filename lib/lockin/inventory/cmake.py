"""Reading CMake files (``CMakeLists.txt``, ``*.cmake``) without running CMake.

A small tokenizer follows the CMake language reference: a command is
``name(arguments)`` and may span lines; arguments are quoted
(``"…"``), bracket (``[==[…]==]``) or unquoted (nested parentheses
allowed); comments are ``#`` to the end of the line or bracket comments
``#[[…]]``. Nothing is evaluated: variables stay as written.

The evidence (per docs/evidence-names.md, ecosystem ``cmake``):
``cmake:language=CUDA`` (``enable_language``, ``project(… LANGUAGES …)``,
``LANGUAGE`` source properties), ``cmake:find_package=<Name>`` for every
``find_package``, ``cmake:var=<NAME>`` for CMake's and the toolkits' GPU variables set with
``set``/``list(APPEND)``/``string(APPEND)``/``option``,
``cmake:target=<ns::name>`` for imported targets linked,
``cmake:command=<name>`` for the FindCUDA/FindHIP commands
(``cuda_add_library``, ``hip_add_executable`` …) and ``arch=<name>``
for architectures in ``*_ARCHITECTURES`` values and compiler flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lockin.inventory.gpuarch import ARCH_LIST_VARIABLES, arch_flag_values, arch_list_values, is_gpu_variable
from lockin.inventory.shell import physical_lines
from lockin.records import InputError, ReadResult

CMAKE = "cmake"

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACKET_OPEN = re.compile(r"\[(=*)\[")
# Anchored at the start of a run of name characters (the lookbehind), so a
# long run without "::" is passed over once, not once per position.
_IMPORTED_TARGET = re.compile(r"(?<![A-Za-z0-9_.+-])[A-Za-z0-9_.+-]+::[A-Za-z_][A-Za-z0-9_.+-]*")
_NAME_START = re.compile(r"[A-Za-z_]")
_VERSION = re.compile(r"\d+(\.\d+)*")
_PROJECT_KEYWORDS = frozenset({"VERSION", "DESCRIPTION", "HOMEPAGE_URL", "LANGUAGES"})
_OPEN_PAREN = re.compile(r"[ \t]*\(")
_VENDOR_COMMAND_PREFIXES = ("cuda_", "hip_", "rocm_")
# CMake's and the toolkits' own variables lead with the language or vendor
# word (CMAKE_CUDA_ARCHITECTURES, CUDA_NVCC_FLAGS, CUDAToolkit_ROOT,
# HIP_PLATFORM, ROCM_PATH); a project's own switches and lists put their
# own word first (GGML_SOURCES_CUDA, BUILD_CUDA, USE_HIP).
_TOOLKIT_VARIABLE = re.compile(r"(?:CMAKE_)?(?:CUDA|HIP|ROCM)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Argument:
    """One command argument: its text (quotes removed) and its line."""

    value: str
    line: int
    quoted: bool = False


@dataclass
class Command:
    """One command invocation: ``name(arguments)``."""

    name: str
    line: int
    arguments: list[Argument] = field(default_factory=list)

    def values(self) -> list[str]:
        return [a.value for a in self.arguments]


def read_cmake(text: str, path: str) -> ReadResult:
    """Read a CMake file.

    Parameters
    ----------
    text : str
        The CMake code.
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        ``build`` evidence, ecosystem ``cmake`` (see the module docstring).
        Text that is not a command is a problem and is skipped.

    Raises
    ------
    InputError
        For a command, quoted argument, bracket argument or bracket comment
        that is never closed: the rest of the file cannot be delimited.
    """
    result = ReadResult()
    lines = physical_lines(text)
    commands = tokenize(text, path, result)
    _Evidence(result, lines).read(commands)
    return result


# ---------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------


class _Scanner:
    """Walks the text keeping the current 1-based line."""

    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path
        self.pos = 0
        self.line = 1

    def advance_to(self, pos: int) -> None:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, size: int = 1) -> str:
        return self.text[self.pos : self.pos + size]

    def skip_line(self) -> None:
        end = self.text.find("\n", self.pos)
        self.advance_to(len(self.text) if end < 0 else end)

    def bracket(self, what: str) -> str | None:
        """Read ``[=*[ … ]=*]`` at the cursor; None if there is none."""
        match = _BRACKET_OPEN.match(self.text, self.pos)
        if not match:
            return None
        closing = "]" + match.group(1) + "]"
        end = self.text.find(closing, match.end())
        if end < 0:
            raise InputError(self.path, self.line, f"{what} opened with {match.group(0)!r} is never closed with {closing!r}")
        content = self.text[match.end() : end]
        self.advance_to(end + len(closing))
        # A newline right after the opening bracket is not part of the content.
        return content[1:] if content.startswith("\n") else content.removeprefix("\r\n")

    def comment(self) -> None:
        """Skip a ``#`` comment at the cursor (bracket or line)."""
        self.advance_to(self.pos + 1)
        if self.bracket("bracket comment") is None:
            self.skip_line()


def tokenize(text: str, path: str, result: ReadResult) -> list[Command]:
    """The commands of a CMake file, in order.

    Parameters
    ----------
    text : str
    path : str
    result : ReadResult
        Receives a problem for each piece of text that is not a command.

    Raises
    ------
    InputError
        For an unclosed command, quote, bracket argument or bracket comment.
    """
    scanner = _Scanner(text, path)
    commands: list[Command] = []
    while not scanner.at_end():
        char = scanner.peek()
        if char.isspace():
            scanner.advance_to(scanner.pos + 1)
        elif char == "#":
            scanner.comment()
        else:
            name = _IDENTIFIER.match(text, scanner.pos)
            after = _OPEN_PAREN.match(text, name.end()) if name else None
            if not name or not after:
                found = text[scanner.pos : scanner.pos + 30].split("\n", 1)[0]
                result.problem(path, scanner.line, f"expected a command such as 'name(...)', found {found!r}")
                scanner.skip_line()
                continue
            command = Command(name.group(0), scanner.line)
            scanner.advance_to(after.end())
            _arguments(scanner, command)
            commands.append(command)
    return commands


def _arguments(scanner: _Scanner, command: Command) -> None:
    depth = 0
    while True:
        if scanner.at_end():
            raise InputError(
                scanner.path,
                command.line,
                f"command '{command.name}(' opened on line {command.line} is never closed with ')'",
            )
        char = scanner.peek()
        if char.isspace():
            scanner.advance_to(scanner.pos + 1)
        elif char == "#":
            scanner.comment()
        elif char == "(":
            depth += 1
            scanner.advance_to(scanner.pos + 1)
        elif char == ")":
            scanner.advance_to(scanner.pos + 1)
            if depth == 0:
                return
            depth -= 1
        elif char == '"':
            line = scanner.line
            command.arguments.append(Argument(_quoted(scanner), line, quoted=True))
        elif char == "[" and _BRACKET_OPEN.match(scanner.text, scanner.pos):
            line = scanner.line
            command.arguments.append(Argument(scanner.bracket("bracket argument") or "", line, quoted=True))
        else:
            line = scanner.line
            for element in _unquoted(scanner).split(";"):
                if element:
                    command.arguments.append(Argument(element, line))


def _quoted(scanner: _Scanner) -> str:
    text, start = scanner.text, scanner.pos
    parts: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == '"':
            scanner.advance_to(i + 1)
            return "".join(parts)
        if char == "\\" and i + 1 < len(text):
            following = text[i + 1]
            if following != "\n":  # backslash-newline continues the line
                parts.append({"n": "\n", "t": "\t", "r": "\r"}.get(following, following if following in '"\\$@^;() #' else "\\" + following))
            i += 2
            continue
        parts.append(char)
        i += 1
    raise InputError(scanner.path, scanner.line, "quoted argument is never closed with '\"'")


def _unquoted(scanner: _Scanner) -> str:
    text = scanner.text
    i = scanner.pos
    parts: list[str] = []
    while i < len(text):
        char = text[i]
        if char.isspace() or char in '()#"':
            # A '"' inside an unquoted argument is legacy syntax; it ends here.
            if char == '"' and i > scanner.pos:
                parts.append(char)
                i += 1
                continue
            break
        if char == "\\" and i + 1 < len(text):
            parts.append(text[i : i + 2])
            i += 2
            continue
        parts.append(char)
        i += 1
    scanner.advance_to(i)
    return "".join(parts)


# ---------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------


class _Evidence:
    def __init__(self, result: ReadResult, lines: list[str]):
        self.result = result
        self.lines = lines

    def add(self, name: str, line: int, spec: str = "") -> None:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        self.result.add("build", name, line, text, CMAKE, spec)

    def read(self, commands: list[Command]) -> None:
        for command in commands:
            name = command.name.lower()
            handler = getattr(self, f"_on_{name}", None)
            if handler is not None:
                handler(command)
            if name.startswith(_VENDOR_COMMAND_PREFIXES):
                self.add(f"cmake:command={name}", command.line)
            if name not in ("message", "set", "list", "string", "option"):
                self._flags(command.arguments)

    def _flags(self, arguments: list[Argument]) -> None:
        words: list[str] = []
        word_lines: list[int] = []
        for argument in arguments:
            for word in filter(None, re.split(r"[\s;]+", argument.value)):
                words.append(word)
                word_lines.append(argument.line)
        for index, arch in arch_flag_values(words):
            self.add(f"arch={arch}", word_lines[index], arch)

    def _on_enable_language(self, command: Command) -> None:
        for argument in command.arguments:
            if argument.value != "OPTIONAL":
                self.add(f"cmake:language={argument.value}", argument.line)

    def _on_project(self, command: Command) -> None:
        arguments = command.arguments[1:]
        values = [a.value for a in arguments]
        if not any(v in _PROJECT_KEYWORDS for v in values):
            languages = arguments  # project(name CXX CUDA)
        elif "LANGUAGES" in values:
            start = values.index("LANGUAGES") + 1
            rest = arguments[start:]
            end = next((i for i, a in enumerate(rest) if a.value in _PROJECT_KEYWORDS), len(rest))
            languages = rest[:end]
        else:
            languages = []
        for argument in languages:
            if argument.value != "NONE":
                self.add(f"cmake:language={argument.value}", argument.line)

    def _on_find_package(self, command: Command) -> None:
        if not command.arguments:
            return
        package = command.arguments[0]
        version = command.arguments[1].value if len(command.arguments) > 1 else ""
        self.add(f"cmake:find_package={package.value}", package.line, version if _VERSION.fullmatch(version) else "")

    def _on_set(self, command: Command) -> None:
        if not command.arguments:
            return
        variable = command.arguments[0]
        values = []
        for argument in command.arguments[1:]:
            if not argument.quoted and argument.value in ("CACHE", "PARENT_SCOPE"):
                break
            values.append(argument)
        self._variable(variable, values)

    def _on_option(self, command: Command) -> None:
        if command.arguments:
            self._variable(command.arguments[0], command.arguments[2:3])

    def _on_list(self, command: Command) -> None:
        if len(command.arguments) >= 2 and command.arguments[0].value in ("APPEND", "PREPEND", "INSERT"):
            skip = 3 if command.arguments[0].value == "INSERT" else 2
            self._variable(command.arguments[1], command.arguments[skip:])

    def _on_string(self, command: Command) -> None:
        if len(command.arguments) >= 2 and command.arguments[0].value in ("APPEND", "PREPEND"):
            self._variable(command.arguments[1], command.arguments[2:])

    def _variable(self, variable: Argument, values: list[Argument]) -> None:
        name = variable.value
        if is_gpu_variable(name) and _IDENTIFIER.fullmatch(name) and _is_toolkit_variable(name):
            self.add(f"cmake:var={name}", variable.line, ";".join(v.value for v in values))
        self._architectures(name, values)

    def _architectures(self, name: str, values: list[Argument]) -> None:
        kind = ARCH_LIST_VARIABLES.get(name)
        if kind is None and name.endswith("_ARCHITECTURES"):
            kind = "cmake-cuda" if "CUDA" in name else "gfx"
        if kind is None:
            self._flags(values)
            return
        for argument in values:
            for arch in arch_list_values(kind, argument.value):
                self.add(f"arch={arch}", argument.line, arch)

    def _on_set_target_properties(self, command: Command) -> None:
        self._properties(command, "PROPERTIES")

    def _on_set_property(self, command: Command) -> None:
        self._properties(command, "PROPERTY")

    def _on_set_source_files_properties(self, command: Command) -> None:
        self._properties(command, "PROPERTIES")

    def _properties(self, command: Command, keyword: str) -> None:
        """``… PROPERTIES name value name value`` (or ``PROPERTY name values…``)."""
        values = command.values()
        if keyword not in values:
            return
        rest = command.arguments[values.index(keyword) + 1 :]
        pairs = [(rest[0], rest[1:])] if keyword == "PROPERTY" and rest else [(rest[i], rest[i + 1 : i + 2]) for i in range(0, len(rest) - 1, 2)]
        for prop, prop_values in pairs:
            if prop.value == "LANGUAGE":
                for value in prop_values:
                    self.add(f"cmake:language={value.value}", value.line)
            elif prop.value.endswith("_ARCHITECTURES"):
                self._architectures(prop.value, prop_values)

    def _on_target_link_libraries(self, command: Command) -> None:
        self._imported_targets(command.arguments[1:])

    def _on_link_libraries(self, command: Command) -> None:
        self._imported_targets(command.arguments)

    def _imported_targets(self, arguments: list[Argument]) -> None:
        # Generator expressions ($<$<CONFIG:Release>:CUDA::cublas>) are seen through.
        for argument in arguments:
            for target in _IMPORTED_TARGET.findall(argument.value):
                start = _NAME_START.search(target)  # a namespace starts with a letter or _
                if start is not None and start.start() < target.index("::"):
                    self.add(f"cmake:target={target[start.start():]}", argument.line)


def _is_toolkit_variable(name: str) -> bool:
    """Whether a GPU variable is CMake's or a toolkit's rather than the project's own.

    A project names its own variables (``option(BUILD_CUDA …)``,
    ``list(APPEND GGML_SOURCES_CUDA …)``) after itself or what they do: a
    backend switch or a source list binds nothing to a vendor, and where
    the project does build for one, its languages, packages and flags say
    so. Architecture lists (``TORCH_CUDA_ARCH_LIST``) stay evidence.
    """
    return name in ARCH_LIST_VARIABLES or _TOOLKIT_VARIABLE.match(name) is not None
