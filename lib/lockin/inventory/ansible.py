"""Reading Ansible playbooks, roles and variable files without running Ansible.

A cluster installer written in Ansible names its GPU vendor in

* package tasks: ``apt``/``yum``/``dnf``/``package``/``pip`` modules (with or
  without the ``ansible.builtin.`` prefix), their ``name:`` as a string, a
  comma-separated string, a list, or ``{{ item }}`` over a literal
  ``loop:``/``with_items:`` list; ``apt_repository``/``yum_repository``;
* the roles it runs: ``roles:`` of a play, ``include_role``/``import_role``,
  ``dependencies`` in ``meta/main.yml``, Galaxy ``requirements.yml`` entries
  (``nvidia.nvidia_driver``); ``import_playbook``;
* ``shell:``/``command:`` tasks, read as shell commands (vendor tools such as
  ``nvidia-smi``, installs, exports) by
  :class:`~lockin.inventory.shellscript.CommandReader`;
* Helm charts installed with the ``helm`` module (``chart_ref``) and the
  manifests the ``k8s`` module applies (``definition:``, read as Kubernetes);
* variable files (``defaults/``, ``vars/``, ``group_vars/``, ``host_vars/``):
  variables whose name says they hold a package (``*package*``, ``*pkg*``,
  ``cuda_version: cuda-toolkit``), a chart (``*chart*``), a repository URL
  (``*repo*``) or an image (``*image*``). Tasks usually install through
  such variables (``name: "{{ cuda_version }}"``); a reader of one file cannot
  resolve them, so the value is reported where it is written.

Jinja expressions are values, never errors: a name that is one expression
(``{{ pkg }}``) is not evidence, a URL is cut before its first expression.
The YAML is composed with :mod:`lockin.yamlsafe` (safe, positions kept).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml
from packaging.utils import canonicalize_name

from lockin.inventory.images import normalise_image
from lockin.inventory.kubernetes import walk_manifest
from lockin.inventory.shell import ShellSyntaxError, SourceText, split_commands, split_shell_words
from lockin.inventory.shellscript import CommandReader
from lockin.lines import YAML, counted_by, yaml_block_pieces
from lockin.records import ReadResult
from lockin.yamlsafe import YamlError, compose_all

__all__ = ["ANSIBLE", "HELM", "read_ansible"]

ANSIBLE = "ansible"
HELM = "helm"

_PREFIXES = ("ansible.builtin.", "ansible.legacy.", "community.general.", "kubernetes.core.", "community.kubernetes.")
_PACKAGE_MODULES = {"apt": "deb", "yum": "rpm", "dnf": "rpm", "package": "deb", "pip": "pypi", "zypper": "rpm"}
_SHELL_MODULES = frozenset({"shell", "command", "raw"})
_ROLE_MODULES = frozenset({"include_role", "import_role"})
_PLAY_SECTIONS = ("tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always")
_PACKAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+_-]*(?:[=<>!~]{1,2}[A-Za-z0-9.*+:~_-]+)?$")
_VERSION_ONLY = re.compile(r"^[vV]?[0-9][0-9.*_-]*$")
_PACKAGE_VARIABLE = re.compile(r"(^|_)(packages?|pkgs?|pkg_name|services)(_|$)|(^|_)cuda_version$", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s\"'{}]+")


@counted_by(YAML, exact=(YamlError,))
def read_ansible(text: str, path: str) -> ReadResult:
    """Read an Ansible playbook, task list, role file, inventory variables or Galaxy requirements.

    Parameters
    ----------
    text : str
        The YAML file.
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        ``package`` evidence (ecosystem ``deb``/``rpm``/``pypi`` for packages:
        for ``package:`` tasks and variables, which do not say which manager,
        ``rpm`` when the file is named for a RHEL-family system and ``deb``
        otherwise; ``ansible`` for roles; ``helm`` for charts); ``index`` for
        repositories; ``image``; and what ``shell``/``command`` tasks run.

    Raises
    ------
    InputError
        When the file is not valid YAML (file and line named).
    """
    result = ReadResult()
    lines = YAML.breaks.split(text)
    reader = _AnsibleReader(result, path, lines)
    for document in compose_all(text, path):
        reader.document(document)
    result.evidence.sort(key=lambda e: e.line or 0)
    return result


def _scalar(node: yaml.Node | None) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        return node.value
    return None


def _pairs(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if _scalar(key) is not None:
                yield key.value, value


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    return next((value for name, value in _pairs(node) if name == key), None)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _module_name(key: str) -> str:
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def _is_expression(text: str) -> bool:
    return "{{" in text or "{%" in text


class _AnsibleReader(CommandReader):
    def __init__(self, result: ReadResult, path: str, lines: list[str]):
        super().__init__(result, path, lines, ANSIBLE)
        # 'package:' and variables do not say which manager: a file named for a
        # RHEL-family system (tasks/redhat.yml, vars/el8.yml) is for rpm.
        self.system = "rpm" if re.search(r"redhat|rhel|centos|rocky|fedora|(^|[/_-])el\d", path.lower()) else "deb"

    def document(self, node: yaml.Node) -> None:
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self.entry(item)
        elif isinstance(node, yaml.MappingNode):
            self.top_mapping(node)

    def top_mapping(self, node: yaml.MappingNode) -> None:
        """A variables file, ``meta/main.yml`` or a Galaxy ``requirements.yml`` mapping."""
        for key, value in _pairs(node):
            if key == "dependencies":
                self.roles(value)
            elif key == "roles" and isinstance(value, yaml.SequenceNode):
                self.roles(value)
            elif key == "collections":
                continue
            else:
                self.variable(key, value)

    def entry(self, node: yaml.Node) -> None:
        """An item of a top-level list: a play, a task, or a Galaxy requirement."""
        if not isinstance(node, yaml.MappingNode):
            return
        keys = {key for key, _ in _pairs(node)}
        if "src" in keys and "hosts" not in keys:
            self.role_name(_get(node, "src"))  # a Galaxy requirement
        elif "hosts" in keys or "import_playbook" in keys or "ansible.builtin.import_playbook" in keys:
            self.play(node)
        else:
            self.task(node)

    # -- plays and tasks -------------------------------------------------------

    def play(self, node: yaml.MappingNode) -> None:
        for key, value in _pairs(node):
            if key == "roles":
                self.roles(value)
            elif key in _PLAY_SECTIONS and isinstance(value, yaml.SequenceNode):
                for task in value.value:
                    self.task(task)
            elif key == "vars":
                for name, item in _pairs(value):
                    self.variable(name, item)
            elif key == "environment":
                self.environment(value)

    def task(self, node: yaml.Node) -> None:
        if not isinstance(node, yaml.MappingNode):
            return
        loop = _get(node, "loop") or _get(node, "with_items")
        for key, value in _pairs(node):
            module = _module_name(key)
            if module in _PLAY_SECTIONS and isinstance(value, yaml.SequenceNode):
                for task in value.value:
                    self.task(task)
            elif module in _PACKAGE_MODULES:
                ecosystem = self.system if module == "package" else _PACKAGE_MODULES[module]
                self.packages(ecosystem, value, loop)
            elif module in _SHELL_MODULES:
                self.shell(value)
            elif module in _ROLE_MODULES:
                self.role_name(_get(value, "name"))
            elif module == "apt_repository":
                self.repository(_get(value, "repo"), "deb")
            elif module == "yum_repository":
                self.repository(_get(value, "baseurl"), "rpm")
            elif module == "helm":
                self.chart(_get(value, "chart_ref"))
                self.repository(_get(value, "chart_repo_url"), HELM)
            elif module == "k8s":
                walk_manifest(_get(value, "definition"), self.result, self.path, self.lines)
            elif module == "environment":
                self.environment(value)

    def packages(self, ecosystem: str, arguments: yaml.Node, loop: yaml.Node | None) -> None:
        free_form = _scalar(arguments)
        if free_form is not None:
            # 'apt: name=cuda-drivers state=present'
            match = re.search(r"(?:^|\s)(?:name|pkg)=(\S+)", free_form)
            if match:
                for name in match.group(1).split(","):
                    self.package(name, arguments, ecosystem)
            return
        names = _get(arguments, "name") or _get(arguments, "pkg")
        if names is None:
            return
        items = names.value if isinstance(names, yaml.SequenceNode) else [names]
        for item in items:
            text = _scalar(item)
            if text is None:
                continue
            if re.fullmatch(r"\{\{\s*item(?:\.name)?\s*\}\}", text.strip()) and isinstance(loop, yaml.SequenceNode):
                for looped in loop.value:
                    looped_name = _scalar(looped) or _scalar(_get(looped, "name"))
                    if looped_name is not None:
                        self.package(looped_name, looped, ecosystem)
                continue
            for name in text.split(","):
                self.package(name, item, ecosystem)

    def package(self, text: str, node: yaml.Node, ecosystem: str) -> None:
        text = text.strip()
        if not text or _is_expression(text) or not _PACKAGE_NAME.match(text):
            return
        name, spec = re.match(r"([A-Za-z0-9][A-Za-z0-9.+_-]*)(.*)", text).groups()
        name = canonicalize_name(name) if ecosystem == "pypi" else name.lower()
        self.add("package", name, _line(node), ecosystem, spec.lstrip("="))

    def shell(self, value: yaml.Node) -> None:
        command = _scalar(value)
        if command is None:
            command_node = _get(value, "cmd")
            command = _scalar(command_node)
            if command is None:
                argv = _get(value, "argv")
                if isinstance(argv, yaml.SequenceNode):
                    words = [_scalar(item) or "" for item in argv.value]
                    self.shell_text(" ".join(_quoted(w) for w in words), argv)
                return
            value = command_node
        self.shell_text(command, value)

    def shell_text(self, command: str, node: yaml.Node) -> None:
        source = SourceText()
        # A block scalar's text starts on the line after its '|' or '>'.
        first = _line(node) + (1 if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">") else 0)
        for line, piece in yaml_block_pieces(command, first):
            source.append(piece + "\n", line)
        try:
            words = split_shell_words(source)
        except ShellSyntaxError as exc:
            self.problem(source.line_at(exc.offset), f"shell task: {exc}")
            return
        for simple in split_commands(words):
            self.analyse_command(simple, depth=0)

    def environment(self, value: yaml.Node) -> None:
        for name, item in _pairs(value):
            self.add("env", name, _line(item), ANSIBLE, _scalar(item) or "")

    # -- roles, charts, repositories --------------------------------------------

    def roles(self, value: yaml.Node) -> None:
        if not isinstance(value, yaml.SequenceNode):
            return
        for item in value.value:
            if isinstance(item, yaml.ScalarNode):
                self.role_name(item)
            else:
                self.role_name(_get(item, "role") or _get(item, "name") or _get(item, "src"))

    def role_name(self, node: yaml.Node | None) -> None:
        name = _scalar(node)
        if name and not _is_expression(name):
            # A Galaxy 'src' may be a URL or 'git+https://…/ansible-role-x.git': keep its last part.
            name = name.strip().rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
            self.add("package", name, _line(node), ANSIBLE)

    def chart(self, node: yaml.Node | None) -> None:
        name = _scalar(node)
        if name and not _is_expression(name):
            self.add("package", name.strip(), _line(node), HELM)

    def repository(self, node: yaml.Node | None, ecosystem: str) -> None:
        text = _scalar(node)
        if not text:
            return
        match = _URL.search(text)
        if match:
            self.add("index", match.group(0).rstrip("/"), _line(node), ecosystem)

    # -- variables ------------------------------------------------------------------

    def variable(self, name: str, value: yaml.Node) -> None:
        lower = name.lower()
        items = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for item in items:
            text = _scalar(item)
            if text is None:
                continue
            text = text.strip()
            if "chart" in lower and "/" in text and "://" not in text:
                self.chart(item)
            elif "repo" in lower and "://" in text:
                self.repository(item, HELM if "helm" in lower or "chart" in lower else "rpm" if re.search(r"rhel|rpm|yum|dnf", lower) else "deb")
            elif "image" in lower and ("/" in text or ":" in text) and not _is_expression(text) and " " not in text:
                image, tag = normalise_image(text)
                self.add("image", image, _line(item), "docker", tag)
            elif _PACKAGE_VARIABLE.search(lower) and not _VERSION_ONLY.match(text) and not text.endswith((".deb", ".rpm", ".service")):
                self.package(text, item, self.system)


def _quoted(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"
