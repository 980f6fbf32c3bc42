"""The records every reader produces and every later step consumes.

Readers (inventory parsers and source scanners) turn text into
:class:`Evidence`; the classifier turns evidence into findings with the help
of the catalog. Readers never see the catalog's verdicts and never touch the
file system: they take text and a display path and return a
:class:`ReadResult`, which keeps them easy to test and safe to run in
worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

# Problem and InputError live with the other errors; they are imported from
# here by most of the library, so the names stay available.
from lockin.errors import InputError, Problem  # noqa: F401

#: Columns of a finding record, in output order (the docs/architecture.md contract first).
FINDING_COLUMNS = (
    "project",
    "path",
    "line",
    "kind",
    "name",
    "vendor",
    "layer",
    "portability",
    "alternative",
    "evidence",
    "family",
    "target",
    "note",
    "source",
)

#: Columns of a component record (one dependency of a project).
COMPONENT_COLUMNS = ("project", "path", "line", "kind", "name", "spec", "ecosystem", "evidence")

#: Columns of a skipped-input record.
SKIPPED_COLUMNS = ("project", "path", "line", "reason")

#: Columns of a definition record (a name the project defines itself).
DEFINITION_COLUMNS = ("project", "path", "line", "kind", "name", "target")

#: Columns of a region record (a line range of a file with a role).
REGION_COLUMNS = ("project", "path", "kind", "start", "end", "vendor")

#: Kinds of :class:`Definition`. ``alias`` names stand for another name
#: (``#define cudaMalloc hipMalloc``); ``package`` is a first-party Python
#: package (its import root).
DEFINITION_KINDS = ("macro", "function", "type", "namespace", "member", "variable", "package", "alias")

#: Kinds of :class:`Region`: one function body (sizing adapted lines), and
#: code that already has a path for a vendor (``#if HIP``/``#else``, an
#: ``if torch.version.hip:`` branch, a per-vendor module).
REGION_KINDS = ("function", "target-path")

#: Kinds of evidence. Inventory parsers emit the first group, which are the
#: project's *components*; source scanners emit the second group.
COMPONENT_KINDS = ("package", "index", "image", "cluster", "build", "env")
SOURCE_KINDS = ("include", "api", "construct", "module")
KINDS = COMPONENT_KINDS + SOURCE_KINDS

#: Portability classes, from least to most work (see docs/architecture.md).
PORTABILITY_CLASSES = ("portable", "translatable", "replaceable", "rewrite")

#: What a record of a summary, score or history table is: one project's, or
#: the portfolio's totals (whose project name is empty, so that no project
#: name, ``portfolio`` included, can be taken for them).
PROJECT_RECORD = "project"
PORTFOLIO_RECORD = "portfolio"


def roadblock_name(kind: str, name: str, family: str | None) -> str:
    """The name a ``rewrite`` finding is grouped under as a roadblock.

    Source references (an API, a construct) keep their own names; a
    component (package, image …) goes by its catalog family, as the effort
    model swaps it once per family, so cudf and cudf-cu12 are one roadblock.
    """
    if kind in SOURCE_KINDS:
        return name
    return family or name


class Evidence(NamedTuple):
    """One piece of possibly vendor-bound evidence at a place in a file.

    A named tuple rather than a dataclass: dense CUDA code yields one of
    these every few dozen bytes, and a tuple is several times cheaper to make.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    name : str
        The key the catalog is searched with: a normalised package name,
        an image reference without tag, an API symbol, a header path, a
        construct name, a dotted Python name, a resource name.
    line : int or None
        1-based line number, or None where the format has no lines.
    text : str
        The evidence as written in the file (one line, trimmed). It is
        redacted before it reaches any output.
    ecosystem : str
        Where the name lives: ``pypi``, ``conda``, ``docker``, ``k8s``,
        ``slurm``, ``cmake``, ``cuda``, ``python`` …
    spec : str
        Version, specifier or tag, where the format has one.
    """

    kind: str
    name: str
    line: int | None
    text: str
    ecosystem: str = ""
    spec: str = ""


class Definition(NamedTuple):
    """A name the project defines itself (never vendor evidence by itself).

    Parameters
    ----------
    kind : str
        One of :data:`DEFINITION_KINDS`.
    name : str
        As written; for a Python package, the import root (``flash_attn``).
    line : int or None
        1-based line of the definition.
    target : str
        Only for kind ``alias``: the name it stands for
        (``#define cudaMalloc hipMalloc`` → ``hipMalloc``).
    """

    kind: str
    name: str
    line: int | None
    target: str = ""


class Region(NamedTuple):
    """A line range of a file with a role for sizing or coverage.

    Parameters
    ----------
    kind : str
        One of :data:`REGION_KINDS`.
    start, end : int
        First and last line, 1-based, inclusive.
    vendor : str
        For ``target-path``: the vendor the path is for (``amd``, ``nvidia`` …).
    """

    kind: str
    start: int
    end: int
    vendor: str = ""


@dataclass(slots=True)
class ReadResult:
    """What a reader returns for one file.

    Attributes
    ----------
    evidence : list of Evidence
    problems : list of Problem
        Defects in parts of the file that were skipped while the rest was
        read (a malformed requirement line, say).
    references : list of str
        Other files this one pulls in (``-r base.txt``), as written,
        relative to the file's folder. The scan reads them too.
    definitions : list of Definition
        Names the file defines (the project's own names are not evidence).
    regions : list of Region
        Line ranges with a role (function bodies, target-vendor paths).
    """

    evidence: list[Evidence] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)

    def add(self, kind: str, name: str, line: int | None, text: str, ecosystem: str = "", spec: str = "") -> None:
        self.evidence.append(Evidence(kind, name, line, text.strip()[:240], ecosystem, spec))

    def problem(self, path: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def define(self, kind: str, name: str, line: int | None, target: str = "") -> None:
        self.definitions.append(Definition(kind, name, line, target))

    def region(self, kind: str, start: int, end: int, vendor: str = "") -> None:
        self.regions.append(Region(kind, start, end, vendor))
