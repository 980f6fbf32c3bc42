"""Finding the projects of a portfolio and the input files of a project.

Walking is separate from reading so that the list of inputs (and of what was
skipped, with the reason) is known before any file is parsed, and so that the
scan can hand files to worker processes.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lockin import yamlsafe
from lockin.errors import quote, read_utf8
from lockin.scan.formats import candidate
from lockin.records import InputError, Problem

MANIFEST_NAME = "portfolio.yml"

#: Folders that hold version-control metadata: never inputs, never listed.
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr"})

#: Folders that hold installed or generated third-party material rather than
#: the project's own work. They are not scanned, and each one is listed as
#: skipped so the omission is visible.
GENERATED_DIRS = frozenset(
    {"node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ipynb_checkpoints", "site-packages"}
)

#: Folders that by convention hold copies of other projects' code (C/C++
#: ``third_party`` trees). A vendored copy of NVML's
#: header declares thousands of NVIDIA names without using one; the project's
#: own includes and imports of the vendored library remain its evidence.
VENDORED_DIRS = frozenset({"third_party", "third-party", "thirdparty", "3rdparty"})

#: Files whose presence beside a ``vendor`` folder makes it PHP or Ruby
#: dependency vendoring (Go's is recognised by its own rule below).
VENDORING_MANIFESTS = ("composer.json", "Gemfile")

#: Files above this size are listed as skipped rather than read.
DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Project:
    """A project of the portfolio: a name, a root folder and its metadata."""

    name: str
    root: Path
    meta: dict = field(default_factory=dict, hash=False, compare=False)
    #: Warnings about the project's manifest entry (an unknown key …); the
    #: scan lists them with the skipped inputs.
    problems: tuple[Problem, ...] = field(default=(), hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file that may be an input: where it is and how big it is."""

    project: str
    root: Path
    rel_path: str  # forward slashes, relative to the project root
    size: int

    @property
    def full_path(self) -> Path:
        return self.root / self.rel_path


def find_projects(path: str | Path, project_name: str | None = None) -> list[Project]:
    """The projects under ``path``.

    Parameters
    ----------
    path : path
        A portfolio folder (with or without ``portfolio.yml``), or, when
        ``project_name`` is given, a single project folder.
    project_name : str, optional
        Treat ``path`` itself as one project with this name.

    Returns
    -------
    list of Project
        In manifest order, or sorted by folder name.

    Raises
    ------
    InputError
        If ``path`` is not a folder or the manifest is invalid.
    """
    root = Path(path)
    if not root.is_dir():
        raise InputError(str(path), None, "not a folder (expected a portfolio or project folder)")
    if project_name:
        return [Project(project_name, root)]
    manifest = root / MANIFEST_NAME
    if manifest.is_file():
        return read_manifest(manifest)
    try:
        entries = list(root.iterdir())
    except OSError as exc:
        raise InputError(str(path), None, f"cannot list the folder: {exc.strerror or exc}") from None
    subfolders = sorted(p for p in entries if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    if not subfolders:
        # A folder with files but no subfolders is most usefully one project;
        # an empty one is a portfolio without projects, not an empty project.
        if not any(p.is_file() and not p.name.startswith(".") for p in entries):
            return []
        return [Project(Path(os.path.realpath(root)).name, root)]
    return [Project(p.name, p) for p in subfolders]


def read_manifest(manifest: Path) -> list[Project]:
    """Read ``portfolio.yml``: ``projects:`` a list of ``{name, path, …}``.

    Each entry is checked against :data:`MANIFEST_FIELDS` (see
    docs/data-formats.md); a wrong type or value is an :class:`InputError`
    naming the file, the line, the project and the field. Other keys are kept
    as metadata, each with a warning (and a did-you-mean when it looks like
    a misspelt field) in the project's ``problems``.
    """
    origin = str(manifest)
    text = read_utf8(manifest)
    root = yamlsafe.compose(text, origin)
    projects_node = _mapping_value(root, "projects") if isinstance(root, yaml.MappingNode) else None
    if not isinstance(projects_node, yaml.SequenceNode):
        raise InputError(origin, _line(projects_node or root) if root is not None else 1, "expected a mapping with a 'projects' list")
    projects, seen = [], set()
    for index, entry_node in enumerate(projects_node.value, start=1):
        project = _manifest_project(manifest, entry_node, index)
        if project.name in seen:
            raise InputError(origin, _line(entry_node), f"project #{index}: duplicate name {quote(project.name)}")
        seen.add(project.name)
        projects.append(project)
    return projects


#: The fields of a ``portfolio.yml`` project entry and what each must be.
MANIFEST_FIELDS = ("name", "path", "git", "ref", "accelerator", "gpu_hours_per_month", "workloads", "hardware", "owner", "criticality")

#: What ``hardware`` says about the project's accelerators: a plain word, or
#: ``{refresh: YYYY-MM}`` for owned hardware due for renewal that month.
HARDWARE_WORDS = ("rented", "owned")

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _manifest_project(manifest: Path, node: yaml.Node, index: int) -> Project:
    origin = str(manifest)
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str") and node.value.strip():
        # Shorthand: a path whose last part is the name.
        path = node.value.strip()
        return Project(Path(path).name, _project_folder(manifest, path, Path(path).name, _line(node)))
    if not isinstance(node, yaml.MappingNode):
        raise InputError(origin, _line(node), f"project #{index}: expected a mapping with at least 'name', or a folder name")
    fields: dict[str, yaml.Node] = {}
    for key, value in yamlsafe.merged(node).value:
        if not (isinstance(key, yaml.ScalarNode) and key.tag.endswith(":str")):
            raise InputError(origin, _line(key), f"project #{index}: keys must be field names, found {quote(key.value if isinstance(key, yaml.ScalarNode) else key.tag)}")
        fields[key.value] = value
    if "name" not in fields:
        raise InputError(origin, _line(node), f"project #{index}: 'name' is missing")
    name = _text_field(origin, fields["name"], f"project #{index}", "name")
    where = f"project {quote(name)}"
    meta, problems = {}, []
    for key, value in fields.items():
        if key in ("name", "path") or value.tag.endswith(":null"):
            continue  # an empty field (`owner:`) is a field not given
        if key in MANIFEST_FIELDS:
            meta[key] = _FIELD_CHECKS[key](origin, value, where, key)
        else:
            meta[key] = yamlsafe.construct(value, origin)
            problems.append(Problem(origin, _line(value), f"{where}: unknown field {quote(key)}{_did_you_mean(key)}; kept as metadata, not used"))
    if "path" in fields:
        path = _text_field(origin, fields["path"], where, "path")
        line = _line(fields["path"])
    else:
        path, line = name, _line(node)
    folder = _project_folder(manifest, path, name, line)
    # Skipped-input paths are relative to the project root (../portfolio.yml).
    shown = Path(os.path.relpath(os.path.realpath(manifest), folder)).as_posix()
    return Project(name, folder, meta, tuple(Problem(shown, p.line, p.message) for p in problems))


def _project_folder(manifest: Path, path: str, name: str, line: int) -> Path:
    folder = Path(os.path.realpath(manifest.parent / path))
    if not folder.is_dir():
        raise InputError(str(manifest), line, f"project {quote(name)}: folder {quote(path)} does not exist")
    return folder


def _text_field(origin: str, node: yaml.Node, where: str, field_name: str) -> str:
    value = _scalar(node, origin)
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise InputError(origin, _line(node), f"{where}, field '{field_name}': expected a text, got {_shown(node, origin)}")
    return str(value).strip()


def _gpu_hours_field(origin: str, node: yaml.Node, where: str, field_name: str) -> float:
    value = _scalar(node, origin)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(origin, _line(node), f"{where}, field '{field_name}': expected a number of accelerator-hours per month, got {_shown(node, origin)}")
    if not math.isfinite(value) or value < 0:
        raise InputError(origin, _line(node), f"{where}, field '{field_name}': expected a finite number of hours ≥ 0, got {value}")
    return value


def _workloads_field(origin: str, node: yaml.Node, where: str, field_name: str) -> list[str]:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str"):
        return [_text_field(origin, node, where, field_name)]  # one workload, written without brackets
    if not isinstance(node, yaml.SequenceNode):
        raise InputError(origin, _line(node), f"{where}, field '{field_name}': expected a list of workload names, got {_shown(node, origin)}")
    return [_text_field(origin, item, where, field_name) for item in node.value]


def _hardware_field(origin: str, node: yaml.Node, where: str, field_name: str) -> str | dict:
    expected = "expected rented, owned or {refresh: YYYY-MM}"
    if isinstance(node, yaml.ScalarNode):
        word = str(_scalar(node, origin)).strip().lower()
        if word in HARDWARE_WORDS:
            return word
    elif isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        (key, value), = node.value
        month = str(_scalar(value, origin)) if isinstance(value, yaml.ScalarNode) else ""
        if isinstance(key, yaml.ScalarNode) and key.value == "refresh" and _MONTH.match(month):
            return {"refresh": month}
    raise InputError(origin, _line(node), f"{where}, field '{field_name}': {expected}, got {_shown(node, origin)}")


_FIELD_CHECKS = {
    "git": _text_field,
    "ref": _text_field,
    "accelerator": _text_field,
    "owner": _text_field,
    "criticality": _text_field,
    "gpu_hours_per_month": _gpu_hours_field,
    "workloads": _workloads_field,
    "hardware": _hardware_field,
}


def _scalar(node: yaml.Node, origin: str):
    """The Python value of a scalar node; None for a collection (never expanded)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    return yamlsafe.construct(node, origin)


def _shown(node: yaml.Node, origin: str) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    value = _scalar(node, origin)
    return "nothing" if value is None else quote(value)


def _did_you_mean(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, MANIFEST_FIELDS, n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _mapping_value(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


#: How a skipped-input message about an unreadable folder begins; the scan
#: counts these to mark a project incomplete.
UNREADABLE_FOLDER = "unreadable folder"


def walk_project(project: Project, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Iterator[InputFile | Problem]:
    """Yield the candidate input files of a project, and a Problem for each skip.

    Symbolic links are followed only when they stay inside the project's
    tree; folders reached through a link are not walked (their real location
    is scanned, or lies outside the tree). A folder that cannot be listed
    (the project's own included) is a Problem whose message starts with
    :data:`UNREADABLE_FOLDER`: its files are missing from the scan.
    """
    root = project.root
    root_text = os.fspath(root)
    real_root = Path(os.path.realpath(root))
    unreadable: list[OSError] = []
    # Strings, not Path objects: a large tree has tens of thousands of files,
    # and pathlib's per-file joins and relative_to cost more than the walk.
    for folder, dirnames, filenames in os.walk(root_text, followlinks=False, onerror=unreadable.append):
        yield from _unreadable_folders(unreadable, root_text)
        prefix = _relative_prefix(folder, root_text)
        kept = []
        for d in sorted(dirnames):
            if d in VCS_DIRS:
                continue
            rel = prefix + d
            if d in GENERATED_DIRS:
                yield Problem(rel, None, "not scanned: installed or generated third-party folder")
            elif d == "vendor" and _is_go_vendor_folder(folder, d):
                yield from _go_vendor_listing(project, folder, rel, real_root, max_bytes)
            elif _vendored(folder, d, filenames):
                yield Problem(rel, None, "not scanned: vendored third-party code (the project's uses of it are scanned)")
            elif os.path.islink(os.path.join(folder, d)):
                yield Problem(rel, None, f"symlinked folder not followed ({_link_reason(os.path.join(folder, d), real_root)})")
            else:
                kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            rel = prefix + name
            if not candidate(rel):
                continue
            skip = _skip_reason(os.path.join(folder, name), real_root, max_bytes)
            if isinstance(skip, str):
                yield Problem(rel, None, skip)
            else:
                yield InputFile(project.name, root, rel, skip)
    # os.walk reports a folder it cannot list through onerror and goes on
    # without it; the last one (or the root) is reported after the loop.
    yield from _unreadable_folders(unreadable, root_text)


def _vendored(folder: str, name: str, siblings: list[str]) -> bool:
    """Whether subfolder ``name`` of ``folder`` holds vendored dependencies."""
    if name in VENDORED_DIRS:
        return True
    return name == "vendor" and any(m in siblings for m in VENDORING_MANIFESTS)


#: What ``go mod vendor`` writes beside the vendored copies: the list of them.
GO_VENDOR_LIST = "modules.txt"


def _is_go_vendor_folder(folder: str, name: str) -> bool:
    """Whether ``folder/name`` is a Go module's vendor folder (``go mod vendor``)."""
    return os.path.isfile(os.path.join(folder, name, GO_VENDOR_LIST)) or os.path.isfile(os.path.join(folder, "go.mod"))


def _go_vendor_listing(project: Project, folder: str, rel: str, real_root: Path, max_bytes: int) -> Iterator[InputFile | Problem]:
    """A Go vendor folder: its ``modules.txt`` is read, the copies are not.

    The vendored code is other modules' (go-nvml's ``nvml.h`` alone would
    add thousands of NVIDIA declarations as the project's own code); the
    list names each of those modules as a dependency, which is what they are.
    """
    yield Problem(rel, None, f"not scanned: Go vendored third-party modules (read as dependencies from {rel}/{GO_VENDOR_LIST})")
    listing = os.path.join(folder, "vendor", GO_VENDOR_LIST)
    if os.path.isfile(listing):
        skip = _skip_reason(listing, real_root, max_bytes)
        if isinstance(skip, str):
            yield Problem(f"{rel}/{GO_VENDOR_LIST}", None, skip)
        else:
            yield InputFile(project.name, project.root, f"{rel}/{GO_VENDOR_LIST}", skip)


def _unreadable_folders(errors: list[OSError], root: str) -> Iterator[Problem]:
    while errors:
        error = errors.pop(0)
        folder = os.fspath(error.filename) if error.filename is not None else root
        rel = "." if folder.rstrip(os.sep) == root.rstrip(os.sep) else _relative_prefix(folder, root).rstrip("/")
        yield Problem(rel, None, f"{UNREADABLE_FOLDER}: {error.strerror or error}; its files are not scanned")


def _relative_prefix(folder: str, root: str) -> str:
    """``folder`` relative to ``root`` with forward slashes and a trailing one ("" at the root)."""
    if folder == root:
        return ""
    relative = os.path.relpath(folder, root) if not folder.startswith(root + os.sep) else folder[len(root) + 1 :]
    return relative.replace(os.sep, "/") + "/"


def _skip_reason(full: str, real_root: Path, max_bytes: int) -> str | int:
    """A reason to skip the file, or its size when it may be read."""
    try:
        info = os.lstat(full)
    except OSError as exc:
        return f"cannot stat: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode):
        # realpath, not Path.resolve: a link loop (Dockerfile -> Dockerfile.a
        # -> Dockerfile) makes resolve raise; os.stat then names the loop.
        target = Path(os.path.realpath(full))
        if not target.is_relative_to(real_root):
            return "symlink points outside the scanned tree; not followed"
        try:
            info = os.stat(full)
        except FileNotFoundError:
            return "broken symlink"
        except OSError as exc:
            return f"symlink not followed: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        # Reading a FIFO blocks until someone writes; a device never ends.
        return f"not a regular file ({_file_type(info.st_mode)}); not read"
    size = info.st_size
    if size > max_bytes:
        return f"too large: {size:,} bytes (limit {max_bytes:,})"
    return size


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a plain file"


def _link_reason(link: str, real_root: Path) -> str:
    inside = Path(os.path.realpath(link)).is_relative_to(real_root)
    return "target inside the tree is scanned where it is" if inside else "points outside the scanned tree"
