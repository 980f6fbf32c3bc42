"""Finding the projects of a portfolio and the input files of a project.

Walking is separate from reading so that the list of inputs (and of what was
skipped, with the reason) is known before any file is parsed, and so that the
scan can hand files to worker processes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lockin.formats import candidate
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

#: Files above this size are listed as skipped rather than read.
DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Project:
    """A project of the portfolio: a name, a root folder and its metadata."""

    name: str
    root: Path
    meta: dict = field(default_factory=dict, hash=False, compare=False)


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
    subfolders = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    if not subfolders:
        # A folder with files but no subfolders is most usefully one project.
        return [Project(root.resolve().name, root)]
    return [Project(p.name, p) for p in subfolders]


def read_manifest(manifest: Path) -> list[Project]:
    """Read ``portfolio.yml``: ``projects:`` a list of ``{name, path, …}``.

    Keys other than ``name`` and ``path`` (owner, criticality, gpu_hours,
    workloads …) are kept as the project's metadata for later steps.
    """
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(str(manifest), mark.line + 1 if mark else None, f"invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("projects"), list):
        raise InputError(str(manifest), 1, "expected a mapping with a 'projects' list")
    projects, seen = [], set()
    for index, entry in enumerate(data["projects"], start=1):
        if isinstance(entry, str):
            entry = {"name": Path(entry).name, "path": entry}
        if not isinstance(entry, dict) or not entry.get("name"):
            raise InputError(str(manifest), None, f"project #{index}: expected a mapping with at least 'name'")
        name = str(entry["name"])
        if name in seen:
            raise InputError(str(manifest), None, f"project #{index}: duplicate name {name!r}")
        seen.add(name)
        folder = (manifest.parent / str(entry.get("path", name))).resolve()
        if not folder.is_dir():
            raise InputError(str(manifest), None, f"project {name!r}: folder {entry.get('path', name)!r} does not exist")
        meta = {k: v for k, v in entry.items() if k not in ("name", "path")}
        projects.append(Project(name, folder, meta))
    return projects


def walk_project(project: Project, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Iterator[InputFile | Problem]:
    """Yield the candidate input files of a project, and a Problem for each skip.

    Symbolic links are followed only when they stay inside the project's
    tree; folders reached through a link are not walked (their real location
    is scanned, or lies outside the tree).
    """
    root = project.root
    root_text = os.fspath(root)
    real_root = root.resolve()
    # Strings, not Path objects: a large tree has tens of thousands of files,
    # and pathlib's per-file joins and relative_to cost more than the walk.
    for folder, dirnames, filenames in os.walk(root_text, followlinks=False, onerror=None):
        prefix = _relative_prefix(folder, root_text)
        kept = []
        for d in sorted(dirnames):
            if d in VCS_DIRS:
                continue
            rel = prefix + d
            if d in GENERATED_DIRS:
                yield Problem(rel, None, "not scanned: installed or generated third-party folder")
            elif os.path.islink(os.path.join(folder, d)):
                yield Problem(rel, None, f"symlinked folder not followed ({_link_reason(Path(folder) / d, real_root)})")
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
        target = Path(full).resolve()
        if not target.is_relative_to(real_root):
            return "symlink points outside the scanned tree; not followed"
        if not target.exists():
            return "broken symlink"
        try:
            info = os.stat(full)
        except OSError as exc:
            return f"cannot stat: {exc.strerror or exc}"
    size = info.st_size
    if size > max_bytes:
        return f"too large: {size:,} bytes (limit {max_bytes:,})"
    return size


def _link_reason(link: Path, real_root: Path) -> str:
    return "target inside the tree is scanned where it is" if link.resolve().is_relative_to(real_root) else "points outside the scanned tree"
