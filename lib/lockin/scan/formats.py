"""Which reader reads which file.

A file is an input when its name (or, for ambiguous endings such as
``.yml``, ``.json`` and ``.txt``, its first bytes) says what it is. One file
can feed more than one reader: ``setup.py`` is both a build file and Python
source.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from lockin.records import ReadResult


@dataclass(frozen=True)
class Format:
    """A readable file format and the function that reads it.

    ``reader`` is ``"module:function"``; the function takes ``(text, path)``
    (and ``vocabulary`` when ``needs_vocabulary``) and returns a
    :class:`~lockin.records.ReadResult`.
    """

    name: str
    reader: str
    description: str
    needs_vocabulary: bool = False

    def load(self) -> Callable[..., ReadResult]:
        return _load_reader(self.reader)


@cache
def _load_reader(spec: str) -> Callable[..., ReadResult]:
    module, function = spec.split(":")
    return getattr(importlib.import_module(module), function)


FORMATS = {
    f.name: f
    for f in (
        Format("requirements", "lockin.inventory.pip:read_requirements", "pip requirements file or `pip freeze` output"),
        Format("pyproject", "lockin.inventory.pyproject:read_pyproject", "pyproject.toml (PEP 621, Poetry)"),
        Format("pipfile", "lockin.inventory.pyproject:read_pipfile", "Pipfile"),
        Format("poetry-lock", "lockin.inventory.locks:read_poetry_lock", "poetry.lock"),
        Format("pipfile-lock", "lockin.inventory.locks:read_pipfile_lock", "Pipfile.lock"),
        Format("uv-lock", "lockin.inventory.locks:read_uv_lock", "uv.lock"),
        Format("conda-env", "lockin.inventory.conda:read_conda_environment", "conda environment.yml"),
        Format("conda-list", "lockin.inventory.conda:read_conda_list", "`conda list --export` or explicit file"),
        Format("cyclonedx", "lockin.inventory.sbom:read_cyclonedx", "CycloneDX JSON SBOM (1.4-1.7)"),
        Format("spdx", "lockin.inventory.sbom:read_spdx", "SPDX 2.3 JSON SBOM"),
        Format("dockerfile", "lockin.inventory.dockerfile:read_dockerfile", "Dockerfile / Containerfile"),
        Format("kubernetes", "lockin.inventory.kubernetes:read_kubernetes", "Kubernetes manifests (multi-document YAML)"),
        Format("slurm", "lockin.inventory.slurm:read_slurm", "Slurm batch script (#SBATCH)"),
        Format("cmake", "lockin.inventory.cmake:read_cmake", "CMakeLists.txt / *.cmake"),
        Format("setup-py", "lockin.inventory.setup_py:read_setup_py", "setup.py (read with ast, never run)"),
        Format("cxx", "lockin.source.cxx:scan_cxx", "CUDA / HIP / C / C++ source", needs_vocabulary=True),
        Format("python", "lockin.source.python:scan_python", "Python source (read with ast, never run)", needs_vocabulary=True),
    )
}

CXX_SUFFIXES = frozenset({".cu", ".cuh", ".cpp", ".cc", ".cxx", ".c", ".h", ".hpp", ".hh", ".hxx", ".hip", ".inl"})

#: Bytes of a file's start that content sniffing looks at.
SNIFF_BYTES = 4096


#: Endings (lower-cased) that make a file a candidate besides C/C++ source.
CANDIDATE_SUFFIXES = frozenset({".py", ".txt", ".in", ".toml", ".lock", ".yml", ".yaml", ".json", ".cmake", ".sbatch", ".slurm", ".sh", ".dockerfile"})


def candidate(rel_path: str) -> bool:
    """Whether a file *may* be an input, judged by its name alone.

    The scan reads only candidates; for ambiguous endings the content
    decides afterwards with :func:`detect_formats`.
    """
    _, name, suffix = path_parts(rel_path)
    suffix = suffix.lower()
    return (
        suffix in CXX_SUFFIXES
        or suffix in CANDIDATE_SUFFIXES
        or name in ("Pipfile", "Containerfile")
        or name.startswith("Dockerfile")
        or name.endswith(".Dockerfile")
    )


def path_parts(rel_path: str) -> tuple[list[str] | None, str, str]:
    """The folders, name and suffix of a forward-slash path, as
    :class:`~pathlib.PurePosixPath` reads them (``a//b/./c.txt`` is
    ``a/b/c.txt``), without building one: the walk asks this of every file
    of the tree. The folders are only split out when the path needs
    normalising (None otherwise; :func:`_folders` splits them on demand).
    """
    if "//" in rel_path or "/./" in rel_path or rel_path.startswith("./") or rel_path.endswith(("/", "/.")) or rel_path == ".":
        parts = [part for part in rel_path.split("/") if part and part != "."]
        name = parts[-1] if parts else ""
        folders: list[str] | None = parts[:-1]
    else:
        name = rel_path[rel_path.rfind("/") + 1 :]
        folders = None
    dot = name.rfind(".")
    return folders, name, name[dot:] if 0 < dot < len(name) - 1 else ""


def _folders(rel_path: str, folders: list[str] | None) -> list[str]:
    return folders if folders is not None else rel_path.split("/")[:-1]


def detect_formats(rel_path: str, head: str) -> list[Format]:
    """The formats of a file, from its path and the first bytes of its text.

    Parameters
    ----------
    rel_path : str
        Path relative to the project root, forward slashes.
    head : str
        The first :data:`SNIFF_BYTES` characters of the file.

    Returns
    -------
    list of Format
        Empty when the file is not an input lockin reads.
    """
    names = _format_names(rel_path, head)
    return [FORMATS[n] for n in names]


def _format_names(rel_path: str, head: str) -> list[str]:
    folders, name, suffix = path_parts(rel_path)
    lower, suffix = name.lower(), suffix.lower()
    if suffix in CXX_SUFFIXES:
        return ["cxx"]
    if name == "setup.py":
        return ["setup-py", "python"]
    if suffix == ".py":
        return ["python"]
    if name == "pyproject.toml":
        return ["pyproject"]
    if name == "Pipfile":
        return ["pipfile"]
    if name == "poetry.lock":
        return ["poetry-lock"]
    if name == "Pipfile.lock":
        return ["pipfile-lock"]
    if name == "uv.lock":
        return ["uv-lock"]
    if name in ("Containerfile",) or name.startswith("Dockerfile") or lower.endswith(".dockerfile"):
        return ["dockerfile"]
    if name == "CMakeLists.txt" or suffix == ".cmake":
        return ["cmake"]
    if suffix in (".sbatch", ".slurm") or (suffix == ".sh" and "#SBATCH" in head):
        return ["slurm"]
    if suffix in (".yml", ".yaml"):
        return _sniff_yaml(lower, head)
    if suffix == ".json":
        return _sniff_json(lower, head)
    if suffix in (".txt", ".in"):
        return _sniff_text(name, _folders(rel_path, folders), head)
    return []


def _sniff_yaml(lower: str, head: str) -> list[str]:
    if "apiVersion" in head and "kind" in head:
        return ["kubernetes"]
    if lower.startswith(("environment", "conda", "env")) or ("dependencies:" in head and ("channels:" in head or "name:" in head)):
        return ["conda-env"]
    return []


def _sniff_json(lower: str, head: str) -> list[str]:
    if '"bomFormat"' in head or lower.endswith((".cdx.json", "bom.json")):
        return ["cyclonedx"]
    if '"spdxVersion"' in head or lower.endswith(".spdx.json"):
        return ["spdx"]
    return []


def _sniff_text(name: str, folders: list[str], head: str) -> list[str]:
    if "@EXPLICIT" in head or "# platform:" in head or "# This file may be used to create an environment" in head or "# packages in environment at" in head:
        return ["conda-list"]
    lower = name.lower()
    in_requirements_dir = any(part.lower().startswith("requirements") for part in folders)
    if any(word in lower for word in ("requirement", "constraint", "freeze")) or in_requirements_dir:
        return ["requirements"]
    return []

