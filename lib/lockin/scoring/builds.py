"""Build roots: the folders whose build file compiles or packages the files below them.

A build root is a folder holding a ``setup.py``, ``pyproject.toml``,
``CMakeLists.txt`` or Makefile; a file belongs to the nearest one above it
(down to the next build root). Readiness asks whether a build already
builds for the target (:mod:`lockin.scoring.readiness`), translation
whether it translates its sources at build time
(:mod:`lockin.scoring.translation`), and the real-port calibration which
builds a port moved (:mod:`lockin.scoring.ports`).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["BUILD_FORMATS", "folder_of", "build_files", "build_roots", "nearest_root", "owning_builds"]

#: Input formats that make their folder a build root.
BUILD_FORMATS = frozenset({"setup-py", "pyproject", "cmake", "makefile"})


def folder_of(path: str) -> str:
    """A forward-slash path's folder, "" at the project's root."""
    return str(path).rpartition("/")[0]


def build_files(inputs: pd.DataFrame | None) -> pd.DataFrame:
    """The scan's inputs that are build files."""
    if inputs is None or inputs.empty:
        return pd.DataFrame(columns=["project", "path"])
    formats = inputs["formats"].fillna("").astype(str)
    return inputs[formats.map(lambda f: bool(BUILD_FORMATS & set(f.split(","))))]


def build_roots(inputs: pd.DataFrame | None) -> set[tuple[str, str]]:
    """(project, folder) of every folder holding a build file; "" is the project's root."""
    files = build_files(inputs)
    return {(project, folder_of(path)) for project, path in zip(files["project"], files["path"])}


def nearest_root(project: str, folder: str, roots) -> tuple[str, str] | None:
    """The build root at or above ``folder`` (None when there is none)."""
    while True:
        if (project, folder) in roots:
            return (project, folder)
        if not folder:
            return None
        folder = folder.rpartition("/")[0]


def owning_builds(findings: pd.DataFrame, roots) -> pd.Series:
    """Per row (``project``, ``path``), the folder of the build that owns its file ("." for the project's root or no build)."""
    cache: dict[tuple[str, str], str] = {}
    owners = []
    for project, path in zip(findings["project"], findings["path"]):
        key = (project, folder_of(path))
        if key not in cache:
            root = nearest_root(project, key[1], roots)
            cache[key] = (root[1] or ".") if root is not None else "."
        owners.append(cache[key])
    return pd.Series(owners, index=findings.index, dtype=object)
