"""Reading Helm chart templates, Jinja templates and Helm values files.

A template (``templates/*.yaml`` of a Helm chart or an Ansible role,
``*.yaml.j2``, ``*.yml.j2``, ``*.j2``, ``*.tpl``, ``*.yaml-template``) is
not valid YAML until it is rendered, and lockin never renders anything:
:func:`blank_template` takes the template language out instead. A line that
holds only ``{{ … }}``/``{{- … -}}``/``{% … %}``/``{# … #}`` tags (control
flow, ``include``, ``toYaml``) becomes a blank line; an expression inside a
line (``image: "{{ .Values.image }}:{{ .Values.tag }}"``) becomes a
placeholder value; line numbers are kept. The result is read by the reader
of the file the template renders to: Kubernetes manifests for YAML, the
shell-script reader for ``*.sh.j2``, the Dockerfile reader for
``Dockerfile.j2``. Both branches of an ``if`` are read: the chart can
render either.

A Helm chart's ``values.yaml`` is read as well (:func:`read_helm_values`):
``image:`` mappings (``registry``/``repository``/``tag``) are images, and the
resources, node selectors, affinities and tolerations it sets are read as in
a manifest.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml

from lockin.inventory.dockerfile import read_dockerfile
from lockin.inventory.images import normalise_image
from lockin.inventory.kubernetes import read_kubernetes
from lockin.inventory.shellscript import read_shell_script
from lockin.lines import YAML, counted_by, line_map, mapped
from lockin.records import Evidence, ReadResult
from lockin.yamlsafe import YamlError, compose

__all__ = ["PLACEHOLDER", "blank_template", "read_helm_chart", "read_helm_values", "read_template"]

#: What an expression inside a line becomes; evidence naming it is dropped
#: (an image whose name the template computes is not known).
PLACEHOLDER = "lockin-template-value"

_TAG_OPENER = re.compile(r"\{[{%#]")
_TAG_CLOSER = {"{": "}}", "%": "%}", "#": "#}"}
_TEMPLATE_SUFFIXES = (".j2", ".jinja2", ".jinja", ".tpl", "-template", ".template")
_NOT_A_MANIFEST = "a Kubernetes document must be a mapping"


def _tags(text: str):
    """Start and end of each ``{{ }}``, ``{% %}`` and ``{# #}`` tag, in order.

    Each tag ends at the first closer of its kind. Once an opener has no
    closer, no later opener of that kind has one either, so it is not looked
    for again: a regex (``\\{\\{.*?\\}\\}``) searched to the end of the
    text from every unclosed opener (quadratic: 40,000 ``{{`` took 6 s).
    """
    unclosed: set[str] = set()
    position = 0
    while len(unclosed) < len(_TAG_CLOSER):
        opener = _TAG_OPENER.search(text, position)
        if opener is None:
            return
        start = opener.start()
        kind = text[start + 1]
        end = -1 if kind in unclosed else text.find(_TAG_CLOSER[kind], start + 2)
        if end < 0:
            unclosed.add(kind)
            position = start + 1  # '{{%': a '{%' may start at the next character
            continue
        yield start, end + 2
        position = end + 2


def blank_template(text: str) -> str:
    """The template with its ``{{ }}``/``{% %}``/``{# #}`` tags taken out, lines kept.

    Tags alone on their lines (with blanks) leave blank lines; an expression
    inside text becomes :data:`PLACEHOLDER`, a statement (``{% if %}``) or
    comment inside text nothing; a tag spanning lines keeps its newlines.
    """
    pieces: list[str] = []
    position = 0
    for start, end in _tags(text):
        pieces.append(text[position:start])
        # An expression stands for a value; a statement or comment for nothing.
        mark = "\x00" if text.startswith("{{", start) else "\x01"
        pieces.append(mark + "\n" * text.count("\n", start, end))
        position = end
    pieces.append(text[position:])
    lines = []
    for line in "".join(pieces).split("\n"):
        if "\x00" not in line and "\x01" not in line:
            lines.append(line)
        elif not line.replace("\x00", "").replace("\x01", "").strip():
            lines.append("")  # control flow, include, toYaml …: nothing to read
        else:
            lines.append(line.replace("\x01", "").replace("\x00", PLACEHOLDER))
    return "\n".join(lines)


def read_template(text: str, path: str) -> ReadResult:
    """Read a Helm or Jinja template as the file it renders to.

    Parameters
    ----------
    text : str
        The template.
    path : str
        The path shown in problems; its name (without ``.j2``, ``.tpl`` …)
        says what the template renders to.

    Returns
    -------
    ReadResult
        What the reader of the rendered file finds, without evidence whose
        name the template computes. A template that still is not valid YAML
        once its tags are out raises :class:`~lockin.records.InputError`
        naming the file and line.
    """
    reader = _renders_to(path)
    if reader is None:
        return ReadResult()
    result = reader(blank_template(text), path)
    return _without_placeholders(result)


def _renders_to(path: str) -> Callable[[str, str], ReadResult] | None:
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    for suffix in _TEMPLATE_SUFFIXES:
        if lower.endswith(suffix):
            lower, name = lower[: -len(suffix)], name[: -len(suffix)]
            break
    if lower.endswith((".yaml", ".yml")):
        return _read_manifests
    if lower.endswith((".sh", ".bash")):
        return read_shell_script
    if name.startswith(("Dockerfile", "Containerfile")) or lower.endswith(".dockerfile"):
        return read_dockerfile
    return None


def _read_manifests(text: str, path: str) -> ReadResult:
    result = read_kubernetes(text, path)
    # A role's template may render any YAML (a config file, a list): not a manifest is no problem.
    result.problems[:] = [p for p in result.problems if not p.message.startswith(_NOT_A_MANIFEST)]
    return result


def _without_placeholders(result: ReadResult) -> ReadResult:
    """Drop evidence whose name the template computes; an image whose tag
    alone is computed (``repo:{{ .Values.tag }}``) keeps its name."""
    kept = []
    for evidence in result.evidence:
        name = evidence.name
        if evidence.kind == "image" and PLACEHOLDER in name and PLACEHOLDER not in name.rpartition(":")[0]:
            name = name.rpartition(":")[0] + ":{{…}}"
        if PLACEHOLDER not in name:
            kept.append(evidence._replace(name=name, spec=evidence.spec.replace(PLACEHOLDER, "{{…}}")))
    result.evidence[:] = kept
    return result


# ---------------------------------------------------------------------------
# values.yaml
# ---------------------------------------------------------------------------


def read_helm_values(text: str, path: str) -> ReadResult:
    """Read a Helm chart's ``values.yaml``.

    Returns
    -------
    ReadResult
        ``image`` evidence for ``image:`` mappings (``repository`` with its
        ``registry`` and ``tag``) on the repository's line, plus what the
        Kubernetes reader finds (resources such as ``nvidia.com/gpu``, node
        selectors, affinities, tolerations, plain ``image:`` strings, ``env``).

    Raises
    ------
    InputError
        When the file is not valid YAML (file and line named).
    """
    blanked = blank_template(text)  # the same \n-lines
    result = _without_placeholders(_read_manifests(blanked, path))  # on \n-lines already
    root = compose(blanked, path)
    lines = text.split("\n")
    images = _image_mappings(root, lines)
    mapping = line_map(blanked, YAML)
    if mapping is not None:
        # The marks counted YAML's extra breaks: name the \n-line, and show it.
        images = [e._replace(line=line, text=lines[line - 1].strip()) for e in images for line in [mapped(mapping, e.line)]]
    result.evidence.extend(images)
    result.evidence.sort(key=lambda e: e.line or 0)
    return result


def _image_mappings(root: yaml.Node | None, lines: list[str]) -> list[Evidence]:
    found = []
    stack = [root] if root is not None else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == "image" and isinstance(value, yaml.MappingNode):
                    evidence = _image_of(value, lines)
                    if evidence:
                        found.append(evidence)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return found


def _image_of(mapping: yaml.MappingNode, lines: list[str]) -> Evidence | None:
    fields = {k.value: v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}
    repository = fields.get("repository") or fields.get("name")
    if repository is None or not repository.value.strip() or PLACEHOLDER in repository.value:
        return None
    reference = repository.value.strip()
    registry = fields.get("registry")
    if registry is not None and registry.value.strip() and PLACEHOLDER not in registry.value:
        reference = registry.value.strip().rstrip("/") + "/" + reference
    tag = fields.get("tag")
    if tag is not None and tag.value.strip() and PLACEHOLDER not in tag.value:
        reference += ":" + tag.value.strip()
    name, tag_text = normalise_image(reference)
    line = repository.start_mark.line + 1
    return Evidence("image", name, line, lines[line - 1].strip() if line <= len(lines) else "", "docker", tag_text)


# ---------------------------------------------------------------------------
# Chart.yaml
# ---------------------------------------------------------------------------


@counted_by(YAML, exact=(YamlError,))
def read_helm_chart(text: str, path: str) -> ReadResult:
    """Read a Helm ``Chart.yaml``: the charts it depends on.

    Returns
    -------
    ReadResult
        ``package`` evidence (ecosystem ``helm``) per ``dependencies`` entry,
        named ``<repository>/<name>`` when the repository is an alias
        (``@nvidia`` gives ``nvidia/gpu-operator``) and ``<name>`` otherwise,
        with its version; ``index`` evidence (ecosystem ``helm``) for a
        repository URL.

    Raises
    ------
    InputError
        When the file is not valid YAML (file and line named).
    """
    result = ReadResult()
    root = compose(text, path)
    lines = YAML.breaks.split(text)  # as the marks count (see counted_by)
    dependencies = next((v for k, v in (root.value if isinstance(root, yaml.MappingNode) else []) if isinstance(k, yaml.ScalarNode) and k.value == "dependencies"), None)
    for item in dependencies.value if isinstance(dependencies, yaml.SequenceNode) else []:
        fields = {k.value: v for k, v in (item.value if isinstance(item, yaml.MappingNode) else []) if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}
        name = fields.get("name")
        if name is None or not name.value.strip():
            continue
        repository = fields["repository"].value.strip() if "repository" in fields else ""
        version = fields["version"].value.strip() if "version" in fields else ""
        line = name.start_mark.line + 1
        text_of_line = lines[line - 1].strip() if line <= len(lines) else ""
        chart = f"{repository[1:]}/{name.value.strip()}" if repository.startswith("@") else name.value.strip()
        result.add("package", chart, line, text_of_line, "helm", version)
        if "://" in repository:
            repository_line = fields["repository"].start_mark.line + 1
            result.add("index", repository.rstrip("/"), repository_line, lines[repository_line - 1].strip(), "helm")
    return result
