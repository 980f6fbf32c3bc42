"""The project's own names are not vendor evidence.

A project that defines ``CUDA_CHECK`` in one file and uses it in a hundred
others, or whose tests import its own ``flash_attn`` package, has not used
a vendor API a hundred times. Once all files of a project are read, its
definitions (:class:`~lockin.records.Definition`) set aside:

- an ``api`` finding whose name the project defines itself (a macro,
  function, type, namespace, member or variable), or whose qualified name
  starts with one (``hip::check`` in a project that defines namespace
  ``hip``);
- a ``module`` finding whose import root is one of the project's packages
  (for a slash-separated Go import path: that lies under the module path
  its ``go.mod`` declares);
- a finding on the very line of an ``alias`` definition that names the
  alias (``#define cudaMalloc hipMalloc`` is the shim, not a use of
  ``cudaMalloc``). Uses of the alias elsewhere are kept: the scoring marks
  them covered.

- a ``package`` finding that installs one of the project's own packages
  (``pip install flash-attn`` in the image of the project that is
  ``flash_attn``): the project installing itself;
- an ``include`` with a folder part that names one of the project's own
  files (``#include "cuda/q_matrix.cuh"`` where the project has
  ``…/cuda/q_matrix.cuh``): a folder named after a vendor does not make the
  project's header the vendor's. A bare name (``cuda.h``) is kept even when
  the project holds a file of that name: a copied vendor header is still
  the vendor's.

Constructs are never set aside this way. The scan stream
applies :class:`OwnNames` per project (so ``lockin scan``, ``score``, the
notebooks and the report all see the same findings); :func:`drop_own_names`
is the same rule on DataFrames.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from lockin.records import DEFINITION_COLUMNS, FINDING_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

#: Definition kinds whose names, used as an ``api`` finding, are the project's own.
NAME_KINDS = frozenset({"macro", "function", "type", "namespace", "member", "variable"})

#: Finding kinds the names, packages and headers rules apply to.
API_KIND = "api"
MODULE_KIND = "module"
INCLUDE_KIND = "include"
PACKAGE_KIND = "package"

#: Columns of the count of findings set aside per project and name.
DROPPED_COLUMNS = ("project", "kind", "name", "count")

_PATH, _LINE, _KIND, _NAME = (FINDING_COLUMNS.index(c) for c in ("path", "line", "kind", "name"))
_D_PATH, _D_LINE, _D_KIND, _D_NAME = (DEFINITION_COLUMNS.index(c) for c in ("path", "line", "kind", "name"))


class OwnNames:
    """One project's own names, from its definition records.

    Definitions are tuples in :data:`~lockin.records.DEFINITION_COLUMNS`
    order, their names redacted as finding names are, so that the two match.
    """

    __slots__ = ("names", "packages", "alias_lines", "headers")

    def __init__(self, definitions: Iterable[Sequence] = (), paths: Iterable[str] = ()):
        self.names: set[str] = set()
        self.packages: set[str] = set()
        self.alias_lines: set[tuple] = set()
        self.headers: set[str] = set()
        self.add(definitions)
        self.add_files(paths)

    def add_files(self, paths: Iterable[str]) -> None:
        """Note the project's files: an include naming one by a folder-qualified tail is its own."""
        for path in paths:
            parts = path.split("/")
            for start in range(len(parts) - 1):
                self.headers.add("/".join(parts[start:]))

    def add(self, definitions: Iterable[Sequence]) -> None:
        for definition in definitions:
            kind, name = definition[_D_KIND], definition[_D_NAME]
            if kind in NAME_KINDS:
                self.names.add(name)
            elif kind == "package":
                self.packages.add(name)
            elif kind == "alias":
                self.alias_lines.add((definition[_D_PATH], definition[_D_LINE], name))

    def __bool__(self) -> bool:
        return bool(self.names or self.packages or self.alias_lines or self.headers)

    def owns(self, path: str, line: int | None, kind: str, name: str) -> bool:
        """Whether a finding (its path, line, kind and name) is the project's own name."""
        if kind == API_KIND and (name in self.names or ("::" in name and name.partition("::")[0] in self.names)):
            return True
        if kind == MODULE_KIND and (name.partition(".")[0] in self.packages or ("/" in name and self._own_module_path(name))):
            return True
        if kind == INCLUDE_KIND and "/" in name and name in self.headers:
            return True
        if kind == PACKAGE_KIND and _import_name(name) in self.packages:
            return True
        return (path, line, name) in self.alias_lines

    def _own_module_path(self, name: str) -> bool:
        """Whether a slash-separated import path (Go) lies under one of the project's module paths."""
        cut = len(name)
        while cut > 0:
            if name[:cut] in self.packages:
                return True
            cut = name.rfind("/", 0, cut)
        return False

    def owns_finding(self, finding: Sequence) -> bool:
        """:meth:`owns` for a finding tuple in FINDING_COLUMNS order."""
        return self.owns(finding[_PATH], finding[_LINE], finding[_KIND], finding[_NAME])


def _import_name(package: str) -> str:
    """The import root a distribution name installs under by convention (``flash-attn`` → ``flash_attn``)."""
    return package.lower().replace("-", "_").replace(".", "_")


def may_be_own(findings: Sequence[Sequence], definitions: Sequence[Sequence]) -> bool:
    """Whether some of one file's findings could be set aside once the
    project's definitions are known: ``api`` and ``module`` findings, and any
    finding on one of the file's own alias lines. A file without any is
    final as soon as it is read."""
    if any(f[_KIND] in (API_KIND, MODULE_KIND, PACKAGE_KIND) or (f[_KIND] == INCLUDE_KIND and "/" in f[_NAME]) for f in findings):
        return True
    aliases = OwnNames(d for d in definitions if d[_D_KIND] == "alias")
    return bool(aliases.alias_lines) and any(aliases.owns_finding(f) for f in findings)


def own_names_by_project(definitions: Iterable[Sequence]) -> dict[str, OwnNames]:
    """Each project's :class:`OwnNames`, from definition tuples of many projects."""
    by_project: dict[str, OwnNames] = {}
    for definition in definitions:
        by_project.setdefault(definition[0], OwnNames()).add((definition,))
    return by_project


def own_name_mask(findings: pd.DataFrame, definitions: pd.DataFrame, inputs: pd.DataFrame | None = None) -> list[bool]:
    """Per finding row, whether it is its project's own name (``inputs``,
    the scan's input files, give the headers rule its files)."""
    has_files = inputs is not None and not inputs.empty
    if findings.empty or (definitions.empty and not has_files):
        return [False] * len(findings)
    columns = [definitions[c] for c in DEFINITION_COLUMNS]
    columns[_D_LINE] = _plain_lines(definitions["line"])
    own = own_names_by_project(zip(*columns))
    if has_files:
        for project, paths in inputs.groupby("project")["path"]:
            own.setdefault(project, OwnNames()).add_files(paths)
    none = OwnNames()
    rows = zip(findings["project"], findings["path"], _plain_lines(findings["line"]), findings["kind"], findings["name"])
    return [own.get(project, none).owns(path, line, kind, name) for project, path, line, kind, name in rows]


def drop_own_names(findings: pd.DataFrame, definitions: pd.DataFrame, inputs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The findings without those that are their project's own names.

    Parameters
    ----------
    findings : DataFrame
        Finding records (at least project, path, line, kind, name).
    definitions : DataFrame
        Definition records (:data:`~lockin.records.DEFINITION_COLUMNS`).
    inputs : DataFrame, optional
        The scan's input files (project, path), for the headers rule.

    Returns
    -------
    DataFrame
        The findings kept, in their order, with a fresh index.
    """
    mask = own_name_mask(findings, definitions, inputs)
    if not any(mask):
        return findings
    return findings[[not own for own in mask]].reset_index(drop=True)


def dropped_counts(counts: Counter) -> pd.DataFrame:
    """The findings set aside as own names, counted per (project, kind, name)."""
    import pandas as pd

    rows = [(project, kind, name, count) for (project, kind, name), count in counts.items()]
    return pd.DataFrame.from_records(rows, columns=list(DROPPED_COLUMNS)).astype({"count": "int64"})




def _plain_lines(column: pd.Series) -> list[int | None]:
    """A frame's line column as records hold it: ints, None where missing."""
    import pandas as pd

    return [None if pd.isna(line) else int(line) for line in column]
