"""Target readiness: what a project already supports on the target vendor.

A project that already builds for the target (HIP code beside its CUDA
code, a ROCm image beside the CUDA one, a mapping header that maps CUDA
names to HIP names) does not need that code moved again: it needs the
existing path validated. This module decides, per finding, whether the
target vendor is already served (:func:`mark_covered`), which vendor a
project is moving *from* (:func:`source_vendors`), and the per-project
readiness figures the scores show (:func:`readiness_table`).

See docs/methodology.md, "Target readiness", for the rules and a worked
example.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import PurePosixPath

import pandas as pd

from lockin.records import COMPONENT_KINDS, SOURCE_KINDS
from lockin.scoring.builds import build_files, folder_of, nearest_root, owning_builds

__all__ = [
    "REGION_COLUMNS",
    "DEFINITION_COLUMNS",
    "COVERAGE_REASONS",
    "NEUTRAL_VENDORS",
    "scan_regions",
    "scan_definitions",
    "mark_covered",
    "source_vendors",
    "charged_mask",
    "readiness_table",
    "READINESS_COLUMNS",
    "VENDOR_FILE_WORDS",
    "vendor_bound_mask",
    "target_paths",
    "portfolio_readiness",
    "merge_vendor_counts",
]

#: Columns of ``ScanResult.regions`` (docs: the shared scan interface).
REGION_COLUMNS = ["project", "path", "kind", "start", "end", "vendor"]

#: Columns of ``ScanResult.definitions``.
DEFINITION_COLUMNS = ["project", "path", "line", "kind", "name", "target"]

#: Why a finding is covered, strongest first: a finding that several rules
#: cover is reported under the first.
COVERAGE_REASONS = ("target-path", "alias", "hip-sibling", "target-file", "target-build", "target-component", "source-variant")

#: Vendor labels that are nobody's lock-in: their non-portable findings are
#: part of any move (a 32-wide warp assumption), so they go with the source.
NEUTRAL_VENDORS = frozenset({"", "neutral"})

#: Per-project readiness columns (see :func:`readiness_table`).
READINESS_COLUMNS = ["project", "source_vendor", "covered", "readiness", "target_paths", "other_vendor_bound", "other_vendors"]

#: Dimensions of component kinds, for ``target_paths`` (as in the effort model).
_COMPONENT_DIMENSION = {"package": "libraries", "index": "libraries", "image": "platform", "cluster": "platform", "build": "platform", "env": "platform"}


def scan_regions(scan) -> pd.DataFrame:
    """The scan's regions, or an empty frame with the columns when the scan has none (older scans)."""
    return _frame_or_empty(getattr(scan, "regions", None), REGION_COLUMNS)


def scan_definitions(scan) -> pd.DataFrame:
    """The scan's definitions, or an empty frame with the columns when the scan has none."""
    return _frame_or_empty(getattr(scan, "definitions", None), DEFINITION_COLUMNS)


def _frame_or_empty(frame, columns: list[str]) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame(columns=columns)
    return frame


def vendor_bound_mask(findings: pd.DataFrame, target: str) -> pd.Series:
    """Findings that bind to a vendor other than the target: not portable and not of the target (vendor-neutral ones included)."""
    vendor = findings["vendor"].fillna("").astype(str)
    return (findings["portability"] != "portable") & (vendor != target)


def mark_covered(findings: pd.DataFrame, regions: pd.DataFrame, definitions: pd.DataFrame, inputs: pd.DataFrame, target: str) -> pd.DataFrame:
    """The findings with ``covered`` (bool) and ``covered_by`` (the rule, or "").

    A vendor-bound finding (not portable, not of the target vendor) is
    covered when the target already has a path for it:

    - ``target-path``: its line lies in a ``target-path`` region for the
      target vendor in its file (the ``#else`` of a ``#ifdef USE_ROCM``);
    - ``alias``: its name is the name of an ``alias`` definition of the
      project (a mapping header ``#define cudaMalloc hipMalloc``);
    - ``hip-sibling``: towards AMD, a ``.hip`` file with the same stem lies
      beside its file (``k.cu`` and ``k.hip``);
    - ``target-file``: its file already has a target path: findings of the
      target vendor (HIP headers, ``hip*`` calls) or a target-path region;
    - ``target-build``: the build that owns its file already builds for the
      target (see :func:`target_build_roots`);
    - ``target-component``: a component (package, index, image, cluster,
      build, env) when the project has a component of the same kind for the
      target vendor (a ROCm image beside the CUDA one; packages and package
      indexes count as one kind), or a requirements file or Dockerfile
      named for the target (``requirements_rocm.txt``, ``Dockerfile_amd``;
      see :data:`VENDOR_FILE_WORDS`);
    - ``source-variant``: in a project that already builds for the target,
      its file lies in a folder (or is a file) named for its own vendor or
      that vendor's product (``backends/trtllm/``, ``platforms/cuda.py``)
      beside a sibling named for another vendor (``backends/gaudi/``,
      ``platforms/rocm.py``): the project keeps one variant per vendor, and
      the target runs through its own (see :func:`source_variants`).

    A CI workflow's findings (a CUDA toolkit install step, an NVIDIA runner)
    belong to the build the workflow builds, the one at or above its folder:
    when that build already builds for the target they are covered with it
    (``target-build``), since validating a covered build means building it
    and running its tests in the target's CI.

    Findings that are portable or of the target vendor are never covered:
    there is nothing to cover.
    """
    if findings.empty:
        return findings.assign(covered=pd.Series(dtype=bool), covered_by=pd.Series(dtype=object), covered_build=pd.Series(dtype=object))
    bound = vendor_bound_mask(findings, target)
    in_code = _has_lines_in_code(findings) | _in_ci_workflow(findings, inputs)
    roots = target_build_roots(findings, regions, inputs, target, definitions)
    builds = target_builds(findings, roots)
    variants = source_variants(findings, inputs, {project for (project, _), enabled in roots.items() if enabled})
    reasons = pd.Series("", index=findings.index, dtype=object)
    rules = {
        "target-path": _in_target_region(findings, regions, target),
        "alias": _aliased(findings, definitions),
        "hip-sibling": _has_hip_sibling(findings, inputs) if target == "amd" else pd.Series(False, index=findings.index),
        "target-file": _in_target_file(findings, regions, target),
        "target-build": (builds != "") & in_code,
        "target-component": _has_target_component(findings, target, inputs),
        "source-variant": variants != "",
    }
    for reason in reversed(COVERAGE_REASONS):  # the strongest reason written last wins
        reasons = reasons.where(~(rules[reason] & bound), reason)
    covered = (reasons != "").astype(bool)
    # A build that already builds for the target is validated there as a whole;
    # a source variant is checked once, as the variant it is.
    units = builds.where(in_code, "").where(reasons != "source-variant", variants)
    return findings.assign(covered=covered, covered_by=reasons, covered_build=units.where(covered, ""))


def _is_source(findings: pd.DataFrame) -> pd.Series:
    return findings["kind"].isin(SOURCE_KINDS)


def _target_regions(regions: pd.DataFrame, target: str) -> pd.DataFrame:
    if regions is None or regions.empty:
        return pd.DataFrame(columns=REGION_COLUMNS)
    return regions[(regions["kind"] == "target-path") & (regions["vendor"].fillna("").astype(str) == target)]


def _in_target_region(findings: pd.DataFrame, regions: pd.DataFrame, target: str) -> pd.Series:
    spans = _target_regions(regions, target)
    covered = pd.Series(False, index=findings.index)
    if spans.empty:
        return covered
    by_file: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for project, path, start, end in zip(spans["project"], spans["path"], spans["start"], spans["end"]):
        by_file.setdefault((project, path), []).append((int(start), int(end)))
    # Only findings in files with such a region are looked at (a few files of many).
    candidates = findings[[key in by_file for key in zip(findings["project"], findings["path"])]]
    lines = pd.to_numeric(candidates["line"], errors="coerce")
    for index, project, path, line in zip(candidates.index, candidates["project"], candidates["path"], lines):
        if pd.notna(line):
            covered[index] = any(start <= line <= end for start, end in by_file[(project, path)])
    return covered & _has_lines_in_code(findings)


#: Component kinds written in code or build files, whose line can lie in a
#: target-path region (the nvcc flags of a setup.py's CUDA branch).
BUILD_KINDS = frozenset({"build", "env"})


def _has_lines_in_code(findings: pd.DataFrame) -> pd.Series:
    return _is_source(findings) | findings["kind"].isin(BUILD_KINDS)


def _aliased(findings: pd.DataFrame, definitions: pd.DataFrame) -> pd.Series:
    if definitions is None or definitions.empty:
        return pd.Series(False, index=findings.index)
    aliases = definitions[definitions["kind"] == "alias"]
    names = set(zip(aliases["project"], aliases["name"]))
    pairs = zip(findings["project"], findings["name"])
    return pd.Series([pair in names for pair in pairs], index=findings.index) & _is_source(findings)


def _has_hip_sibling(findings: pd.DataFrame, inputs: pd.DataFrame) -> pd.Series:
    hip_stems = {(project, str(PurePosixPath(path).with_suffix(""))) for project, path in zip(inputs["project"], inputs["path"]) if str(path).endswith(".hip")}
    stems = [(project, str(PurePosixPath(str(path)).with_suffix(""))) for project, path in zip(findings["project"], findings["path"])]
    own_hip = findings["path"].astype(str).str.endswith(".hip")
    return pd.Series([stem in hip_stems for stem in stems], index=findings.index) & _is_source(findings) & ~own_hip


def _in_target_file(findings: pd.DataFrame, regions: pd.DataFrame, target: str) -> pd.Series:
    source = _is_source(findings)
    vendor = findings["vendor"].fillna("").astype(str)
    files = set(zip(findings.loc[source & (vendor == target), "project"], findings.loc[source & (vendor == target), "path"]))
    spans = _target_regions(regions, target)
    files |= set(zip(spans["project"], spans["path"]))
    return pd.Series([key in files for key in zip(findings["project"], findings["path"])], index=findings.index) & source


def _in_ci_workflow(findings: pd.DataFrame, inputs: pd.DataFrame | None) -> pd.Series:
    """Findings read from a CI workflow (GitHub Actions, GitLab CI)."""
    if inputs is None or inputs.empty:
        return pd.Series(False, index=findings.index)
    is_workflow = inputs["formats"].fillna("").astype(str).str.contains("ci-workflow", regex=False)
    workflows = set(zip(inputs.loc[is_workflow, "project"], inputs.loc[is_workflow, "path"]))
    return pd.Series([key in workflows for key in zip(findings["project"], findings["path"])], index=findings.index)


#: Words that name a vendor, or a product only that vendor ships, in a
#: folder or file name (split at ``-``, ``_``, ``.`` and ``/``): a project
#: that keeps one variant per vendor names them so (``backends/trtllm``,
#: ``backends/gaudi``, ``platforms/rocm.py``, ``ggml-cuda``, ``flash_attn_ck``).
VARIANT_WORDS = {
    "amd": ("rocm", "hip", "amd", "amdgpu", "ck", "aiter", "miopen", "rccl"),
    "nvidia": ("cuda", "nvidia", "trt", "trtllm", "tensorrt", "cudnn", "cutlass", "nccl"),
    "intel": ("intel", "xpu", "gaudi", "hpu", "habana", "sycl", "ipex", "oneapi"),
    "google": ("tpu", "xla"),
}

_WORD_VENDOR = {word: vendor for vendor, words in VARIANT_WORDS.items() for word in words}
_NAME_PARTS = re.compile(r"[^a-z0-9]+")


def _name_vendor(name: str) -> str:
    """The vendor a folder or file name names (``trtllm`` → nvidia), or ""."""
    stem = name.lower().rsplit(".", 1)[0] if "." in name and not name.startswith(".") else name.lower()
    vendors = {_WORD_VENDOR[w] for w in _NAME_PARTS.split(stem) if w in _WORD_VENDOR}
    return vendors.pop() if len(vendors) == 1 else ""


def source_variants(findings: pd.DataFrame, inputs: pd.DataFrame | None, ready: set[str]) -> pd.Series:
    """Per finding, the per-vendor variant of its own vendor that holds it, or "".

    A variant is a folder or file named for one vendor (:data:`VARIANT_WORDS`)
    whose folder also holds an entry named for another vendor: the project
    keeps one implementation per vendor there (TGI's ``backends/trtllm``
    beside ``backends/gaudi``; vLLM's ``platforms/cuda.py`` beside
    ``platforms/rocm.py``). A finding inside a variant of its own vendor
    needs no move when the project already builds for the target somewhere
    (``ready``: the projects with a build root that does): the target
    runs through the project's other variant, and this one stays with its
    vendor. A folder of features (flash-attention's ``csrc/layer_norm``
    beside ``csrc/flash_attn_ck``) is no variant: its name names no vendor.
    """
    result = pd.Series("", index=findings.index, dtype=object)
    if inputs is None or inputs.empty or findings.empty or not ready:
        return result
    entries: dict[tuple[str, str], set[str]] = {}
    for project, path in zip(inputs["project"], inputs["path"]):
        if project not in ready:
            continue
        parts = str(path).split("/")
        for depth in range(len(parts)):
            entries.setdefault((project, "/".join(parts[:depth])), set()).add(parts[depth])
    vendors_beside = {key: {v for v in map(_name_vendor, names) if v} for key, names in entries.items()}

    def variant_of(project: str, path: str, own: str) -> str:
        parts = str(path).split("/")
        for depth in range(len(parts)):
            if _name_vendor(parts[depth]) == own and vendors_beside.get((project, "/".join(parts[:depth])), set()) - {own}:
                return "/".join(parts[: depth + 1])
        return ""

    vendor = findings["vendor"].fillna("").astype(str)
    found: dict[tuple[str, str, str], str] = {}  # the findings of one file share its answer
    for index, project, path, own in zip(findings.index, findings["project"], findings["path"], vendor):
        if project not in ready or not own:
            continue
        key = (project, path, own)
        if key not in found:
            found[key] = variant_of(project, path, own)
        result[index] = found[key]
    return result


#: Aliases to target names that make a file a mapping header (llama.cpp's
#: vendors/hip.h maps 134 CUDA names): the build that holds it compiles its
#: CUDA sources for the target through it.
MAPPING_HEADER_ALIASES = 10


def target_build_roots(findings: pd.DataFrame, regions: pd.DataFrame, inputs: pd.DataFrame | None, target: str, definitions: pd.DataFrame | None = None) -> dict[tuple[str, str], bool]:
    """Each build root of each project, (project, folder) → whether it already builds for ``target``.

    A build root is a folder holding a build file (``setup.py``,
    ``pyproject.toml``, ``CMakeLists.txt``, a Makefile). It builds for the
    target when one of the files directly in it says so: a build setting
    of the target vendor (``enable_language(HIP)``, ``--offload-arch``,
    ``hipcc``), a target-path region in a build file (the ``if
    torch.version.hip:`` branch of a ``setup.py``: PyTorch hipifies the
    extension's CUDA sources when it builds against ROCm), or a
    requirements file or Dockerfile named for the target
    (``requirements_rocm.txt``, ``Dockerfile_amd``). The build root nearest
    to a mapping header (:data:`MAPPING_HEADER_ALIASES` or more aliases)
    builds for the target too: its sources reach the target through it.
    """
    files = build_files(inputs)
    roots = {(project, folder_of(path)): False for project, path in zip(files["project"], files["path"])}
    if not roots:
        return roots
    build_paths = set(zip(files["project"], files["path"]))
    vendor = findings["vendor"].fillna("").astype(str)
    signals = findings[(findings["kind"] == "build") & (vendor == target)]
    enabled = {(project, folder_of(path)) for project, path in zip(signals["project"], signals["path"])}
    spans = _target_regions(regions, target)
    enabled |= {(project, folder_of(path)) for project, path in zip(spans["project"], spans["path"]) if (project, path) in build_paths}
    enabled |= {(project, folder_of(path)) for project, path, _ in _target_vendor_files(inputs, target)}
    for project, folder in _mapping_header_folders(definitions):
        root = nearest_root(project, folder, roots)
        if root is not None:
            enabled.add(root)
    return {key: key in enabled for key in roots}


def _mapping_header_folders(definitions: pd.DataFrame | None) -> set[tuple[str, str]]:
    if definitions is None or definitions.empty:
        return set()
    aliases = definitions[definitions["kind"] == "alias"]
    counts = aliases.groupby(["project", "path"]).size()
    return {(project, folder_of(path)) for (project, path), count in counts.items() if count >= MAPPING_HEADER_ALIASES}


def target_builds(findings: pd.DataFrame, roots: dict[tuple[str, str], bool]) -> pd.Series:
    """Per finding, the folder of the build that owns its file when that
    build already builds for the target ("" otherwise; ``roots`` from
    :func:`target_build_roots`)."""
    if not any(roots.values()):
        return pd.Series("", index=findings.index, dtype=object)
    owners = owning_builds(findings, roots)  # "." for the project's root, or for no build at all
    enabled = [owner if roots.get((project, "" if owner == "." else owner), False) else "" for project, owner in zip(findings["project"], owners)]
    return pd.Series(enabled, index=findings.index, dtype=object)


#: Component kinds that stand in for each other as a target path: a ROCm
#: package index serves the packages (pip installs them from it), as a
#: requirements_rocm.txt package does.
_COVERING_GROUP = {"package": "package", "index": "package", "image": "image", "cluster": "cluster", "build": "build", "env": "env"}


#: Words in a file name that make a requirements file or Dockerfile one
#: vendor's own (``requirements_rocm.txt``, ``Dockerfile_amd``).
VENDOR_FILE_WORDS = {
    "amd": ("rocm", "hip", "amd"),
    "nvidia": ("cuda", "nvidia"),
    "intel": ("intel", "xpu", "gaudi", "hpu", "habana", "sycl"),
    "google": ("tpu",),
}

#: Input formats whose per-vendor files are a target path, and the component kind they serve.
_VENDOR_FILE_FORMATS = {"requirements": "package", "dockerfile": "image"}


def _target_vendor_files(inputs: pd.DataFrame | None, target: str) -> list[tuple[str, str, set[str]]]:
    """(project, path, component kinds it serves) of each requirements file or
    Dockerfile named for the target (``requirements_rocm.txt``: packages)."""
    words = set(VENDOR_FILE_WORDS.get(target, ()))
    files = []
    if inputs is None or inputs.empty or not words:
        return files
    for project, path, formats in zip(inputs["project"], inputs["path"], inputs["formats"].fillna("").astype(str)):
        name_words = set(re.split(r"[^a-z0-9]+", PurePosixPath(str(path)).name.lower()))
        kinds = {_VENDOR_FILE_FORMATS[f] for f in formats.split(",") if f in _VENDOR_FILE_FORMATS}
        if name_words & words and kinds:
            files.append((project, path, kinds))
    return files


def _target_input_groups(inputs: pd.DataFrame | None, target: str) -> set[tuple[str, str]]:
    """(project, kind) pairs served by a per-vendor input file of the target (``requirements_rocm.txt``: packages)."""
    return {(project, kind) for project, _, kinds in _target_vendor_files(inputs, target) for kind in kinds}


def _has_target_component(findings: pd.DataFrame, target: str, inputs: pd.DataFrame | None = None) -> pd.Series:
    component = findings["kind"].isin(COMPONENT_KINDS)
    vendor = findings["vendor"].fillna("").astype(str)
    group = findings["kind"].map(_COVERING_GROUP).fillna("")
    mine = component & (vendor == target)
    served = set(zip(findings.loc[mine, "project"], group[mine])) | _target_input_groups(inputs, target)
    return pd.Series([key in served for key in zip(findings["project"], group)], index=findings.index) & component


def source_vendors(findings: pd.DataFrame, target: str, accelerators: dict[str, str] | None = None, projects: list[str] | None = None, credit_target_support: bool = True) -> dict[str, str]:
    """The vendor each project moves from.

    The vendor of the project's ``accelerator`` in portfolio.yml when it is
    known, the target's own included (a project that already runs on the
    target moves from nowhere: nothing of it is charged, and other vendors'
    code in it is their lock-in); otherwise the vendor (neither the target
    nor neutral) with the most distinct vendor-bound (kind, name) pairs in
    the project, ties broken by more findings, then by name — unless the
    project names more distinct target-vendor names than that vendor's, in
    which case it already runs on the target (AMD's own HIP examples). A
    project without such evidence has source ``""``.

    Parameters
    ----------
    findings : DataFrame
    target : str
    accelerators : dict, optional
        project → vendor of its manifest accelerator (only projects that name one).
    projects : list of str, optional
        Projects to decide for (default: those with findings).
    credit_target_support : bool
        False: a project mostly in the target's code is still priced from
        its other vendor (the figure without that support, for comparison).
    """
    accelerators = accelerators or {}
    names = projects if projects is not None else sorted(set(findings["project"]))
    vendor = findings["vendor"].fillna("").astype(str)
    bound = findings[vendor_bound_mask(findings, target) & ~vendor.isin(NEUTRAL_VENDORS)]
    chosen = {}
    for name in names:
        given = accelerators.get(name, "")
        if given:
            chosen[name] = given
            continue
        own = bound[bound["project"] == name]
        distinct = own.drop_duplicates(["vendor", "kind", "name"])["vendor"].value_counts()
        total = own["vendor"].value_counts()
        ranked = sorted(distinct.index, key=lambda v: (-distinct[v], -total[v], v))
        chosen[name] = ranked[0] if ranked else ""
        if credit_target_support and chosen[name] and _mostly_target(findings[findings["project"] == name], target, int(distinct[chosen[name]])):
            chosen[name] = target
    return chosen


def _mostly_target(findings: pd.DataFrame, target: str, source_names: int) -> bool:
    """Whether a project's own code is mostly the target's: more distinct
    target-vendor names than the leading other vendor's. AMD's HIP examples
    name NVIDIA only in the branches that keep them building on NVIDIA too;
    such a project already runs on the target."""
    own = findings[findings["vendor"].fillna("").astype(str) == target]
    return own.drop_duplicates(["kind", "name"]).shape[0] > source_names


def charged_mask(findings: pd.DataFrame, sources: dict[str, str], target: str) -> pd.Series:
    """Vendor-bound findings a move from each project's source vendor has to deal with.

    Those of the source vendor and vendor-neutral ones; a third vendor's
    findings (Intel code when moving NVIDIA → AMD) are that vendor's
    lock-in, and the target's own findings are never a cost.
    """
    vendor = findings["vendor"].fillna("").astype(str)
    source = findings["project"].map(sources).fillna("")
    moving = source != target  # a project already on the target has nothing to move
    return vendor_bound_mask(findings, target) & moving & ((vendor == source) | vendor.isin(NEUTRAL_VENDORS))


def readiness_table(findings: pd.DataFrame, regions: pd.DataFrame, sources: dict[str, str], target: str, projects: list[str], inputs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per project: source vendor, covered findings, readiness, target paths, other vendors.

    ``findings`` carry ``covered`` (see :func:`mark_covered`).
    ``readiness`` is covered over charged findings (see
    :func:`charged_mask`), NaN without any, and 1 for a project whose
    source is the target (it already runs there); ``target_paths`` names what
    already has a target path ("code: 12 files; platform: image, cluster");
    ``other_vendor_bound`` counts a third vendor's vendor-bound findings and
    ``other_vendors`` lists them ("intel 120").
    """
    charged = charged_mask(findings, sources, target) if len(findings) else pd.Series(dtype=bool)
    vendor = findings["vendor"].fillna("").astype(str)
    bound = vendor_bound_mask(findings, target) if len(findings) else pd.Series(dtype=bool)
    other = bound & ~charged if len(findings) else pd.Series(dtype=bool)
    vendor_files = _target_input_groups(inputs, target)
    rows = []
    for name in projects:
        own = findings["project"] == name
        mine = findings[own & charged]
        covered = int(mine["covered"].sum()) if len(mine) else 0
        others = Counter(vendor[own & other])
        rows.append(
            {
                "project": name,
                "source_vendor": sources.get(name, ""),
                "covered": covered,
                "readiness": 1.0 if sources.get(name) == target else covered / len(mine) if len(mine) else float("nan"),
                "target_paths": target_paths(findings[own], regions[regions["project"] == name] if len(regions) else regions, target, {kind for project, kind in vendor_files if project == name}),
                "other_vendor_bound": int(sum(others.values())),
                "other_vendors": ", ".join(f"{v} {n}" for v, n in sorted(others.items(), key=lambda item: (-item[1], item[0]))),
            }
        )
    return pd.DataFrame(rows, columns=READINESS_COLUMNS)


def target_paths(findings: pd.DataFrame, regions: pd.DataFrame, target: str, vendor_file_kinds: set[str] = frozenset()) -> str:
    """What of one project already has a path on the target, by dimension.

    ``code``: the number of source files with target-vendor findings or a
    target-path region; ``libraries`` and ``platform``: the component kinds
    with a target-vendor component or a per-vendor file of the target
    (``vendor_file_kinds``). Empty when nothing has.
    """
    vendor = findings["vendor"].fillna("").astype(str)
    mine = findings[vendor == target]
    files = set(mine.loc[mine["kind"].isin(SOURCE_KINDS), "path"])
    files |= set(_target_regions(regions, target)["path"])
    parts = [f"code: {len(files):,} file(s)"] if files else []
    kinds = set(mine.loc[mine["kind"].isin(COMPONENT_KINDS), "kind"]) | set(vendor_file_kinds)
    for dimension in ("libraries", "platform"):
        named = [k for k in COMPONENT_KINDS if k in kinds and _COMPONENT_DIMENSION[k] == dimension]
        if named:
            parts.append(f"{dimension}: {', '.join(named)}")
    return "; ".join(parts)


def portfolio_readiness(frame: pd.DataFrame) -> float:
    """Covered over charged findings summed over the projects (NaN when none)."""
    bound = pd.to_numeric(frame["vendor_bound"], errors="coerce").fillna(0).sum()
    covered = pd.to_numeric(frame["covered"], errors="coerce").fillna(0).sum()
    return float(covered / bound) if bound else float("nan")


def merge_vendor_counts(values: pd.Series) -> str:
    """``"intel 3, moore-threads 1"`` texts (counts without thousands separators) summed into one (the portfolio's)."""
    counts: Counter = Counter()
    for text in values.fillna("").astype(str):
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, number = part.rpartition(" ")
            counts[name] += int(number) if number.isdigit() else 0
    return ", ".join(f"{v} {n}" for v, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))
