"""Which reader reads which file: the registry of input formats.

Each :class:`Format` entry carries its reader and its own detection rules:
the file names that make a file one of its kind, and, for ambiguous endings
such as ``.yml``, ``.json`` and ``.txt``, a *sniff* that looks at the name,
the folders and the first bytes. Adding an input format is one
:func:`register` call (or one entry in :data:`BUILT_IN`); :func:`candidate`
and :func:`detect_formats` derive from the registry.

The first format in registry order whose rules claim a file reads it, so the
more specific entries come first (``Dockerfile.txt`` is a Dockerfile, not a
requirements file). One file can feed more than one reader through
``also``: ``setup.py`` is both a build file and Python source.
"""

from __future__ import annotations

import importlib
import io
import tokenize
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

from lockin.records import ReadResult

if TYPE_CHECKING:
    from lockin.source.cxx import Vocabulary

#: Bytes of a file's start that content sniffing looks at.
SNIFF_BYTES = 4096


class Reader(Protocol):
    """What every reader is: text and a display path in, a ReadResult out.

    A reader never touches the file system and never sees the catalog. A
    reader whose format has ``needs_vocabulary`` is called with the scanner
    vocabulary as a third argument, ``reader(text, path, vocabulary)``;
    the others as ``reader(text, path)``.
    """

    def __call__(self, text: str, path: str, /, *vocabulary: Vocabulary) -> ReadResult: ...


class FileClue:
    """What a sniff may look at: the file's name, its folders and its first bytes.

    ``lower`` is the name lower-cased; the folders are split out only when a
    sniff asks for them.
    """

    __slots__ = ("rel_path", "name", "lower", "head")

    def __init__(self, rel_path: str, name: str, head: str):
        self.rel_path = rel_path
        self.name = name
        self.lower = name.lower()
        self.head = head

    def folders(self) -> list[str]:
        """The folders of the path, outermost first (normalised as :func:`path_parts` does)."""
        folders, _, _ = path_parts(self.rel_path)
        return folders if folders is not None else self.rel_path.split("/")[:-1]


#: A sniff: whether a file with one of the format's ``sniffs`` endings is of the format.
Sniff = Callable[[FileClue], bool]


@dataclass(frozen=True)
class Format:
    """A readable file format: its reader and the rules that detect it.

    Parameters
    ----------
    name : str
        The format's name, as the scan's ``inputs`` list it.
    reader : str or Reader
        ``"module:function"`` (imported when first used, so the walk does not
        import every reader) or the function itself.
    description : str
        What the format is, for messages.
    needs_vocabulary : bool
        Whether the reader takes the scanner vocabulary as third argument.
    suffixes : tuple of str
        Lower-case endings that make a file this format (``".cu"``).
    names : tuple of str
        Exact file names that make a file this format (``"pyproject.toml"``).
    name_prefixes : tuple of str
        Beginnings of a file name, as written, that make a file this format
        (``"Dockerfile"`` for ``Dockerfile.rocm``).
    name_suffixes : tuple of str
        Lower-case endings of a file name longer than its suffix
        (``".cdx.json"``).
    sniffs : tuple of str
        Lower-case endings of files that are opened (they are inputs, their
        lines counted) and claimed by this format when ``sniff`` says so;
        without a ``sniff``, files so ending are opened and left to other
        rules (any ``.toml`` is opened, only ``pyproject.toml`` is read).
    sniff : Sniff, optional
        Looks at a :class:`FileClue` of a file with one of the ``sniffs``
        endings: True when the file is of this format.
    also : tuple of str
        Formats a file this one claims is as well (``setup.py`` is Python source).
    latin1_fallback : bool
        A file that is not UTF-8 is read as Latin-1 (with a problem listed)
        rather than skipped: compilers pass such bytes through.
    declared_encoding : callable, optional
        How a file of this format declares its encoding (bytes → codec
        name); UTF-8 when it declares none.
    follows_references : bool
        The files its reader names in ``ReadResult.references`` (``-r
        base.txt``) are files of the project, read as requirements files.
    """

    name: str
    reader: str | Reader
    description: str
    needs_vocabulary: bool = False
    suffixes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    name_prefixes: tuple[str, ...] = ()
    name_suffixes: tuple[str, ...] = ()
    sniffs: tuple[str, ...] = ()
    sniff: Sniff | None = None
    also: tuple[str, ...] = ()
    latin1_fallback: bool = False
    declared_encoding: Callable[[bytes], str] | None = None
    follows_references: bool = False

    def load(self) -> Reader:
        """The reader function."""
        return self.reader if callable(self.reader) else _load_reader(self.reader)

    def read(self, text: str, path: str, vocabulary: Vocabulary | None = None) -> ReadResult:
        """Read one file's text with this format's reader."""
        reader = self.load()
        return reader(text, path, vocabulary) if self.needs_vocabulary else reader(text, path)


@cache
def _load_reader(spec: str) -> Reader:
    module, function = spec.split(":")
    return getattr(importlib.import_module(module), function)


def python_source_encoding(data: bytes) -> str:
    """The encoding a Python source declares (PEP 263: a ``coding:`` comment in
    its first two lines), as the interpreter reads it; UTF-8 otherwise."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # a malformed or unknown declaration
        return "utf-8-sig"
    return "utf-8-sig" if encoding in ("utf-8", "utf-8-sig") else encoding


# The sniffs of the built-in formats, for the ambiguous endings.

_CONDA_LIST_MARKS = ("@EXPLICIT", "# platform:", "# This file may be used to create an environment", "# packages in environment at")


def _has_sbatch_directives(clue: FileClue) -> bool:
    return "#SBATCH" in clue.head


def _looks_like_kubernetes(clue: FileClue) -> bool:
    return "apiVersion" in clue.head and "kind" in clue.head


def _looks_like_conda_environment(clue: FileClue) -> bool:
    head = clue.head
    return clue.lower.startswith(("environment", "conda", "env")) or ("dependencies:" in head and ("channels:" in head or "name:" in head))


def _has_cyclonedx_marker(clue: FileClue) -> bool:
    return '"bomFormat"' in clue.head


def _has_spdx_marker(clue: FileClue) -> bool:
    return '"spdxVersion"' in clue.head


def _looks_like_conda_list(clue: FileClue) -> bool:
    return any(mark in clue.head for mark in _CONDA_LIST_MARKS)


def _named_like_requirements(clue: FileClue) -> bool:
    # requirements-dev.txt, constraints.txt, freeze.txt, or any text file
    # in a requirements/ folder.
    if any(word in clue.lower for word in ("requirement", "constraint", "freeze")):
        return True
    return any(part.lower().startswith("requirements") for part in clue.folders())


# Playbooks, roles and inventories: Ansible's own folder layout names them.
_ANSIBLE_ROLE_FOLDERS = frozenset({"tasks", "handlers", "defaults", "vars", "meta"})
# A play ('- hosts:', or '- name: …' then '  hosts:'); 'tasks:' alone is no mark (Tekton pipelines have it too).
_ANSIBLE_MARKS = ("- hosts:", "  hosts:", "- import_playbook:", "- ansible.builtin.import_playbook:")


def _looks_like_ansible(clue: FileClue) -> bool:
    folders = [part.lower() for part in clue.folders()]
    for position, folder in enumerate(folders[:-1]):
        if folder == "roles" and position + 2 < len(folders) and folders[position + 2] in _ANSIBLE_ROLE_FOLDERS:
            return True
    if any(folder in ("group_vars", "host_vars", "playbooks") for folder in folders):
        return True
    if folders[-1:] == ["roles"] and clue.lower.startswith("requirements"):
        return True  # Galaxy role requirements
    return any(line.startswith(_ANSIBLE_MARKS) for line in clue.head.splitlines())


def _looks_like_template(clue: FileClue) -> bool:
    # Helm charts and Ansible roles keep Go/Jinja templates in 'templates/'.
    return "templates" in (part.lower() for part in clue.folders())


def _named_like_helm_values(clue: FileClue) -> bool:
    return clue.lower.startswith("values") and ("image:" in clue.head or "repository:" in clue.head or "resources:" in clue.head)


_TEXT = (".txt", ".in")
_YAML = (".yml", ".yaml")

#: The formats lockin reads, most specific first (see the module docstring).
BUILT_IN = (
    Format(
        "cxx",
        "lockin.source.cxx:scan_cxx",
        "CUDA / HIP / C / C++ source",
        needs_vocabulary=True,
        suffixes=(".cu", ".cuh", ".cpp", ".cc", ".cxx", ".c", ".h", ".hpp", ".hh", ".hxx", ".hip", ".inl"),
        latin1_fallback=True,
    ),
    Format("setup-py", "lockin.inventory.setup_py:read_setup_py", "setup.py (read with ast, never run)", names=("setup.py",), also=("python",)),
    Format(
        "python",
        "lockin.source.python:scan_python",
        "Python source (read with ast, never run)",
        needs_vocabulary=True,
        suffixes=(".py",),
        declared_encoding=python_source_encoding,
    ),
    # Other tools' manifests and lock files (Cargo.toml, yarn.lock) are opened too: they are inputs whose lines count.
    Format("pyproject", "lockin.inventory.pyproject:read_pyproject", "pyproject.toml (PEP 621, Poetry)", names=("pyproject.toml",), sniffs=(".toml",)),
    Format("pipfile", "lockin.inventory.pyproject:read_pipfile", "Pipfile", names=("Pipfile",)),
    Format("poetry-lock", "lockin.inventory.locks:read_poetry_lock", "poetry.lock", names=("poetry.lock",), sniffs=(".lock",)),
    Format("pipfile-lock", "lockin.inventory.locks:read_pipfile_lock", "Pipfile.lock", names=("Pipfile.lock",)),
    Format("uv-lock", "lockin.inventory.locks:read_uv_lock", "uv.lock", names=("uv.lock",)),
    Format(
        "dockerfile",
        "lockin.inventory.dockerfile:read_dockerfile",
        "Dockerfile / Containerfile",
        suffixes=(".dockerfile",),
        names=("Containerfile",),
        name_prefixes=("Dockerfile",),
    ),
    Format("cmake", "lockin.inventory.cmake:read_cmake", "CMakeLists.txt / *.cmake", suffixes=(".cmake",), names=("CMakeLists.txt",)),
    Format("slurm", "lockin.inventory.slurm:read_slurm", "Slurm batch script (#SBATCH)", suffixes=(".sbatch", ".slurm"), sniffs=(".sh",), sniff=_has_sbatch_directives),
    Format("shell-script", "lockin.inventory.shellscript:read_shell_script", "shell script (*.sh, *.bash)", suffixes=(".sh", ".bash")),
    Format("makefile", "lockin.inventory.makefile:read_makefile", "Makefile / *.mk (GNU make)", suffixes=(".mk",), name_prefixes=("Makefile", "GNUmakefile", "makefile")),
    Format(
        "template",
        "lockin.inventory.templates:read_template",
        "Helm / Jinja template (templates/*.yaml, *.j2, *.tpl, *.yaml-template)",
        suffixes=(".j2", ".jinja", ".jinja2", ".tpl", ".yaml-template", ".yml-template"),
        sniffs=_YAML,
        sniff=_looks_like_template,
    ),
    Format("helm-chart", "lockin.inventory.templates:read_helm_chart", "Helm Chart.yaml (chart dependencies)", names=("Chart.yaml", "Chart.yml")),
    Format("helm-values", "lockin.inventory.templates:read_helm_values", "Helm chart values.yaml", sniffs=_YAML, sniff=_named_like_helm_values),
    Format("ansible", "lockin.inventory.ansible:read_ansible", "Ansible playbooks, roles and variables", sniffs=_YAML, sniff=_looks_like_ansible),
    Format("kubernetes", "lockin.inventory.kubernetes:read_kubernetes", "Kubernetes manifests (multi-document YAML)", sniffs=_YAML, sniff=_looks_like_kubernetes),
    Format(
        "conda-env",
        "lockin.inventory.conda:read_conda_environment",
        "conda environment.yml",
        sniffs=_YAML,
        sniff=_looks_like_conda_environment,
        follows_references=True,
    ),
    Format(
        "cyclonedx",
        "lockin.inventory.sbom:read_cyclonedx",
        "CycloneDX JSON SBOM (1.4-1.7)",
        name_suffixes=(".cdx.json", "bom.json"),
        sniffs=(".json",),
        sniff=_has_cyclonedx_marker,
    ),
    Format("spdx", "lockin.inventory.sbom:read_spdx", "SPDX 2.3 JSON SBOM", name_suffixes=(".spdx.json",), sniffs=(".json",), sniff=_has_spdx_marker),
    Format("conda-list", "lockin.inventory.conda:read_conda_list", "`conda list --export` or explicit file", sniffs=_TEXT, sniff=_looks_like_conda_list),
    Format(
        "requirements",
        "lockin.inventory.pip:read_requirements",
        "pip requirements file or `pip freeze` output",
        sniffs=_TEXT,
        sniff=_named_like_requirements,
        follows_references=True,
    ),
)


class _Index:
    """The registry arranged for fast lookups: the walk asks :func:`candidate`
    of every file in the tree, so no lookup loops over all formats."""

    def __init__(self, formats: Sequence[Format]):
        self.order = tuple(formats)
        by_name = {f.name: f for f in formats}
        #: Per format (by position), the formats a file it claims is: itself and its ``also``.
        self.claims = tuple((f, *(by_name[other] for other in f.also)) for f in formats)
        self.by_suffix: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        self.sniffers: dict[str, list[int]] = {}
        prefixes, name_suffixes = [], []
        for position, fmt in enumerate(formats):
            # Endings are compared lower-cased, whatever case an entry spells them in.
            for suffix in fmt.suffixes:
                self.by_suffix.setdefault(suffix.lower(), position)
            for name in fmt.names:
                self.by_name.setdefault(name, position)
            prefixes += [(prefix, position) for prefix in fmt.name_prefixes]
            name_suffixes += [(ending.lower(), position) for ending in fmt.name_suffixes]
            for suffix in fmt.sniffs:
                if fmt.sniff is not None:
                    self.sniffers.setdefault(suffix.lower(), []).append(position)
        self.prefixes = tuple(prefixes)
        self.following_references = frozenset(f.name for f in formats if f.follows_references)
        self.name_suffixes = tuple(name_suffixes)
        self.candidate_suffixes = frozenset(self.by_suffix) | {s.lower() for f in formats for s in f.sniffs}
        self.candidate_names = frozenset(self.by_name)
        self.candidate_prefixes = tuple(p for p, _ in prefixes)
        # A name ending whose own suffix makes the file a candidate anyway
        # (bom.json: any .json) need not be tried on every file of the tree.
        self.candidate_name_suffixes = tuple(e for e, _ in name_suffixes if _suffix_of(e) not in self.candidate_suffixes)

    def candidate_rules(self) -> tuple[frozenset[str], frozenset[str], tuple[str, ...], tuple[str, ...]]:
        """(suffixes, names, name prefixes, name endings) that make a file a candidate."""
        return self.candidate_suffixes, self.candidate_names, self.candidate_prefixes, self.candidate_name_suffixes

    def claimed_by_name(self, name: str, suffix: str) -> int:
        """The position of the first format whose name rules claim the file (len(order) for none)."""
        best = self.by_suffix.get(suffix, len(self.order))
        best = min(best, self.by_name.get(name, best))
        for prefix, position in self.prefixes:
            if position < best and name.startswith(prefix):
                best = position
        if self.name_suffixes:
            lower = name.lower()
            for ending, position in self.name_suffixes:
                if position < best and lower.endswith(ending):
                    best = position
        return best


def _suffix_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


_registry: list[Format] = list(BUILT_IN)
_index: _Index = _Index(_registry)
#: What :func:`candidate` checks, as one module global: it runs for every file of the tree.
_candidate_rules = _index.candidate_rules()


def register(fmt: Format, before: str | None = None) -> Format:
    """Add a format to the registry; from then on the scan detects and reads it.

    Parameters
    ----------
    fmt : Format
        The format with its reader and detection rules.
    before : str, optional
        The name of a format whose files this one should win where both
        rules claim a file (a more specific entry); by default the new format
        comes last and claims only files no other format claims.

    Returns
    -------
    Format
        ``fmt``, so that a module can keep it as a name.

    Notes
    -----
    Worker processes started by forking see formats registered before the
    scan; with the spawn start method (Windows, macOS) a format must be
    registered when its module is imported, as the built-in ones are.
    """
    if any(f.name == fmt.name for f in _registry):
        raise ValueError(f"a format named {fmt.name!r} is registered already")
    if fmt.sniffs and fmt.sniff is None and not (fmt.suffixes or fmt.names or fmt.name_prefixes or fmt.name_suffixes):
        raise ValueError(f"format {fmt.name!r}: no rule claims any file (sniffs without a sniff)")
    names = [f.name for f in _registry]
    if before is not None and before not in names:
        raise ValueError(f"format {fmt.name!r}: no format named {before!r} to come before")
    position = len(_registry) if before is None else names.index(before)
    registry = [*_registry[:position], fmt, *_registry[position:]]
    index = _Index(registry)  # checks that every `also` names a registered format
    _registry[:] = registry
    _use(index)
    return fmt


def unregister(name: str) -> None:
    """Remove a format from the registry (a test's throwaway format)."""
    _registry[:] = [f for f in _registry if f.name != name]
    _use(_Index(_registry))


def _use(index: _Index) -> None:
    global _index, _candidate_rules
    _index, _candidate_rules = index, index.candidate_rules()


def registered() -> dict[str, Format]:
    """The registered formats by name, in detection order."""
    return {f.name: f for f in _registry}


def get(name: str) -> Format:
    """The registered format of this name (KeyError when none is)."""
    for fmt in _registry:
        if fmt.name == name:
            return fmt
    raise KeyError(name)


def follows_references(format_names: Iterable[str]) -> bool:
    """Whether any of these formats names other files of the project
    (``-r other.txt``) that the scan reads too.

    A Dockerfile's ``pip install -r /tmp/req.txt`` names a path inside the
    image, not in the project: its format does not follow references.
    """
    return not _index.following_references.isdisjoint(format_names)


def candidate(rel_path: str) -> bool:
    """Whether a file *may* be an input, judged by its name alone.

    The scan reads only candidates; for ambiguous endings the content
    decides afterwards with :func:`detect_formats`.
    """
    _, name, suffix = path_parts(rel_path)
    suffixes, names, prefixes, name_suffixes = _candidate_rules
    if suffix.lower() in suffixes or name in names or name.startswith(prefixes):
        return True
    return bool(name_suffixes) and name.lower().endswith(name_suffixes)


def path_parts(rel_path: str) -> tuple[list[str] | None, str, str]:
    """The folders, name and suffix of a forward-slash path, as
    :class:`~pathlib.PurePosixPath` reads them (``a//b/./c.txt`` is
    ``a/b/c.txt``), without building one: the walk asks this of every file
    of the tree. The folders are only split out when the path needs
    normalising (None otherwise; :meth:`FileClue.folders` splits them on demand).
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
    _, name, suffix = path_parts(rel_path)
    suffix = suffix.lower()
    index = _index
    best = index.claimed_by_name(name, suffix)
    sniffers = index.sniffers.get(suffix)
    if sniffers:
        clue = FileClue(rel_path, name, head)
        for position in sniffers:
            if position >= best:
                break
            if index.order[position].sniff(clue):
                best = position
                break
    return list(index.claims[best]) if best < len(index.order) else []


def formats_by_name(rel_path: str) -> tuple[Format, ...]:
    """The formats a file's name alone gives it (no sniffing): what decides
    how its bytes are decoded before its text can be sniffed."""
    _, name, suffix = path_parts(rel_path)
    best = _index.claimed_by_name(name, suffix.lower())
    return _index.claims[best] if best < len(_index.order) else ()



# Go, Rust and CI workflows (issue 11, "inputs never read").


def _is_go_vendor_list(clue: FileClue) -> bool:
    # What `go mod vendor` writes: vendor/modules.txt (the vendored code itself is not walked).
    return clue.name == "modules.txt" and clue.folders()[-1:] == ["vendor"]


def _looks_like_ci_workflow(clue: FileClue) -> bool:
    # By place, not content: a workflow names images and runners as a Kubernetes
    # manifest or a conda file may, so the sniffs that look at content must not see it first.
    folders = clue.folders()
    if folders[-2:] == [".github", "workflows"] or ".gitlab" in folders:
        return True
    return clue.lower in ("action.yml", "action.yaml") and "runs:" in clue.head


def _first_yaml_sniffer() -> str | None:
    return next((f.name for f in _registry if f.sniff is not None and ".yml" in f.sniffs), None)


register(Format("go-mod", "lockin.inventory.gomod:read_go_mod", "Go module file (go.mod)", names=("go.mod",)))
register(Format("go-vendor", "lockin.inventory.gomod:read_vendor_modules", "Go vendor/modules.txt", sniffs=(".txt",), sniff=_is_go_vendor_list))
register(Format("go", "lockin.source.golang:scan_go", "Go source (imports and cgo preamble)", suffixes=(".go",)))
register(Format("cargo", "lockin.inventory.cargo:read_cargo_toml", "Rust manifest (Cargo.toml)", names=("Cargo.toml",)))
register(Format("cargo-lock", "lockin.inventory.cargo:read_cargo_lock", "Rust lock file (Cargo.lock)", names=("Cargo.lock",)))
register(Format("rust", "lockin.source.rust:scan_rust", "Rust source (use paths, Command::new)", suffixes=(".rs",)))
register(
    Format(
        "ci-workflow",
        "lockin.inventory.workflows:read_workflow",
        "GitHub Actions workflow / GitLab CI pipeline",
        names=(".gitlab-ci.yml", ".gitlab-ci.yaml"),
        name_suffixes=(".gitlab-ci.yml", ".gitlab-ci.yaml"),
        sniffs=_YAML,
        sniff=_looks_like_ci_workflow,
    ),
    before=_first_yaml_sniffer(),
)
