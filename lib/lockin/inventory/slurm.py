"""Reading Slurm batch scripts.

Evidence comes from the ``#SBATCH`` directives that ask for accelerators
(``--gres``, ``--gpus`` and its per-node/task/socket variants, ``-G``,
``--constraint``), from the same options on ``srun``/``salloc``/``mpirun``
command lines, from ``export`` of environment variables and from
``module load`` of Lmod/Environment Modules packages (``cuda/12.1``,
``rocm/6.2``); the job's other commands are read as any shell script's
(:class:`~lockin.inventory.shellscript.CommandReader`: vendor tools,
installs, compilers).

As ``sbatch`` does, directives are read only up to the first command of
the script; a directive after it is reported, since Slurm ignores it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lockin.inventory.shell import (
    ShellSyntaxError,
    ShellWord,
    SourceText,
    command_line,
    physical_lines,
    split_commands,
    split_shell_words,
)
from lockin.inventory.shellscript import CommandReader
from lockin.records import ReadResult

SLURM = "slurm"
LMOD = "lmod"

_DIRECTIVE = re.compile(r"^#SBATCH\s+(.*)$")

# Slurm options that name accelerators: spelling -> canonical long name.
_GPU_OPTIONS = {
    "--gres": "gres",
    "--gpus": "gpus",
    "-G": "gpus",
    "--gpus-per-node": "gpus-per-node",
    "--gpus-per-task": "gpus-per-task",
    "--gpus-per-socket": "gpus-per-socket",
    "--constraint": "constraint",
    "-C": "constraint",
}

_LAUNCHERS = frozenset({"srun", "salloc", "sbatch", "mpirun", "mpiexec"})
_MODULE_COMMANDS = frozenset({"load", "add", "try-load", "try-add"})


def read_slurm(text: str, path: str) -> ReadResult:
    """Read a Slurm batch script.

    Parameters
    ----------
    text : str
        The script.
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        ``cluster`` evidence (ecosystem ``slurm``): ``gres=gpu:a100``
        (spec: the count), ``gpus=h100``, ``gpus-per-node``,
        ``constraint=<value>``; ``env`` evidence for exported variables;
        ``package`` evidence (ecosystem ``lmod``) for loaded modules.
        Quoting errors and ignored directives are problems.
    """
    result = ReadResult()
    reader = _SlurmReader(result, path, physical_lines(text))
    reader.read()
    return result


class _SlurmReader:
    def __init__(self, result: ReadResult, path: str, lines: list[str]):
        self.result = result
        self.path = path
        self.lines = lines
        # Other commands of the job (nvidia-smi, pip install …) mean what they mean in any script.
        self.commands = CommandReader(result, path, lines, SLURM)

    def add(self, kind: str, name: str, line: int, ecosystem: str = SLURM, spec: str = "") -> None:
        self.result.add(kind, name, line, self.lines[line - 1], ecosystem, spec)

    def read(self) -> None:
        in_header = True
        index = 0
        while index < len(self.lines):
            raw = self.lines[index]
            line = index + 1
            directive = _DIRECTIVE.match(raw)
            if directive:
                if in_header:
                    self._directive(line, directive.group(1))
                else:
                    self.result.problem(self.path, line, "#SBATCH after the first command is ignored by sbatch")
                index += 1
                continue
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                index += 1
                continue
            in_header = False
            command = command_line(self.lines, index)
            index = command.next_index
            if command.words is None:
                self.result.problem(self.path, command.error_line, command.error)
            else:
                self._commands(command.words)

    def _directive(self, line: int, text: str) -> None:
        source = SourceText.single(text, line)
        try:
            # sbatch splits directives on blanks and quotes only: '|' in
            # '--constraint=h100|a100' is no pipe; '#' starts a comment.
            words = split_shell_words(source, shell=False)
        except ShellSyntaxError as exc:
            self.result.problem(self.path, line, f"#SBATCH: {exc}")
            return
        comment = next((i for i, w in enumerate(words) if w.text.startswith("#")), len(words))
        self._gpu_options(words[:comment])

    def _commands(self, words: list[ShellWord]) -> None:
        for command in split_commands(words):
            program = command[0].text.rsplit("/", 1)[-1]
            arguments = command[1:]
            if program == "export":
                self._export(arguments)
            elif program in ("module", "ml"):
                self._module(program, arguments)
            elif program in _LAUNCHERS:
                self._gpu_options(arguments)
            else:
                self.commands.analyse_command(command, depth=0)

    def _gpu_options(self, words: list[ShellWord]) -> None:
        for option, value, word in _options(words):
            name = _GPU_OPTIONS.get(option)
            if name is None or not value:
                continue
            if name == "constraint":
                self.add("cluster", f"constraint={value}", word.line, SLURM, value)
            elif name == "gres":
                for item in value.split(","):
                    self._gres(item, word.line)
            else:
                for item in value.split(","):
                    self._gpus(name, item, word.line)

    def _gres(self, item: str, line: int) -> None:
        # name[:type][:count] -- the last part is a count when it is a number.
        parts = [p for p in item.strip().split(":") if p]
        if not parts or parts[0] == "none":
            return
        count = ""
        if len(parts) > 1 and re.fullmatch(r"\d+[kKmMgG]?", parts[-1]):
            count = parts.pop()
        self.add("cluster", "gres=" + ":".join(parts), line, SLURM, count)

    def _gpus(self, name: str, item: str, line: int) -> None:
        # [type:]count
        kind, _, count = item.strip().rpartition(":")
        if not count:
            return
        self.add("cluster", f"{name}={kind}" if kind else name, line, SLURM, count)

    def _export(self, words: list[ShellWord]) -> None:
        for word in words:
            if word.text.startswith("-"):
                continue
            name, _, value = word.text.partition("=")
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                self.add("env", name, word.line, SLURM, value)

    def _module(self, program: str, words: list[ShellWord]) -> None:
        operands = [w for w in words if not w.text.startswith("-")]
        if not operands:
            return
        first = operands[0].text
        if first in _MODULE_COMMANDS:
            operands = operands[1:]
        elif program == "module" or first in _ML_SUBCOMMANDS:
            return  # 'module purge', 'ml list' …; a bare 'ml cuda/12.1' loads
        for word in operands:
            name, _, version = word.text.rpartition("/") if "/" in word.text else (word.text, "", "")
            self.add("package", name, word.line, LMOD, version)


# Lmod's 'ml' runs these as commands; any other word is a module to load.
_ML_SUBCOMMANDS = frozenset(
    "avail spider list purge unload swap show help whatis keyword save restore savelist describe reset use unuse is-loaded is-avail update refresh".split()
)


def _options(words: list[ShellWord]) -> Iterator[tuple[str, str, ShellWord]]:
    """(option, value, word holding the value) for Slurm-style options:
    ``--name=value``, ``--name value``, ``-Xvalue``, ``-X value``."""
    index = 0
    while index < len(words):
        word = words[index]
        text = word.text
        index += 1
        if text.startswith("--"):
            option, has_value, value = text.partition("=")
            if not has_value and option in _GPU_OPTIONS and index < len(words) and not words[index].text.startswith("-"):
                value, word = words[index].text, words[index]
                index += 1
            yield option, value, word
        elif text.startswith("-") and len(text) >= 2:
            option, value = text[:2], text[2:]
            if not value and option in _GPU_OPTIONS and index < len(words):
                value, word = words[index].text, words[index]
                index += 1
            yield option, value, word
