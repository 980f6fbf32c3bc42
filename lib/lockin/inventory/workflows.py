"""Reading CI workflows: GitHub Actions and GitLab CI/CD.

A project's CI says what hardware it is tested on and which vendor tools
its jobs call: a job that ``runs-on: [self-hosted, h100]``, runs in
``container: nvcr.io/nvidia/pytorch:24.05-py3`` and starts with
``nvidia-smi`` is bound to NVIDIA however portable the code is.

Both formats are YAML, composed with PyYAML's safe loader through
:mod:`lockin.yamlsafe` (composition keeps every node's line; GitLab's
``!reference`` tags need no constructor). What is read:

GitHub Actions (``.github/workflows/*.yml``, ``action.yml`` composite actions)
    ``runs-on`` labels (a string, a list, a runner ``group`` and its ``labels``, and
    the values of a ``${{ matrix.<key> }}`` list), ``container`` and
    ``services`` images, ``steps[].run`` commands, ``steps[].uses``
    (``docker://`` images; ``owner/repo`` actions as packages) and ``env``.
GitLab CI (``.gitlab-ci.yml``, ``*.gitlab-ci.yml``, ``.gitlab/ci/*.yml``)
    ``tags`` (the runner labels), ``image`` and ``services``,
    ``script``/``before_script``/``after_script`` commands and ``variables``.

Commands are split with :mod:`lockin.inventory.shell`; the program of each
simple command is ``api`` evidence of ecosystem ``tool`` (a vendor tool
when the catalog knows it). Expressions (``${{ … }}``, ``$VAR``) are values
nobody can resolve without running the pipeline: they are not evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from lockin.inventory.images import normalise_image
from lockin.inventory.shell import ShellSyntaxError, SourceText, split_commands, split_shell_words
from lockin.lines import YAML, counted_by, yaml_block_pieces
from lockin.records import ReadResult
from lockin.yamlsafe import YamlError, compose_all

GITHUB = "github-actions"
GITLAB = "gitlab-ci"
TOOL = "tool"

# Line breaks as PyYAML counts them, so node marks index this list.
_YAML_LINE_BREAK = YAML.breaks
_NULL_TAG = "tag:yaml.org,2002:null"
_MATRIX_REFERENCE = re.compile(r"^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$")

#: Words that run the next word as the program (``sudo nvidia-smi``).
_PREFIX_COMMANDS = frozenset({"sudo", "env", "time", "nohup", "exec", "command", "builtin", "nice", "timeout", "xargs"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")

#: GitLab keywords at the top of a pipeline that are not jobs.
_GITLAB_GLOBAL_KEYWORDS = frozenset({"stages", "include", "workflow", "spec", "cache", "variables"})
_GITLAB_SCRIPTS = ("before_script", "script", "after_script")


def is_gitlab_path(path: str) -> bool:
    """Whether a workflow file is GitLab CI (else GitHub Actions), by its path."""
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")) or name in (".gitlab-ci.yml", ".gitlab-ci.yaml") or "/.gitlab/" in f"/{path}"


@counted_by(YAML, exact=(YamlError,))
def read_workflow(text: str, path: str) -> ReadResult:
    """Read a GitHub Actions workflow (or action) or a GitLab CI pipeline.

    Parameters
    ----------
    text : str
    path : str
        The path shown in problems; it also tells GitLab (``.gitlab-ci.yml``,
        ``.gitlab/``) from GitHub files.

    Returns
    -------
    ReadResult
        ``cluster`` evidence ``runner=<label>`` (ecosystem ``github-actions``
        or ``gitlab-ci``) per runner label; ``image`` evidence (ecosystem
        ``docker``); ``api`` evidence (ecosystem ``tool``) for the program of
        each command; ``package`` evidence (ecosystem ``github-actions``) for
        each action a step uses; ``env`` evidence per variable. A command
        that cannot be split (a quote never closed) is a problem naming its
        line; a document that is not a mapping, one too.

    Raises
    ------
    InputError
        When the text is not valid YAML.
    """
    reader = _WorkflowReader(path, _YAML_LINE_BREAK.split(text), GITLAB if is_gitlab_path(path) else GITHUB)
    for document in compose_all(text, path):
        if _is_null(document):
            continue
        if not isinstance(document, yaml.MappingNode):
            reader.result.problem(path, _line(document), "a workflow must be a mapping at the top")
            continue
        if reader.ecosystem == GITLAB:
            reader.gitlab(document)
        else:
            reader.github(document)
    reader.result.evidence.sort(key=lambda e: e.line or 0)
    return reader.result


# ---------------------------------------------------------------------------
# YAML node helpers
# ---------------------------------------------------------------------------


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and (node.tag == _NULL_TAG or node.value == "")


def _scalar(node: yaml.Node | None) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.tag != _NULL_TAG:
        return node.value
    return None


def _pairs(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            text = _scalar(key)
            if text is not None:
                yield text, value


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    return next((value for text, value in _pairs(node) if text == key), None)


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _scalars(node: yaml.Node | None) -> list[yaml.ScalarNode]:
    """A scalar, or the scalars of a (nested) list: how both CIs write label and script lists."""
    if isinstance(node, yaml.ScalarNode):
        return [] if _is_null(node) else [node]
    return [leaf for item in _items(node) for leaf in _scalars(item)]


def _is_expression(value: str) -> bool:
    return "${{" in value or value.startswith("$")


class _WorkflowReader:
    def __init__(self, path: str, lines: list[str], ecosystem: str):
        self.path, self.lines, self.ecosystem = path, lines, ecosystem
        self.result = ReadResult()

    def text(self, line: int) -> str:
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    # -- GitHub Actions ------------------------------------------------------

    def github(self, document: yaml.MappingNode) -> None:
        self.env(_get(document, "env"))
        shell = _default_shell(document)
        for _, job in _pairs(_get(document, "jobs")):
            self.github_job(job, shell)
        runs = _get(document, "runs")  # an action.yml: composite or docker action
        if runs is not None:
            self.steps(_get(runs, "steps"), shell)
            image = _scalar(_get(runs, "image"))
            if image and image.startswith("docker://"):
                self.image(image.removeprefix("docker://"), _line(_get(runs, "image")))

    def github_job(self, job: yaml.Node, shell: str | None) -> None:
        if not isinstance(job, yaml.MappingNode):
            return
        shell = _default_shell(job) or shell
        if shell is None and any("windows" in label.value.lower() for label in _scalars(_get(job, "runs-on"))):
            shell = "pwsh"  # GitHub's default shell on Windows runners
        self.runs_on(_get(job, "runs-on"), _get(_get(job, "strategy"), "matrix"))
        container = _get(job, "container")
        self.container(container)
        for _, service in _pairs(_get(job, "services")):
            self.container(service)
        self.env(_get(job, "env"))
        self.env(_get(container, "env"))
        self.steps(_get(job, "steps"), shell)

    def runs_on(self, node: yaml.Node | None, matrix: yaml.Node | None) -> None:
        if isinstance(node, yaml.MappingNode):
            # A runner group's name says what its machines are as much as a label does.
            labels = _scalars(_get(node, "group")) + _scalars(_get(node, "labels"))
        else:
            labels = _scalars(node)
        for label in labels:
            reference = _MATRIX_REFERENCE.match(label.value.strip())
            if reference:
                # 'runs-on: ${{ matrix.runner }}': the matrix lists the labels.
                values = _get(matrix, reference.group(1))
                labels_of_matrix = _scalars(values)
                for entry in _items(_get(matrix, "include")):
                    labels_of_matrix += _scalars(_get(entry, reference.group(1)))
                for value in labels_of_matrix:
                    self.runner(value)
            else:
                self.runner(label)

    def runner(self, label: yaml.ScalarNode) -> None:
        value = label.value.strip()
        if value and not _is_expression(value):
            line = _line(label)
            self.result.add("cluster", f"runner={value}", line, self.text(line), self.ecosystem)

    def container(self, node: yaml.Node | None) -> None:
        image = node if isinstance(node, yaml.ScalarNode) else _get(node, "image")
        value = _scalar(image)
        if value:
            self.image(value, _line(image))

    def image(self, reference: str, line: int) -> None:
        reference = reference.strip()
        if reference and not _is_expression(reference) and "$" not in reference:
            name, tag = normalise_image(reference)
            self.result.add("image", name, line, self.text(line), "docker", tag)

    def steps(self, steps: yaml.Node | None, shell: str | None = None) -> None:
        for step in _items(steps):
            uses = _get(step, "uses")
            used = _scalar(uses)
            if used:
                self.action(used.strip(), _line(uses))
            run = _get(step, "run")
            if isinstance(run, yaml.ScalarNode):
                step_shell = _scalar(_get(step, "shell")) or shell
                if step_shell and not _is_posix_shell(step_shell):
                    self.line_commands(run)
                else:
                    self.commands(run)
            self.env(_get(step, "env"))

    def action(self, used: str, line: int) -> None:
        if used.startswith("docker://"):
            self.image(used.removeprefix("docker://"), line)
        elif not used.startswith("./") and "/" in used and not _is_expression(used):
            name, _, ref = used.partition("@")
            owner_repo = "/".join(name.split("/")[:2])  # 'owner/repo/sub/action' is in owner/repo
            self.result.add("package", owner_repo.lower(), line, self.text(line), GITHUB, ref)

    def env(self, node: yaml.Node | None) -> None:
        for name, value in _pairs(node):
            if isinstance(value, yaml.MappingNode):
                value = _get(value, "value")  # GitLab's 'VAR: {value: …, description: …}'
            line = _line(value) if value is not None else 1
            self.result.add("env", name, line, self.text(line), self.ecosystem, _scalar(value) or "")

    # -- GitLab CI -----------------------------------------------------------

    def gitlab(self, document: yaml.MappingNode) -> None:
        self.gitlab_job(document)  # top-level image, services, scripts (old-style defaults)
        for key, job in _pairs(document):
            if key in _GITLAB_GLOBAL_KEYWORDS or not isinstance(job, yaml.MappingNode):
                continue
            self.gitlab_job(job)

    def gitlab_job(self, job: yaml.MappingNode) -> None:
        self.container(_get(job, "image"))
        for service in _items(_get(job, "services")):
            self.container(service if isinstance(service, yaml.ScalarNode) else _get(service, "name"))
        for tag in _scalars(_get(job, "tags")):
            self.runner(tag)
        for key in _GITLAB_SCRIPTS:
            for command in _scalars(_get(job, key)):
                self.commands(command)
        self.env(_get(job, "variables"))

    # -- commands ------------------------------------------------------------

    def commands(self, node: yaml.ScalarNode) -> None:
        """The programs a ``run:``/``script:`` scalar starts, each at its line."""
        source = self.source_of(node)
        try:
            words = split_shell_words(source)
        except ShellSyntaxError as exc:
            self.result.problem(self.path, source.line_at(exc.offset), f"command cannot be split: {exc}")
            return
        first_line, last_line = _line(node), node.end_mark.line + 1
        cursor = first_line
        for command in split_commands(words):
            program = _program(command)
            if program is None:
                continue
            line = program.line
            if node.style not in ("|",):
                # Folded or plain text lost its line breaks: find the word again.
                line = self.find_line(program.text, cursor, last_line) or cursor
                cursor = line
            name = program.text.rsplit("/", 1)[-1]
            if name:
                self.result.add("api", name, line, self.text(line), TOOL)

    def line_commands(self, node: yaml.ScalarNode) -> None:
        """The programs of a PowerShell or cmd script: the first word of each
        line (their quoting and `` ` `` continuations are not POSIX shell's)."""
        source = self.source_of(node)
        continued = False
        for piece, line in zip(source.text.split("\n"), _piece_lines(source)):
            program = None if continued else _first_program_of_line(piece)
            if program:
                self.result.add("api", program, line, self.text(line), TOOL)
            continued = piece.rstrip().endswith(("`", "^"))

    def source_of(self, node: yaml.ScalarNode) -> SourceText:
        """The scalar's value with each line mapped to the file's line.

        A literal block (``|``) keeps its lines one to one, starting on the
        line after the indicator; other styles map to the node's first line
        and :meth:`commands` finds each program's line again.
        """
        source = SourceText()
        if node.style == "|":
            first = _line(node) + 1
            for line, piece in yaml_block_pieces(node.value, first):
                source.append(piece + "\n", line)
        else:
            source.append(node.value, _line(node))
        return source

    def find_line(self, word: str, start: int, end: int) -> int | None:
        for number in range(start, min(end, len(self.lines)) + 1):
            if word in self.lines[number - 1]:
                return number
        return None


def _program(command: list) -> object | None:
    """The word naming the program of a simple command, past assignments and ``sudo``."""
    for word in command:
        text = word.text
        if _ASSIGNMENT.match(text) or text in _PREFIX_COMMANDS or text.startswith("-"):
            continue
        return None if "$" in text or "`" in text else word
    return None


def _default_shell(node: yaml.Node | None) -> str | None:
    """``defaults: run: shell:`` of a workflow or job."""
    return _scalar(_get(_get(_get(node, "defaults"), "run"), "shell"))


def _is_posix_shell(shell: str) -> bool:
    # 'bash {0}', 'sh -e {0}', 'bash --noprofile --norc -eo pipefail {0}': the program decides.
    program = shell.split()[0].rsplit("/", 1)[-1] if shell.split() else ""
    return program not in ("pwsh", "powershell", "cmd", "python")


def _piece_lines(source: SourceText) -> list[int]:
    """The file line of each newline-separated piece of a source text."""
    lines, offset = [], 0
    for piece in source.text.split("\n"):
        lines.append(source.line_at(offset))
        offset += len(piece) + 1
    return lines


def _first_program_of_line(line: str) -> str | None:
    """The program a PowerShell or cmd line starts (``& 'C:\\…\\nvidia-smi.exe' -L`` gives ``nvidia-smi``)."""
    text = line.strip()
    if text.startswith("& "):
        text = text[2:].lstrip()  # PowerShell's call operator
    if not text or text.startswith(("#", "$", "-", "}", "{", "(", ")", "@", "REM ", "::")):
        return None
    if text[0] in "'\"":
        close = text.find(text[0], 1)
        word = text[1:close] if close > 0 else text[1:]
    else:
        word = text.split()[0]
    program = word.replace("\\", "/").rsplit("/", 1)[-1]
    return program[:-4] if program.lower().endswith(".exe") else program or None
