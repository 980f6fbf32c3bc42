"""Reading shell scripts, and the command analysis every reader of shell commands shares.

:class:`CommandReader` turns simple shell commands (split by
:mod:`lockin.inventory.shell`) into evidence: GPU compilers and their
architecture flags, CMake GPU variables, ``apt``/``dnf``/``pip``/``conda``
installs, vendor tools run by name (``nvidia-smi``, ``rocm-smi``,
``dcgmi`` …), ``export`` of variables and images run with ``docker run``.
The Dockerfile reader (``RUN``), the Makefile reader (recipes) and the
Ansible reader (``shell:``/``command:`` tasks) use it as this module's own
reader of ``*.sh``/``*.bash`` scripts does, so a command means the same
wherever it is written.

Nothing is ever run: a script is read as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from lockin.inventory.conda import add_match_spec, channel_name
from lockin.inventory.gpuarch import ARCH_LIST_VARIABLES, arch_flag_values, arch_list_values, is_gpu_variable
from lockin.inventory.images import normalise_image
from lockin.inventory.pip import add_archive_url, add_local_version, add_requirement, index_name
from lockin.inventory.shell import ShellSyntaxError, ShellWord, SourceText, command_line, physical_lines, split_commands, split_shell_words
from lockin.records import ReadResult

__all__ = ["SHELL", "SHELLS", "TOOL", "VENDOR_TOOLS", "CommandReader", "gpu_library", "program_of", "read_shell_script"]

SHELL = "shell"
#: Ecosystem of vendor command-line tools run by name (catalog: tools.csv).
TOOL = "tool"

_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
# The same groups without the braced form, for the text after the last '}'
# where no braced reference can end: there '${a-' would read to the end of
# the text from every '${' and fail (quadratic: 20,000 took 14 s).
_UNBRACED_VARIABLE = re.compile(r"\$(?:(?!)()()()|([A-Za-z_][A-Za-z0-9_]*))")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash"})

#: GPU vendors' command-line tools, by the name a script runs them with
#: (the compilers nvcc/hipcc/amdclang++ are ``build`` evidence instead, so
#: one call is not counted twice). Evidence(kind="api", ecosystem="tool").
VENDOR_TOOLS = frozenset(
    """nvidia-smi ptxas fatbinary nvlink cuobjdump nvdisasm nsys ncu nv-nsight-cu-cli nvprof cuda-gdb
    compute-sanitizer cuda-memcheck nvidia-container-cli nvidia-ctk nvidia-container-runtime nvidia-docker
    dcgmi nv-hostengine nvidia-cuda-mps-control nvidia-persistenced amd-smi rocm-smi hipconfig rocminfo
    rocprof rocprofv2 rocprofv3 rocprof-compute omniperf rocprof-sys-run omnitrace rocgdb amd-ctk
    amd-container-runtime rdci hipify-perl hipify-clang xpu-smi hl-smi""".split()
)

#: GPU libraries a link flag names (``-lcublas`` gives ``link=cublas``): the
#: CUDA toolkit's and ROCm's, so that ``-lm`` or ``-lcurl`` are no evidence.
GPU_LIBRARIES = frozenset(
    """cuda cudart cudart_static cudadevrt cublas cublas_static cublasLt cublasLt_static cudnn nccl nccl_static
    nvidia-ml nvml curand cufft cufftw cusparse cusolver cusolverMg nvrtc nvrtc-builtins nvToolsExt nvtx3interop
    cupti nvjpeg nvJitLink cufile nppc nppial nppicc nppidei nppif nppig nppim nppist nppisu nppitc npps
    cutensor nvinfer nvshmem amdhip64 hiprtc rocblas hipblas hipblaslt rccl MIOpen rocrand hiprand rocfft
    hipfft rocsparse hipsparse rocsolver hipsolver rocm_smi64 amd_smi roctx64 roctracer64 rocprofiler-sdk""".split()
)

# Commands that look a program up: 'which nvcc' means the script needs nvcc.
_LOCATORS = frozenset({"which", "where", "type", "hash"})
_GPU_COMPILERS = frozenset({"nvcc", "hipcc", "amdclang++", "amdclang"})

_CONTAINER_CLIS = frozenset({"docker", "podman", "nerdctl"})
# 'docker run' options that take a value as the next word.
_DOCKER_VALUE_OPTIONS = frozenset(
    """-a --attach --add-host --cap-add --cap-drop --cgroup-parent --cidfile --cpus --cpu-shares -c --cpuset-cpus
    --device --device-cgroup-rule --dns --entrypoint -e --env --env-file --expose --gpus --group-add -h --hostname
    --ipc -l --label --log-driver --log-opt -m --memory --mount --name --network --net --pid --platform -p --publish
    --pull --restart --runtime --security-opt --shm-size --stop-signal --tmpfs -u --user --ulimit -v --volume
    --volumes-from -w --workdir""".split()
)


def read_shell_script(text: str, path: str) -> ReadResult:
    """Read a shell script (``*.sh``, ``*.bash``, or a ``#!/bin/sh`` script).

    Parameters
    ----------
    text : str
        The script.
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        ``api`` evidence (ecosystem ``tool``) for vendor tools run,
        ``build`` for GPU compilers and architecture flags, ``package``/
        ``index`` for installs, ``env`` for exported variables, ``image`` for
        ``docker run``/``docker pull`` (ecosystem ``shell`` where the kind has
        no ecosystem of its own). A quote never closed is a problem naming
        its line; the rest of the script is still read.
    """
    result = ReadResult()
    lines = physical_lines(text)
    reader = CommandReader(result, path, lines, SHELL)
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        command = command_line(lines, index)
        index = command.next_index
        if command.words is None:
            reader.problem(command.error_line, command.error)
            continue
        for simple in split_commands(command.words):
            reader.analyse_command(simple, depth=0)
    return result


class CommandReader:
    """Evidence from simple shell commands, wherever they are written.

    Parameters
    ----------
    result : ReadResult
        Where evidence and problems go.
    path : str
        The path shown in problems.
    lines : list of str
        The file's physical lines (evidence text is the line it is on).
    ecosystem : str
        The ecosystem of ``build`` and ``env`` evidence (``docker``,
        ``shell``, ``make``, ``ansible``).
    context : str
        Put before problems (``"RUN: "``).
    """

    def __init__(self, result: ReadResult, path: str, lines: list[str], ecosystem: str, context: str = ""):
        self.result = result
        self.path = path
        self.lines = lines
        self.ecosystem = ecosystem
        self.context = context
        #: Variables the script set so far (``X=1``, ``export X=1``): later words see their values.
        self.variables: dict[str, str | None] = {}
        self._tools_seen: set[tuple[str, int]] = set()

    # -- output ------------------------------------------------------------

    def text_of(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def add(self, kind: str, name: str, line: int, ecosystem: str | None = None, spec: str = "") -> None:
        self.result.add(kind, name, line, self.text_of(line), self.ecosystem if ecosystem is None else ecosystem, spec)

    def problem(self, line: int, message: str) -> None:
        self.result.problem(self.path, line, message)

    def command_variables(self) -> dict[str, str | None]:
        """The variables a command's words are expanded with."""
        return self.variables

    def substitute(self, value: str, variables: dict[str, str | None], line: int, report: bool = False) -> str:
        """Replace ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:+alt}``.

        An unknown variable stays as written; with ``report`` it is also a
        problem (the Dockerfile reader asks for that in ``FROM``, where it
        leaves the image name unresolved; in ``ENV`` or a script it is
        usually set elsewhere, such as ``$PATH``).
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

        braced_end = value.rfind("}") + 1
        return _VARIABLE.sub(replace, value[:braced_end]) + _UNBRACED_VARIABLE.sub(replace, value[braced_end:])

    # -- commands ----------------------------------------------------------

    def analyse_command(self, command: list[ShellWord], depth: int) -> None:
        """Evidence from one simple command.

        Words are expanded with the variables known at this point
        (:meth:`command_variables`: in a Dockerfile, the stage's ARG and ENV
        values, which the builder hands a RUN), so ``nvcc -arch=$CUDA_ARCH``
        after ``ARG CUDA_ARCH=sm_61`` is read as the shell will run it; a
        variable without a value stays as written.
        """
        if depth < 2:
            for word in command:
                if "$(" in word.text and not word.op:
                    self._substitutions(word, depth)
        command = [self._expanded(word) for word in command]
        program = program_of(command)
        if program is not None and program[1] in SHELLS:
            # 'bash -c SCRIPT': the script is read as commands of its own,
            # so its flags are not counted twice.
            if depth < 2:
                self._shell_script_argument(command[program[0] + 1 :], depth)
            return
        self._architectures(command)
        if program is None:
            if all(_NAME.match(w.text) and "=" in w.text for w in command):
                self._assignments(command, exported=False)
            return
        index, name = program
        words = command[index + 1 :]
        self._compiler(name, command[index], words)
        self._tool(name, command[index])
        if name in _LOCATORS:
            self._located(words)
        if name == "export":
            self._assignments(words, exported=True)
        elif name in _CONTAINER_CLIS:
            self._container_command(words, depth)
        elif name == "cmake":
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
        return replace(word, text=self.substitute(word.text, self.command_variables(), word.line))

    def _architectures(self, command: list[ShellWord]) -> None:
        """Compiler arch flags, GPU libraries linked (``-lcublas``) and ``TORCH_CUDA_ARCH_LIST=…``-style assignments."""
        for index, arch in arch_flag_values([w.text for w in command]):
            self.add("build", f"arch={arch}", command[index].line, self.ecosystem, arch)
        for word in command:
            library = gpu_library(word.text)
            if library:
                self.add("build", f"link={library}", word.line)
        for word in command:
            name, has_value, value = word.text.partition("=")
            kind = ARCH_LIST_VARIABLES.get(name) if has_value else None
            if kind:
                for arch in arch_list_values(kind, value):
                    self.add("build", f"arch={arch}", word.line, self.ecosystem, arch)

    def _compiler(self, name: str, word: ShellWord, args: list[ShellWord]) -> None:
        if name in ("nvcc", "hipcc", "amdclang++", "amdclang"):
            self.add("build", f"compiler={name}", word.line, self.ecosystem)
        elif name in ("clang", "clang++") and any(_is_gpu_clang_flag(a.text, args, i) for i, a in enumerate(args)):
            self.add("build", f"compiler={name}", word.line, self.ecosystem)

    def _cmake_definitions(self, words: list[ShellWord]) -> None:
        for word in words:
            match = re.match(r"-D([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z]+)?=(.*)$", word.text)
            if not match:
                continue
            name, value = match.groups()
            if is_gpu_variable(name):
                self.add("build", f"cmake:var={name}", word.line, self.ecosystem, value)
            kind = ARCH_LIST_VARIABLES.get(name)
            if kind:
                for arch in arch_list_values(kind, value):
                    self.add("build", f"arch={arch}", word.line, self.ecosystem, arch)

    def _shell_script_argument(self, words: list[ShellWord], depth: int) -> None:
        """Read the script of ``bash -c '…'`` (or ``sh -ec``) as commands."""
        for index, word in enumerate(words[:-1]):
            if word.text.startswith("-") and "c" in word.text[1:] and not word.text.startswith("--"):
                script = words[index + 1]
                inner = SourceText()
                # A script written over several lines keeps them (a '\\'-newline inside quotes is gone: near enough).
                for offset, piece in enumerate(script.text.split("\n")):
                    inner.append(piece + "\n", script.line + offset)
                try:
                    inner_words = split_shell_words(inner)
                except ShellSyntaxError as exc:
                    self.problem(script.line, f"{self.context}in the script of '-c': {exc}")
                    return
                for command in split_commands(inner_words):
                    self.analyse_command(command, depth + 1)
                return

    def _substitutions(self, word: ShellWord, depth: int) -> None:
        """Read the commands inside ``$(…)`` in a word (``"GPUs: $(nvidia-smi -L)"``)."""
        for start, body in _command_substitutions(word.text):
            inner = SourceText()
            first = word.line + word.text.count("\n", 0, start)
            for offset, piece in enumerate(body.split("\n")):
                inner.append(piece + "\n", first + offset)
            try:
                inner_words = split_shell_words(inner)
            except ShellSyntaxError:
                continue  # the outer word was split already; a broken inner one adds nothing
            for command in split_commands(inner_words):
                self.analyse_command(command, depth + 1)

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

    def _tool(self, name: str, word: ShellWord) -> None:
        # 'command -v rocm-smi && rocm-smi …' names the tool twice on one line: one use.
        if name in VENDOR_TOOLS and (name, word.line) not in self._tools_seen:
            self._tools_seen.add((name, word.line))
            self.add("api", name, word.line, TOOL)

    def _located(self, words: list[ShellWord]) -> None:
        """``which nvcc``, ``type nvidia-smi``: a script that looks for a vendor tool needs it."""
        for word in words:
            base = word.text.rsplit("/", 1)[-1]
            if base in _GPU_COMPILERS:
                self.add("build", f"compiler={base}", word.line)
            else:
                self._tool(base, word)

    def _assignments(self, command: list[ShellWord], exported: bool) -> None:
        """``X=1`` (alone, it sets a shell variable) and ``export X=1``: ``env`` evidence when exported."""
        for word in command:
            if word.text.startswith("-"):
                continue
            name, has_value, value = word.text.partition("=")
            if not _NAME.fullmatch(name):
                continue
            if has_value:
                self.variables[name] = value
            if exported:
                self.add("env", name, word.line, None, value if has_value else "")
            kind = ARCH_LIST_VARIABLES.get(name) if has_value else None
            if kind and exported:
                for arch in arch_list_values(kind, value):
                    self.add("build", f"arch={arch}", word.line, None, arch)

    def _container_command(self, words: list[ShellWord], depth: int) -> None:
        """``docker run [options] IMAGE [COMMAND…]``, ``docker pull IMAGE``,
        ``docker exec [options] CONTAINER COMMAND…``: the image, and the
        command run inside, read as a command of its own."""
        if not words or words[0].text not in ("run", "create", "pull", "exec"):
            return
        skip = False
        for index, word in enumerate(words[1:], start=1):
            if skip:
                skip = False
                continue
            text = word.text
            if text.startswith("-"):
                skip = "=" not in text and text in _DOCKER_VALUE_OPTIONS
                continue
            if words[0].text != "exec" and "$" not in text and text:
                name, tag = normalise_image(text)
                self.add("image", name, word.line, "docker", tag)
            inner = words[index + 1 :]
            if inner and depth < 2:
                self.analyse_command(inner, depth + 1)
            return


# ---------------------------------------------------------------------------
# Command helpers
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


def program_of(command: list[ShellWord]) -> tuple[int, str] | None:
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


def gpu_library(word: str) -> str | None:
    """The GPU library a link flag names (``-lcublasLt`` gives ``cublasLt``), else None."""
    if word.startswith("-l") and word[2:] in GPU_LIBRARIES:
        return word[2:]
    return None


def _command_substitutions(text: str) -> Iterator[tuple[int, str]]:
    """(offset, body) of each outermost ``$(…)`` in a word's text."""
    index = text.find("$(")
    while index >= 0:
        depth, end = 0, -1
        for position in range(index + 1, len(text)):
            if text[position] == "(":
                depth += 1
            elif text[position] == ")":
                depth -= 1
                if depth == 0:
                    end = position
                    break
        if end < 0:
            return
        if not text.startswith("$((", index):  # $(( … )) is arithmetic
            yield index, text[index + 2 : end]
        index = text.find("$(", end + 1)


def _is_bare_variable(text: str) -> bool:
    return bool(re.fullmatch(r"\$\{?[A-Za-z_][A-Za-z0-9_]*(?:[:=?+-][^}]*)?\}?", text))


def _is_gpu_clang_flag(text: str, args: list[ShellWord], index: int) -> bool:
    if text.startswith(("--cuda-gpu-arch", "--offload-arch", "-xcuda", "-xhip", "--cuda-path", "--rocm-path")):
        return True
    return text == "-x" and index + 1 < len(args) and args[index + 1].text in ("cuda", "hip")
