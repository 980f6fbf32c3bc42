"""Reading Makefiles (``Makefile``, ``GNUmakefile``, ``*.mk``) without running make.

GPU builds driven by GNU make name their vendor in three places, all read here:

* variable assignments (``NVCC ?= $(CUDA_HOME)/bin/nvcc``, ``CC = hipcc``,
  ``NVCC_GENCODE ?= -gencode=arch=compute_80,code=sm_80``,
  ``LDFLAGS := -lcudart -lcublas``, ``CUDA_HOME ?= /usr/local/cuda``):
  the compiler, architecture flags, GPU libraries linked and toolkit
  locations, on the assignment's line;
* recipe lines (after a tab): read as shell commands by
  :class:`~lockin.inventory.shellscript.CommandReader`, with make
  variables whose value is one word (a program, an architecture) expanded
  and ``$(NVCC)`` from an included file taken for the compiler it names;
* ``$(shell …)`` calls (``$(shell nvidia-smi --query-gpu=compute_cap …)``).

A ``-DNAME`` flag in an assignment defines the project's own macro (a
``macro`` definition), so the scan does not take its uses in the sources
for a vendor API.

Variables holding several words (flag lists) are not expanded into the
recipes that use them, so each flag is reported once, where it is written.
``define``/``endef`` bodies are skipped. Nothing is ever run.
"""

from __future__ import annotations

import re

from lockin.inventory.gpuarch import arch_flag_values
from lockin.inventory.shell import ShellSyntaxError, ShellWord, SourceText, physical_lines, split_commands, split_shell_words
from lockin.inventory.shellscript import VENDOR_TOOLS, CommandReader, gpu_library
from lockin.records import ReadResult

__all__ = ["MAKE", "read_makefile"]

MAKE = "make"

_ASSIGNMENT = re.compile(r"^\s*(?:(?:override|export|private)\s+)*([A-Za-z_][A-Za-z0-9_.-]*)\s*(\?=|:::=|::=|:=|\+=|!=|=)\s*(.*)$")
_REFERENCE = re.compile(r"\$(?:\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\{([A-Za-z_][A-Za-z0-9_.-]*)\})")
_DIRECTIVES = ("ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "include", "-include", "sinclude", "vpath", "unexport")
_TOOL_WORD = re.compile(r"(?<![\w.-])[a-z][a-z0-9+-]*(?![\w.-])")
_COMPILERS = frozenset({"nvcc", "hipcc", "amdclang++", "amdclang", "nvc++", "nvc"})
# Toolkit locations: env evidence (the catalog has CUDA_HOME, ROCM_PATH …).
# A preprocessor definition flag: -DNAME or -DNAME=value.
_MAKE_FUNCTION = re.compile(r"\$\((?![A-Za-z_][A-Za-z0-9_.-]*\))[^)]*\)")
_DEFINED_MACRO = re.compile(r"-D([A-Za-z_]\w*)(?:=.*)?")
_TOOLKIT_VARIABLE = re.compile(r"(CUDA|ROCM|HIP|NCCL|RCCL|CUDNN)_?(HOME|PATH|ROOT|DIR|TOOLKIT_ROOT_DIR)$")


def read_makefile(text: str, path: str) -> ReadResult:
    """Read a Makefile.

    Parameters
    ----------
    text : str
        The Makefile.
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        ``build`` evidence (ecosystem ``make``): ``compiler=nvcc``,
        ``arch=sm_80``, ``link=cublas``; ``env`` for toolkit locations
        (``CUDA_HOME``); ``api`` evidence (ecosystem ``tool``) for vendor
        tools run in recipes or ``$(shell …)``; what recipes install.
        A recipe whose quotes do not close is a problem naming its line.
    """
    result = ReadResult()
    lines = physical_lines(text)
    _MakefileReader(result, path, lines).read()
    return result


class _MakefileReader(CommandReader):
    def __init__(self, result: ReadResult, path: str, lines: list[str]):
        super().__init__(result, path, lines, MAKE)
        self.make_variables: dict[str, str] = {}

    def read(self) -> None:
        index = 0
        in_define = False
        # A tab starts a recipe line only after a rule; elsewhere (inside
        # ifeq blocks between assignments) it is indentation of make code.
        in_rule = False
        while index < len(self.lines):
            first = index
            text, index = _logical_line(self.lines, index)
            stripped = text.strip()
            if in_define:
                in_define = not stripped.startswith("endef")
                continue
            if stripped.startswith("define ") or stripped == "define":
                in_define = True
                continue
            if text.startswith("\t") and in_rule:
                self._recipe(text[1:], first + 1, index)
                continue
            code = _without_comment(text)
            if not code.strip() or code.strip().split()[0] in _DIRECTIVES:
                self._shell_calls(code, first + 1)
                continue
            self._tools_named(code, first + 1)
            assignment = _ASSIGNMENT.match(code)
            in_rule = not assignment and ":" in code
            if assignment:
                self._assignment(assignment.group(1), assignment.group(2), assignment.group(3), first + 1)
                for offset, piece in enumerate(self.lines[first:index]):
                    # Each flag of a continued value on its own line.
                    self._flags(_without_comment(piece).rstrip("\\").split(), first + 1 + offset)
            else:
                self._shell_calls(code, first + 1)  # a rule line: prerequisites may call $(shell …)

    # -- assignments -----------------------------------------------------------

    def _assignment(self, name: str, operator: str, value: str, line: int) -> None:
        value = value.strip()
        if operator == "+=" and name in self.make_variables:
            self.make_variables[name] += " " + value
        elif operator != "?=" or name not in self.make_variables:
            self.make_variables[name] = value
        self._shell_calls(value, line)
        if operator == "!=":
            self._shell_text(value, line)
            return
        words = value.split()
        if words and _base_name(words[0]) in _COMPILERS:
            self.add("build", f"compiler={_base_name(words[0])}", line)
        if _TOOLKIT_VARIABLE.match(name.upper()):
            self.add("env", name, line, None, value)

    def _tools_named(self, code: str, line: int) -> None:
        """Vendor tools make code looks for (``$(call find, nvidia-smi)``, ``$(nvidia-smi …)``)."""
        for match in _TOOL_WORD.finditer(code):
            if match.group(0) in VENDOR_TOOLS:
                self._tool(match.group(0), ShellWord(match.group(0), match.start(), line))

    def _flags(self, words: list[str], line: int) -> None:
        for _, arch in arch_flag_values(words):
            self.add("build", f"arch={arch}", line, None, arch)
        for word in words:
            library = gpu_library(word)
            if library:
                self.add("build", f"link={library}", line)
            macro = _DEFINED_MACRO.fullmatch(word)
            if macro and not macro.group(1).startswith("__"):
                # The project's own macro (``-DNCCL_OS_LINUX``): its uses in
                # the sources are not the vendor's API. Reserved names
                # (``-D__HIP_PLATFORM_AMD__``) belong to the toolchain.
                self.result.define("macro", macro.group(1), line)

    # -- recipes and $(shell …) ------------------------------------------------

    def _recipe(self, text: str, first_line: int, end_index: int) -> None:
        command = text.lstrip("@-+ \t")
        self._shell_calls(command, first_line)
        source = SourceText()
        for offset, piece in enumerate(_recipe_pieces(self.lines, first_line - 1, end_index)):
            source.append(self._expanded_make(piece) + "\n", first_line + offset)
        try:
            words = split_shell_words(source)
        except ShellSyntaxError as exc:
            self.problem(source.line_at(exc.offset), f"recipe: {exc}")
            return
        for simple in split_commands(words):
            self.analyse_command(simple, depth=0)

    def _shell_calls(self, text: str, line: int) -> None:
        """Commands of ``$(shell …)`` in a line of make code."""
        for body in _make_function_bodies(text, "shell"):
            self._shell_text(body, line)

    def _shell_text(self, body: str, line: int) -> None:
        source = SourceText.single(self._expanded_make(body), line)
        try:
            words = split_shell_words(source)
        except ShellSyntaxError:
            return  # make passes it to the shell as is; nothing more to learn
        for command in split_commands(words):
            self.analyse_command(command, depth=1)

    def _expanded_make(self, text: str) -> str:
        """Make's ``$$`` and single-word variables expanded; the rest as ``${NAME}`` for the shell lexer."""

        def replace(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            value = self.make_variables.get(name)
            if value is not None:
                value = _REFERENCE.sub(lambda m: self.make_variables.get(m.group(1) or m.group(2), m.group(0)), value)
                if value and len(value.split()) == 1 and "$" not in value:
                    return value
            # '$(NVCC)' set in an included file or by '$(shell which nvcc)' still names its compiler.
            return name.lower() if name.lower() in _COMPILERS else "${" + name + "}"

        text = text.replace("$$", "\0")
        # Automatic variables ($@ $< $^ …) are file names; '$<' must not read as a redirection.
        text = re.sub(r"\$[@<^?*+|%]", "_automatic_", text)
        # Other make functions: out. None ends after the last ')': searched
        # there, '$(' would be read to the end from each one (quadratic).
        functions_end = text.rfind(")") + 1
        text = _MAKE_FUNCTION.sub("", text[:functions_end]) + text[functions_end:]
        return _REFERENCE.sub(replace, text).replace("\0", "$")


def _logical_line(lines: list[str], index: int) -> tuple[str, int]:
    """A line with its ``\\`` continuations joined (make joins them with a blank)."""
    parts = [lines[index]]
    index += 1
    while parts[-1].endswith("\\") and index < len(lines):
        parts[-1] = parts[-1][:-1]
        parts.append(lines[index].lstrip() if not parts[0].startswith("\t") else lines[index].lstrip("\t"))
        index += 1
    return " ".join(parts), index


def _recipe_pieces(lines: list[str], start: int, end: int) -> list[str]:
    """The physical lines of one recipe line, leading tab and ``@-+`` prefixes off
    (the shell gets the backslash-newlines and removes them itself)."""
    pieces = [line.removeprefix("\t") for line in lines[start:end]]
    pieces[0] = pieces[0].lstrip("@-+ \t")
    return pieces


def _without_comment(text: str) -> str:
    # In make code (not recipes) '#' starts a comment unless escaped.
    match = re.search(r"(?<!\\)#", text)
    return text if match is None else text[: match.start()]


def _make_function_bodies(text: str, function: str) -> list[str]:
    """Bodies of ``$(function …)`` calls, parentheses nested."""
    bodies = []
    opener = f"$({function} "
    start = text.find(opener)
    while start >= 0:
        depth, position = 0, start + 1
        while position < len(text):
            if text[position] == "(":
                depth += 1
            elif text[position] == ")":
                depth -= 1
                if depth == 0:
                    break
            position += 1
        bodies.append(text[start + len(opener) : position])
        start = text.find(opener, position)
    return bodies


def _base_name(word: str) -> str:
    return word.rsplit("/", 1)[-1]
