"""Reading software bills of materials: CycloneDX 1.4–1.7 JSON and SPDX 2.2/2.3 JSON.

Each component (CycloneDX, nested ``components`` included, plus
``metadata.component``) or package (SPDX) becomes evidence named after its
package URL (purl, parsed with ``packageurl-python``): the purl type is
the ecosystem, PyPI names are normalised, container images
(``pkg:docker``, ``pkg:oci``) become ``image`` evidence. Without a purl,
the component's own name and version are used with ecosystem ``generic``.

JSON has no line numbers once parsed, so each component's line is found
back in the text: the line of its ``"purl": "…"`` (or
``"referenceLocator": "…"``, or ``"name": "…"``) member. When the same
value occurs several times, the n-th component with that value gets the
n-th occurrence, which keeps duplicates in document order.
"""

from __future__ import annotations

import json
import re
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from packageurl import PackageURL
from packaging.utils import canonicalize_name

from lockin.inventory.conda import channel_name
from lockin.inventory.images import normalise_image
from lockin.inventory.jsontext import load_json_object
from lockin.inventory.pip import add_local_version
from lockin.records import InputError, ReadResult

# 1.7 (October 2025) keeps components and purls as 1.6 has them.
CYCLONEDX_VERSIONS = ("1.4", "1.5", "1.6", "1.7")
SPDX_VERSIONS = ("SPDX-2.2", "SPDX-2.3")

# purl types whose namespace is part of the package name, and the joiner.
_NAMESPACED_TYPES = {"npm": "/", "golang": "/", "github": "/", "bitbucket": "/", "composer": "/", "swift": "/", "huggingface": "/", "maven": ":"}
# purl types whose package managers fold case (docs/evidence-names.md).
_LOWER_CASE_TYPES = frozenset({"deb", "rpm", "conda", "apk", "alpm"})
_IMAGE_TYPES = frozenset({"docker", "oci"})
# CycloneDX component types that are not dependencies one installs.
_SKIPPED_COMPONENT_TYPES = frozenset({"file", "data"})


def read_cyclonedx(text: str, path: str) -> ReadResult:
    """Read a CycloneDX JSON SBOM (spec versions 1.4 to 1.7).

    Parameters
    ----------
    text : str
        The SBOM.
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        ``package`` evidence (ecosystem: the purl type, or ``generic``),
        ``image`` evidence for container images, ``index`` evidence for a
        conda ``channel`` qualifier. A component with a malformed purl or
        of the wrong shape is a problem.

    Raises
    ------
    InputError
        For invalid JSON, a document that is not CycloneDX, or an
        unsupported spec version.
    """
    data = load_json_object(text, path)
    locator = _LineLocator(text)
    if data.get("bomFormat") != "CycloneDX":
        raise InputError(path, locator.key_line("bomFormat"), f"not a CycloneDX SBOM: bomFormat is {data.get('bomFormat')!r}, expected 'CycloneDX'")
    version = data.get("specVersion")
    if version not in CYCLONEDX_VERSIONS:
        raise InputError(
            path,
            locator.key_line("specVersion"),
            f"unsupported CycloneDX specVersion {version!r}: expected one of {', '.join(CYCLONEDX_VERSIONS)}",
        )
    reader = _SbomReader(ReadResult(), path, text, locator)
    metadata = data.get("metadata")
    subject = metadata.get("component") if isinstance(metadata, dict) else None
    # The subject is the thing described, not one of its dependencies: it
    # counts when it is an image (a base to build on) or names itself by purl.
    if isinstance(subject, dict) and (subject.get("purl") or subject.get("type") == "container"):
        reader.component(subject)
    components = data.get("components", [])
    if not isinstance(components, list):
        reader.result.problem(path, locator.key_line("components"), "'components' must be a list")
    else:
        reader.components(components)
    return reader.result


def read_spdx(text: str, path: str) -> ReadResult:
    """Read an SPDX 2.3 (or 2.2) JSON document.

    Parameters
    ----------
    text : str
        The SPDX document.
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        As :func:`read_cyclonedx`, from ``packages[]``: the purl in
        ``externalRefs`` (``referenceType: purl``), else ``name`` and
        ``versionInfo``.

    Raises
    ------
    InputError
        For invalid JSON, a document without a supported ``spdxVersion``.
    """
    data = load_json_object(text, path)
    locator = _LineLocator(text)
    version = data.get("spdxVersion")
    if version not in SPDX_VERSIONS:
        raise InputError(path, locator.key_line("spdxVersion"), f"unsupported spdxVersion {version!r}: expected one of {', '.join(SPDX_VERSIONS)}")
    reader = _SbomReader(ReadResult(), path, text, locator)
    packages = data.get("packages", [])
    if not isinstance(packages, list):
        reader.result.problem(path, locator.key_line("packages"), "'packages' must be a list")
        return reader.result
    for package in packages:
        reader.spdx_package(package)
    return reader.result


class _LineLocator:
    """Finds the line of a ``"key": "value"`` member in the JSON text."""

    def __init__(self, text: str):
        self.text = text
        self._by_key: dict[str, dict[str, deque[int]]] = {}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def _line_of(self, offset: int) -> int:
        low, high = 0, len(self._line_starts)
        while high - low > 1:
            middle = (low + high) // 2
            if self._line_starts[middle] <= offset:
                low = middle
            else:
                high = middle
        return low + 1

    def member_line(self, key: str, value: str) -> int | None:
        """Line of the next unclaimed ``"key": "value"`` member, or None."""
        if not isinstance(value, str):
            return None
        queue = self._members(key).get(value)
        return queue.popleft() if queue else None

    def _members(self, key: str) -> dict[str, deque[int]]:
        """The lines of every ``"key": "…"`` member, by its decoded value.

        One pass over the text per key, however many members there are (a
        search per member re-read the whole text each time: quadratic, a
        300 KB SBOM took seconds). Decoding the string matches a value
        however it is escaped (``\\/``, ``\\u00e9`` or as is).
        """
        members = self._by_key.get(key)
        if members is None:
            members = self._by_key[key] = {}
            pattern = re.compile(rf'"{re.escape(key)}"\s*:\s*("(?:[^"\\\n]|\\.)*")')
            for m in pattern.finditer(self.text):
                try:
                    value = json.loads(m.group(1))
                except ValueError:
                    continue
                members.setdefault(value, deque()).append(self._line_of(m.start()))
        return members

    def key_line(self, key: str) -> int | None:
        match = re.search(rf'"{re.escape(key)}"\s*:', self.text)
        return self._line_of(match.start()) if match else None


class _SbomReader:
    def __init__(self, result: ReadResult, path: str, text: str, locator: _LineLocator):
        self.result = result
        self.path = path
        self.lines = text.split("\n")
        self.locator = locator

    def text_of(self, line: int | None) -> str:
        return self.lines[line - 1].strip().removesuffix(",") if line and line <= len(self.lines) else ""

    def add(self, kind: str, name: str, line: int | None, ecosystem: str, spec: str = "") -> None:
        self.result.add(kind, name, line, self.text_of(line), ecosystem, spec)

    # -- CycloneDX -----------------------------------------------------------

    def components(self, components: list[Any]) -> None:
        # An explicit stack instead of recursion: nesting depth is the file's choice.
        stack = list(reversed(components))
        while stack:
            component = stack.pop()
            if not isinstance(component, dict):
                self.result.problem(self.path, None, f"a component must be an object, found {json.dumps(component)[:60]}")
                continue
            self.component(component)
            nested = component.get("components")
            if isinstance(nested, list):
                stack.extend(reversed(nested))

    def component(self, component: dict[str, Any]) -> None:
        name = _text(component.get("name"))
        version = _text(component.get("version"))
        purl = component.get("purl")
        if isinstance(purl, str) and purl.strip():
            line = self.locator.member_line("purl", purl)
            self.purl(purl, line, name)
            return
        if component.get("type") in _SKIPPED_COMPONENT_TYPES or not name:
            return
        line = self.locator.member_line("name", component["name"])
        if component.get("type") == "container":
            reference = name if ":" in name.rsplit("/", 1)[-1] or version.startswith("sha256:") else f"{name}:{version}" if version else name
            image, tag = normalise_image(reference)
            self.add("image", image, line, "docker", tag)
        else:
            self.add("package", name, line, "generic", version)

    # -- SPDX ----------------------------------------------------------------

    def spdx_package(self, package: Any) -> None:
        if not isinstance(package, dict):
            self.result.problem(self.path, None, f"a package must be an object, found {json.dumps(package)[:60]}")
            return
        name = _text(package.get("name"))
        references = package.get("externalRefs")
        purls = [
            ref.get("referenceLocator")
            for ref in (references if isinstance(references, list) else [])
            if isinstance(ref, dict)
            and ref.get("referenceType") == "purl"
            and ref.get("referenceCategory") in ("PACKAGE-MANAGER", "PACKAGE_MANAGER")
            and isinstance(ref.get("referenceLocator"), str)
        ]
        if purls:
            for purl in purls:
                self.purl(purl, self.locator.member_line("referenceLocator", purl), name)
            return
        if name:
            line = self.locator.member_line("name", package["name"])
            self.add("package", name, line, "generic", _text(package.get("versionInfo")))

    # -- package URLs --------------------------------------------------------

    def purl(self, purl: str, line: int | None, component_name: str) -> None:
        try:
            parsed = PackageURL.from_string(purl.strip())
        except ValueError as exc:
            # The purl itself is not repeated: qualifiers can carry credentials.
            reason = _first_line(exc).replace(purl.strip(), "…")
            self.result.problem(self.path, line, f"component {component_name!r} has a malformed package URL: {reason}")
            return
        kind = parsed.type.lower()
        if kind in _IMAGE_TYPES:
            self._image(parsed, line)
            return
        version = parsed.version or ""
        if kind == "pypi":
            name = canonicalize_name(parsed.name)
        else:
            joiner = _NAMESPACED_TYPES.get(kind)
            name = f"{parsed.namespace}{joiner}{parsed.name}" if joiner and parsed.namespace else parsed.name
            if kind in _LOWER_CASE_TYPES:
                name = name.lower()
        self.add("package", name, line, kind, version)
        if kind == "pypi" and version:
            add_local_version(self.result, version, line, self.text_of(line))
        channel = (parsed.qualifiers or {}).get("channel") if isinstance(parsed.qualifiers, dict) else None
        if kind == "conda" and channel:
            self.add("index", channel_name(channel), line, "conda")

    def _image(self, parsed: PackageURL, line: int | None) -> None:
        qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
        version = parsed.version or ""
        tag = qualifiers.get("tag") or ("" if version.startswith("sha256:") else version)
        repository_url = qualifiers.get("repository_url")
        if parsed.type == "oci" and repository_url:
            # For oci purls the repository URL is the full repository, name included.
            repository = _without_credentials(repository_url)
        else:
            path = "/".join(p for p in (parsed.namespace, parsed.name) if p)
            registry = _without_credentials(repository_url) if repository_url else ""
            repository = f"{registry.rstrip('/')}/{path}" if registry else path
        image, tag = normalise_image(f"{repository}:{tag}" if tag else repository)
        self.add("image", image, line, "docker", tag)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _without_credentials(location: str) -> str:
    """A registry or channel location without scheme, user info or query:
    ``https://bot:token@registry.example.com/ml`` gives ``registry.example.com/ml``."""
    location = location.strip()
    if "://" in location:
        try:
            parts = urlsplit(location)
            return (parts.netloc.rpartition("@")[2] + parts.path).rstrip("/")
        except ValueError:
            location = location.split("://", 1)[1]
    location = location.split("?", 1)[0].split("#", 1)[0]
    host, slash, rest = location.partition("/")
    return (host.rpartition("@")[2] + slash + rest).rstrip("/")
