"""Build-time translation and adoption of the target vendor's own implementations.

Two ways a move costs less than translating and adapting every CUDA line:

- **Build-time translation.** A PyTorch C++/CUDA extension built with
  ``torch.utils.cpp_extension.CUDAExtension`` is hipified by PyTorch when
  it is built against ROCm PyTorch: its CUDA sources are translated by the
  build, so the lines a translator converts cost nothing to translate;
  what the translator cannot handle (inline PTX, warp-size assumptions,
  APIs without a HIP counterpart) is still adapted by hand, and each such
  build costs ``translated_build_hours`` to build and fix on the target
  (:func:`translating_builds`).
- **Library adoption.** Where the target vendor maintains an implementation
  of the function a project's hand-written kernels compute (Composable
  Kernel's attention, hipBLASLt's GEMM, RCCL's collectives: the catalog's
  ``implementations.yml``), a move adopts it: integration work priced once
  per function and build, not a rewrite of every kernel
  (:func:`adoptions`).

See docs/methodology.md, "Build-time translation and library adoption".
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pandas as pd

from lockin.catalog.implementations import Implementation, function_of
from lockin.records import SOURCE_KINDS
from lockin.scoring.builds import build_roots, folder_of, nearest_root, owning_builds

__all__ = ["NATIVE_SOURCE_SUFFIXES", "translating_builds", "mark_translation", "keep_cheaper_adoptions"]

#: C, C++ and CUDA files: what HIPIFY (and PyTorch's hipify) translate.
NATIVE_SOURCE_SUFFIXES = frozenset({".cu", ".cuh", ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx", ".inl", ".inc"})

#: The catalog family of PyTorch's extension builder (``CUDAExtension``).
PYTORCH_EXTENSION_FAMILY = "pytorch-extension"

#: Vendors whose sources a build-time translator of the target converts.
_BUILD_TRANSLATORS = {"amd": "nvidia"}  # PyTorch hipifies CUDA sources when built against ROCm


def translating_builds(findings: pd.DataFrame, inputs: pd.DataFrame | None, target: str, roots: set[tuple[str, str]] | None = None) -> set[tuple[str, str]]:
    """Build roots that translate their CUDA sources for the target at build time.

    Towards AMD: a build whose files use PyTorch's ``CUDAExtension``
    (catalog family ``pytorch-extension``): PyTorch runs its hipify on the
    extension's sources when it is built against ROCm PyTorch. ``roots``:
    the scan's build roots when the caller has them (:func:`build_roots`).
    """
    source_vendor = _BUILD_TRANSLATORS.get(target)
    if source_vendor is None or findings.empty:
        return set()
    roots = build_roots(inputs) if roots is None else roots
    family = findings["family"].fillna("").astype(str)
    vendor = findings["vendor"].fillna("").astype(str)
    users = findings[(family == PYTORCH_EXTENSION_FAMILY) & (vendor == source_vendor)]
    found = {nearest_root(project, folder_of(path), roots) for project, path in zip(users["project"], users["path"])}
    return {root for root in found if root is not None}


def _native_source(findings: pd.DataFrame) -> pd.Series:
    suffix = findings["path"].astype(str).map(lambda p: PurePosixPath(p).suffix.lower())
    return findings["kind"].isin(SOURCE_KINDS) & suffix.isin(NATIVE_SOURCE_SUFFIXES)


def mark_translation(findings: pd.DataFrame, inputs: pd.DataFrame | None, implementations: list[Implementation], target: str) -> pd.DataFrame:
    """The findings with ``translated_by``, ``adopted_as`` and ``adopted_build``.

    ``translated_by``: for a C/C++/CUDA source finding whose nearest build
    translates it at build time (:func:`translating_builds`), that build's
    folder ("." for the project's root); "" otherwise.

    ``adopted_as``: for a C/C++/CUDA source finding in a file whose name (or
    folder's) names a function the target vendor implements
    (``implementations``), or a source finding of a catalog family the
    target vendor's library replaces (TensorRT's API → MIGraphX), that function, when the findings of that
    function in that build hold hand work (a ``replaceable`` or ``rewrite``
    finding): the move adopts the vendor's implementation instead. Kernels
    a translator converts completely are translated, not replaced.
    ``adopted_build`` is that build's folder and ``integration_hours`` the
    catalog's hours for integrating it (NaN when not adopted).
    """
    empty = pd.Series("", index=findings.index, dtype=object)
    if findings.empty:
        return findings.assign(translated_by=empty, adopted_as=empty, adopted_build=empty, integration_hours=pd.Series(dtype=float))
    roots = build_roots(inputs)
    native = _native_source(findings)
    owners = owning_builds(findings, roots)
    translating = {(project, folder or ".") for project, folder in translating_builds(findings, inputs, target, roots)}
    translated = pd.Series([owner if native_ and (project, owner) in translating else "" for project, owner, native_ in zip(findings["project"], owners, native)], index=findings.index, dtype=object)
    mine = [i for i in implementations if i.vendor == target]
    functions = _functions(findings["path"], native, mine)
    # A vendor product's API (TensorRT) is replaced by the target's (MIGraphX) wherever it is used.
    by_family = {family: i.function for i in mine for family in i.families}
    family = pd.Series([by_family.get(f, "") for f in findings["family"].fillna("").astype(str).str.lower()], index=findings.index, dtype=object)
    functions = functions.where(functions != "", family.where(findings["kind"].isin(SOURCE_KINDS), ""))
    hand_work = findings["portability"].isin(("replaceable", "rewrite")) & (functions != "")
    adopting = set(zip(findings.loc[hand_work, "project"], functions[hand_work], owners[hand_work]))
    adopted = pd.Series([f if f and (p, f, o) in adopting else "" for p, f, o in zip(findings["project"], functions, owners)], index=findings.index, dtype=object)
    hours = {i.function: i.integration_hours for i in mine}
    return findings.assign(
        translated_by=translated,
        adopted_as=adopted,
        adopted_build=owners.where(adopted != "", ""),
        integration_hours=adopted.map(lambda f: hours.get(f, float("nan")) if f else float("nan")).astype(float),
    )


def _functions(paths: pd.Series, native: pd.Series, implementations: list[Implementation]) -> pd.Series:
    """Per finding, the function its file's name names ("" for none or a non-native file)."""
    cache: dict[str, str] = {}
    names = []
    for path, native_ in zip(paths.astype(str), native):
        if not native_ or not implementations:
            names.append("")
            continue
        if path not in cache:
            found = function_of(path, implementations)
            cache[path] = found.function if found is not None else ""
        names.append(cache[path])
    return pd.Series(names, index=paths.index, dtype=object)


def keep_cheaper_adoptions(findings: pd.DataFrame, inputs: pd.DataFrame, params, projects: list[str], regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Drop the proposed adoptions that would cost more than porting the kernels.

    A team adopts the vendor's implementation when integrating it costs
    less than translating and rewriting its own kernels: a small kernel
    with three lines of inline PTX is rewritten, a file of tensor-core
    attention kernels is replaced. Each proposed adoption (a project,
    function and build of :func:`mark_translation`) is kept when the
    project's nominal effort with it (every input at its mode) is below
    the effort without it.
    """
    from lockin.scoring.calibration import nominal_effort
    from lockin.scoring.effort import project_facts

    if findings.empty or "adopted_as" not in findings.columns:
        return findings
    adopted = findings["adopted_as"].fillna("").astype(str)
    groups = sorted(set(zip(findings.loc[adopted != "", "project"], adopted[adopted != ""], findings.loc[adopted != "", "adopted_build"])))
    if not groups:
        return findings
    none = findings.assign(adopted_as="")

    def cost(project_findings: pd.DataFrame, project: str) -> float:
        return nominal_effort(project_facts(project_findings, inputs, params, [project], regions), params)[0]

    without: dict[str, float] = {}  # each project's effort with no adoption, computed once
    keep = pd.Series(False, index=findings.index)
    for project, function, build in groups:
        mine = (findings["project"] == project) & (adopted == function) & (findings["adopted_build"] == build)
        own = findings["project"] == project
        if project not in without:
            without[project] = cost(none[own], project)
        if cost(none[own].assign(adopted_as=adopted[own].where(mine[own], "")), project) < without[project]:
            keep |= mine
    return findings.assign(
        adopted_as=adopted.where(keep, ""),
        adopted_build=findings["adopted_build"].where(keep, ""),
        integration_hours=findings["integration_hours"].where(keep),
    )
