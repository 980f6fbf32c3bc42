"""Reading Kubernetes manifests: multi-document YAML as ``kubectl`` or
``helm template`` writes it.

The YAML is composed (not constructed) with PyYAML's safe loader, which
keeps the position of every node, so each piece of evidence gets its exact
line. Rather than knowing where every workload kind keeps its pod template
(Deployment, CronJob's ``jobTemplate``, Kubeflow's
``pytorchReplicaSpecs.*.template``, Ray clusters, …), the whole node tree
is walked and the fields that matter are recognised wherever they are:
container ``image`` and ``env``, ``resources`` limits and requests,
``nodeSelector``, node affinity expressions, ``tolerations`` and
``runtimeClassName``; plus ``handler`` of a ``RuntimeClass`` object.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from lockin.inventory.images import normalise_image
from lockin.lines import YAML, counted_by
from lockin.records import ReadResult
from lockin.yamlsafe import YamlError, compose_all

K8S = "k8s"

# Resource names Kubernetes itself defines; anything else in a container's
# limits or requests is an extended resource from a device plugin.
_STANDARD_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage", "storage", "pods"})

# Line breaks as PyYAML counts them, so node marks index this list.
_YAML_LINE_BREAK = YAML.breaks

_NULL_TAG = "tag:yaml.org,2002:null"


@counted_by(YAML, exact=(YamlError,))
def read_kubernetes(text: str, path: str) -> ReadResult:
    """Read Kubernetes manifests.

    Parameters
    ----------
    text : str
        One or more YAML documents (``---`` separated), as written by hand,
        by ``kubectl get -o yaml`` (``kind: List``) or by ``helm template``.
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        ``cluster`` evidence (ecosystem ``k8s``) for extended resources,
        node labels (``key=value``), tolerations (``toleration=<key>``) and
        runtime classes (``runtimeClass=<name>``); ``image`` evidence
        (ecosystem ``docker``); ``env`` evidence for container variables.
        A document that is not a mapping is a problem.

    Raises
    ------
    InputError
        When the text is not valid YAML.
    """
    result = ReadResult()
    walker = _Walker(result, path, _YAML_LINE_BREAK.split(text))
    for document in _documents(text, path):
        if _is_null(document):
            continue  # Helm renders empty documents for disabled templates
        if not isinstance(document, yaml.MappingNode):
            result.problem(path, _line(document), f"a Kubernetes document must be a mapping, found a {_node_kind(document)}")
            continue
        walker.walk(document)
    # The walk visits keys depth-first; file order reads better.
    result.evidence.sort(key=lambda e: e.line or 0)
    return result


def walk_manifest(node: yaml.Node, result: ReadResult, path: str, lines: list[str]) -> None:
    """Evidence from one composed Kubernetes object found inside another file
    (the ``definition:`` of an Ansible ``k8s`` task), as :func:`read_kubernetes` reads a document.

    ``lines`` are the file's lines, which node marks index.
    """
    if isinstance(node, yaml.MappingNode):
        _Walker(result, path, lines).walk(node)


def _documents(text: str, path: str) -> Iterator[yaml.Node]:
    # Safe composition with alias expansion bounded; errors name file and line.
    return compose_all(text, path)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and (node.tag == _NULL_TAG or node.value == "")


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    return f"scalar ({node.value[:40]!r})"


def _scalar(node: yaml.Node | None) -> str | None:
    """The text of a non-null scalar node, else None."""
    if isinstance(node, yaml.ScalarNode) and node.tag != _NULL_TAG:
        return node.value
    return None


def _pairs(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key text, key node, value node) of a mapping node with scalar keys."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            text = _scalar(key)
            if text is not None:
                yield text, key, value


def _get(node: yaml.Node, key: str) -> yaml.Node | None:
    return next((value for text, _, value in _pairs(node) if text == key), None)


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _walked_pairs(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    """The pairs of a mapping whose values are walked: all but a Secret's
    data, which is credentials and never evidence, whatever its keys are
    called (an ``image`` key there is no image)."""
    if _scalar(_get(node, "kind")) != "Secret":
        return node.value
    return [(key, value) for key, value in node.value if _scalar(key) not in ("data", "stringData", "binaryData")]


def is_extended_resource(name: str) -> bool:
    """Whether a resource name is an extended (device-plugin) resource.

    Kubernetes defines extended resources as fully qualified names outside
    the ``kubernetes.io`` domain (``nvidia.com/gpu``, ``amd.com/gpu``);
    ``cpu``, ``memory``, ``ephemeral-storage`` and ``hugepages-*`` are its
    own.
    """
    if name in _STANDARD_RESOURCES or name.startswith("hugepages-"):
        return False
    domain = name.split("/", 1)[0] if "/" in name else ""
    return not (domain == "kubernetes.io" or domain.endswith(".kubernetes.io"))


# Zero written any way Kubernetes accepts: 0, 0.0, .0, 0m, 0Ki.
_ZERO_QUANTITY = re.compile(r"\+?(0+(\.0*)?|\.0+)[A-Za-z]*")


def is_zero_quantity(quantity: str | None) -> bool:
    """Whether a resource quantity asks for none of the resource.

    A CPU job may pin ``nvidia.com/gpu: 0`` so the scheduler never hands it
    a device; that binds it to no vendor.  Any suffix (``0m``, ``0Ki``)
    still means zero.
    """
    return quantity is not None and _ZERO_QUANTITY.fullmatch(quantity.strip()) is not None


class _Walker:
    """Walks a document's node tree and records evidence."""

    def __init__(self, result: ReadResult, path: str, lines: list[str]):
        self.result = result
        self.path = path
        self.lines = lines
        self._seen: set[int] = set()

    def add(self, kind: str, name: str, node: yaml.Node, ecosystem: str = K8S, spec: str = "") -> None:
        line = _line(node)
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        self.result.add(kind, name, line, text, ecosystem, spec)

    def walk(self, node: yaml.Node) -> None:
        # Aliases reuse node objects; visiting each once keeps a
        # 'billion laughs' document (or a recursive one) cheap and finite.
        # Per document: ids of earlier, freed documents may be reused.
        self._seen = set()
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in self._seen:
                continue
            self._seen.add(id(current))
            if isinstance(current, yaml.MappingNode):
                self._mapping(current)
                stack.extend(value for _, value in reversed(_walked_pairs(current)))
            elif isinstance(current, yaml.SequenceNode):
                stack.extend(reversed(current.value))

    def _mapping(self, node: yaml.MappingNode) -> None:
        if _scalar(_get(node, "kind")) == "RuntimeClass":
            handler = _get(node, "handler")
            if _scalar(handler):
                self.add("cluster", f"runtimeClass={handler.value}", handler)
        for key, key_node, value in _pairs(node):
            if key == "image":
                self._image(value, node)
            elif key == "env":
                self._env(value)
            elif key == "resources":
                self._resources(value)
            elif key == "nodeSelector":
                self._node_selector(value)
            elif key == "nodeAffinity":
                self._node_affinity(value)
            elif key == "tolerations":
                self._tolerations(value)
            elif key == "runtimeClassName" and _scalar(value):
                self.add("cluster", f"runtimeClass={value.value}", value)

    def _image(self, value: yaml.Node, mapping: yaml.MappingNode) -> None:
        reference = _scalar(value)
        if not (reference and reference.strip()):
            return
        repository = _get(mapping, "repository")
        if _scalar(repository) and "/" not in reference:
            # Operator custom resources (NicClusterPolicy, ClusterPolicy …) split
            # an image into 'repository', 'image' and 'version': the registry is the repository's.
            reference = f"{repository.value.strip().rstrip('/')}/{reference.strip()}"
            version = _scalar(_get(mapping, "version")) or _scalar(_get(mapping, "tag"))
            if version and version.strip():
                reference += ":" + version.strip()
            value = repository
        name, tag = normalise_image(reference)
        self.add("image", name, value, "docker", tag)

    def _env(self, value: yaml.Node) -> None:
        for item in _items(value):
            name_node = _get(item, "name")
            name = _scalar(name_node)
            if name:
                self.add("env", name, name_node, K8S, _scalar(_get(item, "value")) or "")

    def _resources(self, value: yaml.Node) -> None:
        for section in ("limits", "requests"):
            for resource, key_node, quantity in _pairs(_get(value, section)):
                if is_extended_resource(resource) and not is_zero_quantity(_scalar(quantity)):
                    self.add("cluster", resource, key_node, K8S, _scalar(quantity) or "")

    def _node_selector(self, value: yaml.Node) -> None:
        for label, key_node, label_value in _pairs(value):
            text = _scalar(label_value)
            self.add("cluster", f"{label}={text}" if text else label, key_node, K8S, text or "")

    def _node_affinity(self, value: yaml.Node) -> None:
        # matchExpressions sit at different depths under required and
        # preferred terms; anything under nodeAffinity is about node labels
        # (podAffinity's expressions select pods and are not walked here).
        stack = [value]
        while stack:
            current = stack.pop()
            if isinstance(current, yaml.MappingNode):
                for key, _, child in _pairs(current):
                    if key == "matchExpressions":
                        for expression in _items(child):
                            self._expression(expression)
                    else:
                        stack.append(child)
            elif isinstance(current, yaml.SequenceNode):
                stack.extend(current.value)

    def _expression(self, expression: yaml.Node) -> None:
        key_node = _get(expression, "key")
        key = _scalar(key_node)
        if not key:
            return
        operator = _scalar(_get(expression, "operator")) or ""
        values = [v for v in _items(_get(expression, "values")) if _scalar(v) is not None]
        if operator == "In":
            for value in values:
                self.add("cluster", f"{key}={value.value}", value, K8S, value.value)
        elif operator == "Exists":
            self.add("cluster", key, key_node)
        elif operator in ("Gt", "Lt"):
            spec = " ".join([operator, *(v.value for v in values)])
            self.add("cluster", key, key_node, K8S, spec)
        # NotIn and DoesNotExist keep pods *off* such nodes: no dependency.

    def _tolerations(self, value: yaml.Node) -> None:
        for item in _items(value):
            key_node = _get(item, "key")
            key = _scalar(key_node)
            if key:
                self.add("cluster", f"toleration={key}", key_node, K8S, _scalar(_get(item, "value")) or "")
