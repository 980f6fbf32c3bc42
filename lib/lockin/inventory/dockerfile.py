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
from dataclasses import dataclass, field, replace

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from lockin.inventory.conda import add_match_spec, channel_name
from lockin.inventory.gpuarch import ARCH_LIST_VARIABLES, arch_flag_values, arch_list_values, is_gpu_variable
from lockin.inventory.images import normalise_image
from lockin.inventory.pip import add_archive_url, add_local_version, add_requirement, index_name
from lockin.inventory.shell import ShellSyntaxError, ShellWord, SourceText, physical_lines, split_commands, split_shell_words
from lockin.records import ReadResult
from lockin.redact import redact_value

DOCKER = "docker"

# ---------------------------------------------------------------------------
# The Dockerfile reader
# ---------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")
_INSTRUCTION = re.compile(r"\s*([A-Za-z]+)(?=\s|$)")
_HEREDOC = re.compile(r"(?<!<)<<(-?)\s*([\"']?)([A-Za-z0-9_.-]+)\2")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")

KNOWN_INSTRUCTIONS = frozenset(
    "ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD RUN SHELL STOPSIGNAL USER VOLUME WORKDIR".split()
)

_RUN_FLAG = re.compile(r"\s*--[A-Za-z-]+=\S*")
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash"})


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
                escape = _apply_directive(reader, index + 1, directive.group(1), directive.group(2), escape)
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


class _DockerfileReader:
    """State across instructions: build arguments, stages, the result."""

    def __init__(self, result: ReadResult, path: str, lines: list[str]):
        self.result = result
        self.path = path
        self.lines = lines
        self.global_args: dict[str, str | None] = {}
        self.stage_vars: dict[str, str | None] = {}
        self.stages: set[str] = set()
        self.in_stage = False

    # -- output ------------------------------------------------------------

    def text_of(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def add(self, kind: str, name: str, line: int, ecosystem: str = DOCKER, spec: str = "") -> None:
        self.result.add(kind, name, line, self.text_of(line), ecosystem, spec)

    def problem(self, line: int, message: str) -> None:
        self.result.problem(self.path, line, message)

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

    def substitute(self, value: str, variables: dict[str, str | None], line: int, report: bool = False) -> str:
        """Replace ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:+alt}``.

        An unknown variable stays as written; with ``report`` it is also a
        problem (in ``FROM`` it leaves the image name unresolved, while in
        ``ENV`` it is usually set by the base image, such as ``$PATH``).
        """

        def replace(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(4)
            operator, word = match.group(2), match.group(3) or ""
            known = variables.get(name)
            if operator in (":-", "-"):
                use_default = known is None or (operator == ":-" and known == "")
                return word if use_default else known or ""
            if operator in (":+", "+"):
                return word if known else ""
            if known is None:
                if report:
                    self.problem(line, f"${name} has no value here (no ARG default before FROM); it is left as written")
                return match.group(0)
            return known

        return _VARIABLE.sub(replace, value)

    # -- instructions --------------------------------------------------------

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

    def analyse_command(self, command: list[ShellWord], depth: int) -> None:
        """Evidence from one simple command of a RUN.

        The builder hands a RUN the stage's ARG and ENV values as environment
        variables, so ``nvcc -arch=$CUDA_ARCH`` after ``ARG CUDA_ARCH=sm_61``
        is read as the shell will run it; a variable without a value stays as
        written.
        """
        command = [self._expanded(word) for word in command]
        program = _program(command)
        if program is not None and program[1] in _SHELLS:
            # 'bash -c SCRIPT': the script is read as commands of its own,
            # so its flags are not counted twice.
            if depth < 2:
                self._shell_script_argument(command[program[0] + 1 :], depth)
            return
        self._architectures(command)
        if program is None:
            return
        index, name = program
        words = command[index + 1 :]
        self._compiler(name, command[index], words)
        if name == "cmake":
            self._cmake_definitions(words)
        elif name in ("apt-get", "apt", "aptitude"):
            self._apt_install(words)
        elif name in ("yum", "dnf", "microdnf", "tdnf"):
            self._rpm_install(words)
        elif name in ("conda", "mamba", "micromamba"):
            self._conda_install(words)
        else:
            pip_args = _pip_arguments(name, words)
            if pip_args is not None:
                self._pip_install(pip_args)

    def _expanded(self, word: ShellWord) -> ShellWord:
        if word.op or "$" not in word.text:
            return word
        return replace(word, text=self.substitute(word.text, self.stage_vars, word.line))

    def _architectures(self, command: list[ShellWord]) -> None:
        """Compiler arch flags and ``TORCH_CUDA_ARCH_LIST=…``-style assignments."""
        for index, arch in arch_flag_values([w.text for w in command]):
            self.add("build", f"arch={arch}", command[index].line, DOCKER, arch)
        for word in command:
            name, has_value, value = word.text.partition("=")
            kind = ARCH_LIST_VARIABLES.get(name) if has_value else None
            if kind:
                for arch in arch_list_values(kind, value):
                    self.add("build", f"arch={arch}", word.line, DOCKER, arch)

    def _compiler(self, name: str, word: ShellWord, args: list[ShellWord]) -> None:
        if name in ("nvcc", "hipcc", "amdclang++", "amdclang"):
            self.add("build", f"compiler={name}", word.line, DOCKER)
        elif name in ("clang", "clang++") and any(_is_gpu_clang_flag(a.text, args, i) for i, a in enumerate(args)):
            self.add("build", f"compiler={name}", word.line, DOCKER)

    def _cmake_definitions(self, words: list[ShellWord]) -> None:
        for word in words:
            match = re.match(r"-D([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z]+)?=(.*)$", word.text)
            if not match:
                continue
            name, value = match.groups()
            if is_gpu_variable(name):
                self.add("build", f"cmake:var={name}", word.line, DOCKER, value)
            kind = ARCH_LIST_VARIABLES.get(name)
            if kind:
                for arch in arch_list_values(kind, value):
                    self.add("build", f"arch={arch}", word.line, DOCKER, arch)

    def _shell_script_argument(self, words: list[ShellWord], depth: int) -> None:
        """Read the script of ``bash -c '…'`` (or ``sh -ec``) as commands."""
        for index, word in enumerate(words[:-1]):
            if word.text.startswith("-") and "c" in word.text[1:] and not word.text.startswith("--"):
                script = words[index + 1]
                inner = SourceText.single(script.text, script.line)
                try:
                    inner_words = split_shell_words(inner)
                except ShellSyntaxError as exc:
                    self.problem(script.line, f"RUN: in the script of '-c': {exc}")
                    return
                for command in split_commands(inner_words):
                    self.analyse_command(command, depth + 1)
                return

    def _apt_install(self, words: list[ShellWord]) -> None:
        for word in _install_operands(words, {"-o", "-c", "-t", "--option", "--config-file", "--target-release", "--default-release"}, ("install",)):
            text = word.text
            if "/" in text.split("=", 1)[0] and not text.startswith("$"):
                # 'pkg/bookworm-backports' names a release; './x.deb' is a file.
                if text.startswith((".", "/", "~")) or "://" in text:
                    continue
                text = text.split("/", 1)[0]
            name, _, version = text.partition("=")
            if name and not _is_bare_variable(name):
                self.add("package", name if "$" in name else name.lower(), word.line, "deb", version)

    def _rpm_install(self, words: list[ShellWord]) -> None:
        value_options = {"-x", "--exclude", "--installroot", "--releasever", "--repo", "--repoid", "--enablerepo", "--disablerepo", "--setopt"}
        for word in _install_operands(words, value_options, ("install",)):
            if "/" in word.text or _is_bare_variable(word.text):
                continue
            self.add("package", word.text if "$" in word.text else word.text.lower(), word.line, "rpm")

    def _conda_install(self, words: list[ShellWord]) -> None:
        value_options = {"-n", "--name", "-p", "--prefix", "-c", "--channel", "--file", "-f", "--solver", "--platform", "--subdir", "--repodata-fn", "-r", "--root-prefix"}
        if words and words[0].text == "env":
            words = words[1:]
        if not words or words[0].text not in ("install", "create", "update"):
            return
        index = 1
        while index < len(words):
            word = words[index]
            option, has_value, value = word.text.partition("=")
            if option in value_options and not has_value and index + 1 < len(words):
                index += 1
                value, value_word = words[index].text, words[index]
            else:
                value_word = word
            if option in ("-c", "--channel"):
                self.add("index", channel_name(value), value_word.line, "conda")
            elif option in ("--file", "-f"):
                self.result.references.append(value)
            elif not word.text.startswith("-") and not _is_bare_variable(word.text):
                add_match_spec(self.result, self.path, word.line, word.text, self.text_of(word.line))
            index += 1

    def _pip_install(self, words: list[ShellWord]) -> None:
        index = 0
        while index < len(words):
            word = words[index]
            option, value, value_word = _pip_option(words, index)
            if option is not None:
                index += 2 if value_word is not word else 1
                self._apply_pip_option(option, value, value_word)
                continue
            index += 1
            self._pip_requirement(word)

    def _apply_pip_option(self, option: str, value: str, word: ShellWord) -> None:
        if option in ("-r", "--requirement", "-c", "--constraint"):
            self.result.references.append(value)
        elif option in ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--index", "--default-index"):
            self.add("index", index_name(value), word.line, "pypi")

    def _pip_requirement(self, word: ShellWord) -> None:
        text = word.text
        line_text = self.text_of(word.line)
        if _is_bare_variable(text) or text in (".", ""):
            return
        if "$" in text:
            # 'torch==${TORCH_VERSION}': the name is still known.
            name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", text)
            if name and not text[name.end() :].startswith(("$", "{")):
                self.result.add("package", canonicalize_name(name.group(0)), word.line, line_text, "pypi", text[name.end() :])
            return
        if text.startswith((".", "/", "~")) or "://" in text.split("@", 1)[0] or text.lower().endswith((".whl", ".tar.gz", ".zip")):
            self._pip_archive(word)
            return
        add_requirement(self.result, self.path, word.line, text, line_text)

    def _pip_archive(self, word: ShellWord) -> None:
        filename = word.text.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1].replace("%2B", "+").replace("%2b", "+")
        if not filename.endswith(".whl"):
            return
        try:
            name, version, _, _ = parse_wheel_filename(filename)
        except (InvalidWheelFilename, ValueError):
            return
        self.result.add("package", str(name), word.line, self.text_of(word.line), "pypi", str(version))
        if "://" in word.text:
            add_archive_url(self.result, word.text, word.line, self.text_of(word.line))  # its folder and its label
        else:
            add_local_version(self.result, str(version), word.line, self.text_of(word.line))


# ---------------------------------------------------------------------------
# RUN helpers
# ---------------------------------------------------------------------------

# Words that can stand before the program of a simple command.
_PREFIX_WORDS = frozenset({"sudo", "env", "time", "nohup", "exec", "command", "nice", "if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "ccache"})
_PIP_VALUE_OPTIONS = frozenset(
    "-r --requirement -c --constraint -e --editable -i --index-url --extra-index-url -f --find-links -t --target "
    "--prefix --root --src --upgrade-strategy --no-binary --only-binary --platform --python-version --implementation "
    "--abi --trusted-host --cache-dir --timeout --retries --progress-bar --log --proxy --cert --client-cert "
    "--config-settings -C --global-option --install-option --report --python -p --index --default-index "
    "--index-strategy --keyring-provider --resolution --prerelease --exclude-newer --extra --group".split()
)
_PIP_SHORT_WITH_VALUE = ("-r", "-c", "-i", "-f", "-e")


def _program(command: list[ShellWord]) -> tuple[int, str] | None:
    """Index and base name of the program a simple command runs."""
    for index, word in enumerate(command):
        text = word.text
        if re.match(r"[A-Za-z_][A-Za-z0-9_]*=", text) or text in _PREFIX_WORDS or (text.startswith("-") and index > 0):
            continue
        return index, text.rsplit("/", 1)[-1]
    return None


def _pip_arguments(name: str, words: list[ShellWord]) -> list[ShellWord] | None:
    """The words after ``install`` of a pip invocation, or None."""
    if re.fullmatch(r"python[0-9.]*", name):
        if len(words) >= 2 and words[0].text == "-m" and words[1].text == "pip":
            words = words[2:]
        elif words and words[0].text == "-mpip":
            words = words[1:]
        else:
            return None
    elif name == "uv":
        if not words or words[0].text != "pip":
            return None
        words = words[1:]
    elif not re.fullmatch(r"pip[0-9.]*", name):
        return None
    # Global options (e.g. '--no-cache-dir', '-q') may precede 'install'.
    for index, word in enumerate(words):
        if word.text == "install":
            return words[index + 1 :]
        if not word.text.startswith("-"):
            return None
    return None


def _pip_option(words: list[ShellWord], index: int) -> tuple[str | None, str, ShellWord]:
    """The option at ``index`` (if any), its value and the word holding it."""
    word = words[index]
    text = word.text
    if not text.startswith("-") or text == "-":
        return None, "", word
    if text.startswith("--"):
        option, has_value, value = text.partition("=")
        if has_value:
            return option, value, word
    else:
        option = text[:2]
        if option in _PIP_SHORT_WITH_VALUE and len(text) > 2:
            return option, text[2:], word
        option = text
    if option in _PIP_VALUE_OPTIONS and index + 1 < len(words):
        return option, words[index + 1].text, words[index + 1]
    return option, "", word


def _install_operands(words: list[ShellWord], value_options: set[str], subcommands: tuple[str, ...]) -> Iterator[ShellWord]:
    """Package operands of ``<manager> [options] install [options] pkg…``."""
    seen_subcommand = False
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        text = word.text
        if text.startswith("-"):
            skip = text in value_options
            continue
        if not seen_subcommand:
            if text not in subcommands:
                return
            seen_subcommand = True
            continue
        yield word


def _is_bare_variable(text: str) -> bool:
    return bool(re.fullmatch(r"\$\{?[A-Za-z_][A-Za-z0-9_]*(?:[:=?+-][^}]*)?\}?", text))


def _is_gpu_clang_flag(text: str, args: list[ShellWord], index: int) -> bool:
    if text.startswith(("--cuda-gpu-arch", "--offload-arch", "-xcuda", "-xhip", "--cuda-path", "--rocm-path")):
        return True
    return text == "-x" and index + 1 < len(args) and args[index + 1].text in ("cuda", "hip")


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
        program = _program(command)
        if program is not None and program[1] not in _SHELLS:
            return False
    return True
