"""Validation on real repositories: lockin's findings and scores against hand-judged lines and hipify-perl.

Usage (``make validate REALCODE_DIR=…`` runs the first form)::

    python benchmarks/validate.py --realcode /work/realcode
    python benchmarks/validate.py --realcode DIR --judged OTHER/judged --hipify-files 5 --no-write

For every row of ``benchmarks/realcode/repositories.csv`` whose extracted
tree ``REALCODE_DIR/<owner>+<name>/`` exists (see
``benchmarks/realcode/checkout.sh``), the script

1. scans the tree with lockin's library (the pipeline ``lockin score``
   uses, target AMD) and scores it;
2. matches lockin's findings to the judged lines
   (``benchmarks/realcode/judged/<owner>+<name>.csv``) by path, line and
   name: precision, recall on the judged set, portability-verdict and
   vendor accuracy;
3. runs hipify-perl on a seeded sample of the tree's CUDA files, diffs its
   output against the input line by line and counts the converted
   (line, identifier) pairs lockin reports a finding of that name on;
4. prints a table per repository and overall and writes
   ``benchmarks/results/validate-<date>.json``/``.csv`` and a listing of
   every judged line lockin disagrees with (and every hipify conversion it
   misses), ``validate-<date>-mismatches.csv``.

Nothing from the repositories is executed: lockin parses them, hipify-perl
(the tool, outside the repositories) only reads them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import difflib
import functools
import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
REALCODE = HERE / "realcode"

#: Targets from issue 11 ("Done when").
THRESHOLDS = {
    "precision": 0.97,
    "verdict_accuracy": 0.95,
    "hipify_recall": 0.97,
    "supported_effort_share": 0.10,  # effort with support / effort without it, projects that support AMD
    "supported_ratings": ("A", "B"),
}

REPOSITORY_COLUMNS = ("repository", "commit", "shape", "supports_amd", "notes")

#: How far a repository already supports AMD: the effort and rating checks
#: apply to ``yes``; ``partial`` (some components run on AMD, others have no
#: AMD path) reports its figures without a target.
SUPPORT_LEVELS = ("yes", "partial", "no")
JUDGED_COLUMNS = ("path", "line", "name", "kind", "origin", "expected", "vendor", "portability", "covered", "reason")
KEY = ["path", "line", "name"]

#: CUDA sources hipify-perl is meant for; C/C++ files qualify when they include a CUDA header.
CUDA_SUFFIXES = (".cu", ".cuh")
HOST_SUFFIXES = (".cpp", ".h", ".hpp")
CUDA_HEADER = re.compile(
    r'^[ \t]*#[ \t]*include[ \t]*[<"]'
    r"((?:cuda|cublas|cufft|curand|cusparse|cusolver|cudnn|cutensor|cupti|nvrtc|nvToolsExt|nccl|npp|nvjpeg|nvml)[^>\"]*"
    r"|(?:cub|thrust|cuda|cooperative_groups|cute|cutlass)/[^>\"]*|cooperative_groups\.h|mma\.h|sm_\d+_[^>\"]*)[>\"]",
    re.MULTILINE,
)
#: Folders never sampled (those lockin does not walk either).
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", "site-packages"})

INCLUDE_LINE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: Parameters that, set to the value given, make the scores ignore the AMD
#: support a project already has (tried in this order; the first one lockin
#: knows is used). ``--without-support NAME=VALUE`` names another.
WITHOUT_SUPPORT_CANDIDATES = (("credit_target_support", False), ("credit_covered", False), ("count_covered", True))


class ValidationError(Exception):
    """Bad input to the validation (file, line and problem in the message)."""


# --------------------------------------------------------------------------
# Inputs


def folder_name(repository: str) -> str:
    """The folder an extracted repository lives in: ``owner/name`` → ``owner+name``.

    Parameters
    ----------
    repository : str
        ``owner/name`` as on GitHub.

    Returns
    -------
    str
    """
    return repository.strip().replace("/", "+")


def read_repositories(path: Path) -> pd.DataFrame:
    """Read ``repositories.csv`` and check its columns and values.

    Parameters
    ----------
    path : Path
        The CSV (columns :data:`REPOSITORY_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        One row per repository, strings, with an added ``folder`` column.

    Raises
    ------
    ValidationError
        Missing columns, an empty repository name or a ``supports_amd`` that is not yes/no,
        naming the file and line.
    """
    frame = _read_csv(path, REPOSITORY_COLUMNS)
    for index, row in frame.iterrows():
        where = f"{path}:{index + 2}"
        if "/" not in row["repository"]:
            raise ValidationError(f"{where}: repository {row['repository']!r} is not owner/name")
        if row["supports_amd"] not in SUPPORT_LEVELS:
            raise ValidationError(f"{where}: supports_amd must be yes, partial or no, not {row['supports_amd']!r}")
    frame["folder"] = frame["repository"].map(folder_name)
    return frame


def read_judged(path: Path) -> pd.DataFrame:
    """Read one judged file and check it.

    Parameters
    ----------
    path : Path
        ``judged/<owner>+<name>.csv`` (columns :data:`JUDGED_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        The rows, ``line`` as nullable integer, the rest as stripped strings,
        plus ``row`` (the file's line number, for the mismatch listing).

    Raises
    ------
    ValidationError
        Missing columns, a line that is not a positive integer, or an
        ``expected`` that is not yes/no, naming the file and line.
    """
    frame = _read_csv(path, JUDGED_COLUMNS)
    frame["row"] = range(2, len(frame) + 2)
    lines = []
    for row, value, expected in zip(frame["row"], frame["line"], frame["expected"]):
        if expected not in ("yes", "no"):
            raise ValidationError(f"{path}:{row}: expected must be yes or no, not {expected!r}")
        if value == "":
            lines.append(pd.NA)
        elif value.isdigit() and int(value) > 0:
            lines.append(int(value))
        else:
            raise ValidationError(f"{path}:{row}: line must be a positive integer or empty, not {value!r}")
    frame["line"] = pd.array(lines, dtype="Int64")
    return frame


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(f"{path}:1: missing column(s) {', '.join(missing)} (expected {', '.join(columns)})")
    return frame.apply(lambda column: column.str.strip())


# --------------------------------------------------------------------------
# Judged lines against lockin's findings


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when there is nothing to divide by."""
    return numerator / denominator if denominator else math.nan


def match_judged(judged: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """Attach lockin's verdict to each judged row, matched by (path, line, name).

    Names compare case-sensitively (an include's name is the header path as
    written; an image's is compared without its tag, as the judged files
    name images). When lockin reports the same name twice on a line, the
    first finding is used.

    Parameters
    ----------
    judged : pandas.DataFrame
        Rows as :func:`read_judged` returns them.
    findings : pandas.DataFrame
        lockin's findings of the same repository (``path``, ``line``,
        ``name``, ``vendor``, ``portability`` and, when the scan has it,
        ``covered``).

    Returns
    -------
    pandas.DataFrame
        ``judged`` plus ``found`` (bool) and ``lockin_vendor``,
        ``lockin_portability``, ``lockin_covered`` (empty when not found).
    """
    wanted = ["vendor", "portability"] + (["covered"] if "covered" in findings.columns else [])
    reported = findings[KEY + wanted].copy()
    if "kind" in findings.columns:  # judged images are named without tag (benchmarks/realcode layout)
        reported["name"] = [image_without_tag(n) if k == "image" else n for k, n in zip(findings["kind"], findings["name"])]
    reported["line"] = reported["line"].astype("Int64")
    reported = reported.drop_duplicates(KEY).rename(columns={c: f"lockin_{c}" for c in wanted})
    reported["found"] = True
    left = judged.copy()
    left["line"] = left["line"].astype("Int64")
    merged = left.merge(reported, on=KEY, how="left")
    merged["found"] = merged["found"].fillna(False).astype(bool)
    if "lockin_covered" not in merged.columns:
        merged["lockin_covered"] = pd.NA
    merged["lockin_covered"] = merged["lockin_covered"].map(_yes_no)
    for column in ("lockin_vendor", "lockin_portability"):
        merged[column] = merged[column].fillna("").astype(str)
    return merged


def image_without_tag(name: str) -> str:
    """An image reference without its tag or digest: ``nvcr.io/nvidia/pytorch:24.01-py3`` → ``nvcr.io/nvidia/pytorch``.

    A registry port (``localhost:5000/app``) is kept: only a colon after the
    last slash starts a tag.
    """
    name = name.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def _yes_no(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return "yes" if bool(value) else "no"


def judged_counts(matched: pd.DataFrame) -> dict[str, int]:
    """The counts the judged-set metrics are ratios of.

    Parameters
    ----------
    matched : pandas.DataFrame
        Output of :func:`match_judged` (one repository or several).

    Returns
    -------
    dict
        ``judged``, ``matched`` (judged rows lockin reports), ``matched_yes``
        (of those, expected=yes), ``expected_yes``, ``found_yes``,
        ``portability_right``, ``vendor_right`` (among matched expected=yes
        rows), ``covered_judged`` and ``covered_right`` (see
        :func:`coverage_comparable`).
    """
    yes = matched["expected"] == "yes"
    found = matched["found"]
    hit = matched[found & yes]
    with_covered = hit[coverage_comparable(hit)]
    return {
        "judged": len(matched),
        "matched": int(found.sum()),
        "matched_yes": len(hit),
        "expected_yes": int(yes.sum()),
        "found_yes": len(hit),
        "portability_right": int((hit["portability"] == hit["lockin_portability"]).sum()),
        "vendor_right": int((hit["vendor"] == hit["lockin_vendor"]).sum()),
        "covered_judged": len(with_covered),
        "covered_right": int((with_covered["covered"] == with_covered["lockin_covered"]).sum()),
    }


def coverage_comparable(rows: pd.DataFrame, target: str = "amd") -> pd.Series:
    """Rows whose ``covered`` verdicts can be compared.

    lockin marks coverage only on vendor-bound findings (not portable, not of
    the target vendor: an AMD finding has nothing to cover), so a judged
    ``covered=yes`` on a HIP call or a neutral module is not compared.

    Parameters
    ----------
    rows : pandas.DataFrame
        Matched rows (:func:`match_judged`).
    target : str
        The target vendor.

    Returns
    -------
    pandas.Series of bool
        Judged and lockin both give a value, and the judged row is vendor-bound.
    """
    bound = ~rows["vendor"].isin([target, "neutral", ""]) & (rows["portability"] != "portable")
    return bound & (rows["covered"] != "") & (rows["lockin_covered"] != "")


def judged_metrics(counts: dict[str, int]) -> dict[str, float]:
    """Precision, judged recall and verdict accuracies from :func:`judged_counts`.

    Parameters
    ----------
    counts : dict
        Counts of one repository or summed over several (micro averages).

    Returns
    -------
    dict
        ``precision`` (matched expected=yes / matched), ``judged_recall``
        (expected=yes found / expected=yes), ``verdict_accuracy`` and
        ``vendor_accuracy`` (right / matched expected=yes), ``covered_accuracy``;
        NaN where the denominator is zero.
    """
    return {
        "precision": ratio(counts["matched_yes"], counts["matched"]),
        "judged_recall": ratio(counts["found_yes"], counts["expected_yes"]),
        "verdict_accuracy": ratio(counts["portability_right"], counts["matched_yes"]),
        "vendor_accuracy": ratio(counts["vendor_right"], counts["matched_yes"]),
        "covered_accuracy": ratio(counts["covered_right"], counts["covered_judged"]),
    }


def judged_mismatches(matched: pd.DataFrame) -> pd.DataFrame:
    """Every judged row lockin disagrees with, one row per disagreement.

    Parameters
    ----------
    matched : pandas.DataFrame
        Output of :func:`match_judged`.

    Returns
    -------
    pandas.DataFrame
        Columns ``problem`` (``false-positive``: reported but judged not
        evidence; ``missed``: judged evidence lockin does not report;
        ``wrong-portability``; ``wrong-vendor``; ``wrong-covered``), ``path``,
        ``line``, ``name``, ``kind``, ``origin``, ``judged`` (the judged
        value), ``lockin`` (lockin's value), ``reason``, ``row`` (line in the
        judged file).
    """
    yes = matched["expected"] == "yes"
    found = matched["found"]
    hit = found & yes
    parts = [
        _mismatch_rows(matched[found & ~yes], "false-positive", "expected=no", "reported"),
        _mismatch_rows(matched[~found & yes], "missed", "expected=yes", "not reported"),
    ]
    for problem, judged_column, lockin_column in (("wrong-portability", "portability", "lockin_portability"), ("wrong-vendor", "vendor", "lockin_vendor"), ("wrong-covered", "covered", "lockin_covered")):
        rows = matched[hit & (matched[judged_column] != matched[lockin_column])]
        if judged_column == "covered":
            rows = rows[coverage_comparable(rows)]
        parts.append(_mismatch_rows(rows, problem, rows[judged_column], rows[lockin_column]))
    return pd.concat(parts, ignore_index=True)


def names_on_lines(listing: pd.DataFrame, findings: pd.DataFrame, limit: int = 6) -> pd.Series:
    """What lockin reports on each listed line, to tell a naming difference from a real miss.

    Parameters
    ----------
    listing : pandas.DataFrame
        Rows with ``path`` and ``line``.
    findings : pandas.DataFrame
        lockin's findings of the same repository.
    limit : int
        At most this many names per line (sorted), then ``…``.

    Returns
    -------
    pandas.Series of str
        ``kind:name`` joined with ``; `` (empty when lockin reports nothing there).
    """
    by_line: dict[tuple, set] = {}
    for path, line, kind, name in zip(findings["path"], findings["line"], findings["kind"], findings["name"]):
        if line is not pd.NA and line == line:
            by_line.setdefault((path, int(line)), set()).add(f"{kind}:{name}")

    def shown(path, line) -> str:
        if line is pd.NA or line != line or line == "":
            return ""
        names = sorted(by_line.get((path, int(line)), ()))
        return "; ".join(names[:limit]) + ("; …" if len(names) > limit else "")

    return pd.Series([shown(p, l) for p, l in zip(listing["path"], listing["line"])], index=listing.index, dtype=object)


def _mismatch_rows(rows: pd.DataFrame, problem: str, judged, lockin) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "problem": problem,
            "path": rows["path"],
            "line": rows["line"],
            "name": rows["name"],
            "kind": rows["kind"],
            "origin": rows["origin"],
            "judged": judged,
            "lockin": lockin,
            "reason": rows["reason"],
            "row": rows["row"],
        },
        columns=["problem", "path", "line", "name", "kind", "origin", "judged", "lockin", "reason", "row"],
    )


# --------------------------------------------------------------------------
# hipify-perl: converted identifiers


def code_only_lines(text: str) -> list[str]:
    """The lines of a C/C++ source with comments and string/char literal contents blanked.

    Block comments spanning lines, escapes in literals and raw strings
    (``R"x(...)x"``) are followed, so a name is "in code" exactly when it
    is still present in the returned line. The line count equals
    ``text.split("\\n")``.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of str
    """
    out: list[str] = []
    i, n = 0, len(text)
    state = "code"
    raw_end = ""
    while i < n:
        c = text[i]
        if c == "\n":
            out.append("\n")
            if state in ("line-comment", "string", "char"):
                state = "code"  # an unterminated literal ends at the line, as compilers report it
            i += 1
            continue
        if state == "code":
            pair = text[i : i + 2]
            if pair == "//":
                state = "line-comment"
                out.append("  ")
                i += 2
                continue
            if pair == "/*":
                state = "block-comment"
                out.append("  ")
                i += 2
                continue
            raw = re.match(r'(?:u8|[uUL])?R"([^()\\\s]{0,16})\(', text[i : i + 24])
            if raw and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                raw_end = ")" + raw.group(1) + '"'
                out.append(text[i : i + raw.end()])
                i += raw.end()
                state = "raw"
                continue
            if c == '"':
                state = "string"
            elif c == "'" and not (i > 0 and text[i - 1].isalnum()):  # 1'000 is a digit separator
                state = "char"
            out.append(c)
            i += 1
        elif state in ("line-comment", "block-comment"):
            if state == "block-comment" and text[i : i + 2] == "*/":
                state = "code"
                out.append("  ")
                i += 2
                continue
            out.append(" ")
            i += 1
        elif state == "raw":
            if text.startswith(raw_end, i):
                out.append(raw_end)
                i += len(raw_end)
                state = "code"
                continue
            out.append(" ")
            i += 1
        else:  # string or char literal
            quote = '"' if state == "string" else "'"
            if c == "\\" and i + 1 < n and text[i + 1] != "\n":
                out.append("  ")
                i += 2
                continue
            if c == quote:
                state = "code"
                out.append(c)
            else:
                out.append(" ")
            i += 1
    return "".join(out).split("\n")


def converted_identifiers(before: str, after: str) -> list[str]:
    """The CUDA names hipify-perl converted on one line, in order of appearance.

    An ``#include`` whose header changed yields the header path as written
    (lockin's name for an include); any other line yields the identifier
    tokens of ``before`` that the token-level diff replaces or deletes
    (``cudaMemcpy(a, b, n, cudaMemcpyDeviceToHost)`` → ``hipMemcpy(…,
    hipMemcpyDeviceToHost)`` yields ``cudaMemcpy``, ``cudaMemcpyDeviceToHost``).

    Parameters
    ----------
    before, after : str
        The same line before and after hipify-perl.

    Returns
    -------
    list of str
        Distinct names; empty when the line is unchanged.
    """
    if before == after:
        return []
    include_before, include_after = INCLUDE_LINE.match(before), INCLUDE_LINE.match(after)
    if include_before:
        if include_after and include_after.group(1) == include_before.group(1):
            return []
        return [include_before.group(1)]
    old, new = IDENTIFIER.findall(before), IDENTIFIER.findall(after)
    names: list[str] = []
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            names.extend(t for t in old[i1:i2] if t not in names)
    return names


#: Why a converted pair is not counted (lockin leaves these out by design).
EXCLUDED_COMMENT_OR_STRING = "comment-or-string"  # lockin does not read comments and string literals
EXCLUDED_ALIAS_DEFINITION = "alias-definition"  # `#define cudaX hipX`: the project's shim line, not a use
EXCLUDED_OWN_HEADER = "own-header"  # `#include "vector_types.h"` that is a file of the project
EXCLUSIONS = (EXCLUDED_COMMENT_OR_STRING, EXCLUDED_ALIAS_DEFINITION, EXCLUDED_OWN_HEADER)
DEFINE_LINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)")
PAIR_COLUMNS = ["line", "name", "excluded"]


def converted_pairs(before: str, after: str, own_header=lambda header: False) -> pd.DataFrame:
    """Every (line, identifier) hipify-perl converted in a file, with why a pair is not counted.

    The texts are aligned line by line (``difflib``): lines hipify-perl
    inserts (its ``#include "hip/hip_runtime.h"``) have no input line and
    are ignored; changed lines pair up in order.

    Parameters
    ----------
    before, after : str
        The file before hipify-perl and its output.
    own_header : callable, optional
        ``own_header(header)`` is True when a quoted include names a file of
        the project itself.

    Returns
    -------
    pandas.DataFrame
        Columns ``line`` (1-based, in ``before``), ``name`` and ``excluded``:
        empty for a counted pair, else one of :data:`EXCLUSIONS` — the name
        occurs on its line only inside comments or string literals; the line
        is a ``#define`` of that very name (a shim mapping a CUDA name to a
        HIP one, which lockin does not count as a use); or a quoted include
        that resolves to a file of the project.
    """
    old_lines, new_lines = before.split("\n"), after.split("\n")
    code = code_only_lines(before)
    rows = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace":
            continue
        for offset in range(min(i2 - i1, j2 - j1)):
            index = i1 + offset
            for name in converted_identifiers(old_lines[index], new_lines[j1 + offset]):
                rows.append((index + 1, name, _exclusion(old_lines[index], code[index], name, own_header)))
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def _exclusion(line: str, code: str, name: str, own_header) -> str:
    include = INCLUDE_LINE.match(line)
    if include:
        quoted = '"' in line[: include.end()]
        return EXCLUDED_OWN_HEADER if quoted and own_header(name) else ""
    define = DEFINE_LINE.match(line)
    if define and define.group(1) == name:
        return EXCLUDED_ALIAS_DEFINITION
    if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", code) is None:
        return EXCLUDED_COMMENT_OR_STRING
    return ""


def hipify_recall_counts(pairs: pd.DataFrame, findings: pd.DataFrame) -> dict[str, int]:
    """How many converted pairs lockin reports.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Columns ``path``, ``line``, ``name``, ``excluded`` (from
        :func:`converted_pairs`, with the file's path added).
    findings : pandas.DataFrame
        lockin's findings of the same repository.

    Returns
    -------
    dict
        ``converted`` (counted pairs), ``reported`` (of those, lockin has a
        finding of that name on that line, see :func:`reported_mask`),
        ``excluded`` (pairs not counted) and ``excluded_<reason>`` per reason.
    """
    counted = pairs[pairs["excluded"] == ""]
    counts = {"converted": len(counted), "reported": int(reported_mask(counted, findings).sum()), "excluded": int((pairs["excluded"] != "").sum())}
    for reason in EXCLUSIONS:
        counts[f"excluded_{reason.replace('-', '_')}"] = int((pairs["excluded"] == reason).sum())
    return counts


def hipify_missed(pairs: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """The counted pairs lockin does not report (for the mismatch listing)."""
    counted = pairs[pairs["excluded"] == ""]
    return counted[~reported_mask(counted, findings)]


def reported_mask(pairs: pd.DataFrame, findings: pd.DataFrame) -> pd.Series:
    """For each pair, whether lockin reports a finding of that name on that line.

    hipify-perl converts a namespace on its own (``cub::BlockLoad`` →
    ``hipcub::BlockLoad`` converts ``cub``) where lockin names the qualified
    use (``cub::BlockLoad``): a name also counts as reported when a finding
    on the line is qualified by it.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Columns ``path``, ``line``, ``name``.
    findings : pandas.DataFrame
        Columns ``path``, ``line``, ``name``.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``pairs``.
    """
    keys = set()
    for path, line, name in zip(findings["path"], findings["line"], findings["name"]):
        if line is pd.NA or line != line:
            continue
        keys.add((path, int(line), name))
        parts = str(name).split("::")
        keys.update((path, int(line), "::".join(parts[:n])) for n in range(1, len(parts)))
    return pd.Series([(p, int(l), n) in keys for p, l, n in zip(pairs["path"], pairs["line"], pairs["name"])], index=pairs.index, dtype=bool)


def cuda_source_files(root: Path) -> list[str]:
    """The CUDA sources of a tree hipify-perl applies to, as sorted relative paths.

    ``.cu``/``.cuh`` files, and ``.cpp``/``.h``/``.hpp`` files that include a
    CUDA header (:data:`CUDA_HEADER`). Symbolic links and the folders lockin
    skips are left out.

    Parameters
    ----------
    root : Path

    Returns
    -------
    list of str
    """
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not os.path.islink(os.path.join(folder, d)))
        for name in files:
            path = Path(folder, name)
            if path.is_symlink():
                continue
            if name.endswith(CUDA_SUFFIXES) or (name.endswith(HOST_SUFFIXES) and CUDA_HEADER.search(_read_text(path))):
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def sample_files(files: list[str], count: int, seed: int, salt: str) -> list[str]:
    """A reproducible sample of at most ``count`` files.

    Parameters
    ----------
    files : list of str
    count : int
    seed : int
    salt : str
        Mixed into the seed (the repository's name) so that repositories
        do not share one random sequence.

    Returns
    -------
    list of str
        Sorted.
    """
    if len(files) <= count:
        return sorted(files)
    digest = int.from_bytes(hashlib.sha256(f"{seed}:{salt}".encode()).digest()[:8], "big")
    return sorted(random.Random(digest).sample(sorted(files), count))


def _read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="surrogateescape").replace("\r\n", "\n")


def find_hipify(explicit: str | None, realcode: Path) -> Path | None:
    """hipify-perl: ``--hipify-perl``, else ``$HIPIFY_PERL``, else ``REALCODE_DIR/tools/bin/hipify-perl``."""
    for candidate in (explicit, os.environ.get("HIPIFY_PERL"), str(realcode / "tools" / "bin" / "hipify-perl")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def run_hipify(hipify: Path, file: Path) -> str:
    """hipify-perl's output for one file (read from its standard output; the file is not changed).

    Raises
    ------
    ValidationError
        When perl fails, with its error output.
    """
    proc = subprocess.run(["perl", str(hipify), "-quiet-warnings", str(file)], capture_output=True, timeout=300)
    if proc.returncode != 0:
        raise ValidationError(f"{file}: hipify-perl failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-500:]}")
    return proc.stdout.decode("utf-8", errors="surrogateescape").replace("\r\n", "\n")


def hipify_pairs(root: Path, files: list[str], hipify: Path) -> pd.DataFrame:
    """Converted pairs of the given files of a tree (columns ``path``, ``line``, ``name``, ``excluded``)."""
    frames = []
    for rel in files:
        folder = (root / rel).parent

        def own_header(header: str, folder: Path = folder) -> bool:
            return (folder / header).is_file()

        pairs = converted_pairs(_read_text(root / rel), run_hipify(hipify, root / rel), own_header)
        pairs.insert(0, "path", rel)
        frames.append(pairs)
    if not frames:
        return pd.DataFrame(columns=["path", *PAIR_COLUMNS])
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------
# Scores


def without_support_override(explicit: str | None) -> tuple[str, object] | None:
    """The parameter that makes the scores ignore a project's existing AMD support.

    Parameters
    ----------
    explicit : str, optional
        ``NAME=VALUE`` from ``--without-support`` (VALUE: true/false or a number).

    Returns
    -------
    tuple or None
        ``(name, value)`` for :func:`lockin.scoring.parameters.load_parameters`,
        or None when lockin has no such parameter (the figure is then n/a).
    """
    from lockin.scoring.parameters import PARAMETERS

    known = {p.name for p in PARAMETERS}
    if explicit:
        name, _, text = explicit.partition("=")
        value = _parameter_value(text.strip())
        if name.strip() not in known:
            raise ValidationError(f"--without-support: lockin has no parameter {name.strip()!r}")
        return name.strip(), value
    for name, value in WITHOUT_SUPPORT_CANDIDATES:
        if name in known:
            return name, value
    return None


def _parameter_value(text: str):
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text


def project_figures(scores_frame: pd.DataFrame, project: str) -> dict:
    """Rating, effort, roadblocks and (when lockin computes it) readiness of one project.

    Parameters
    ----------
    scores_frame : pandas.DataFrame
        ``Scores.frame`` (one record per project plus the portfolio record).
    project : str

    Returns
    -------
    dict
        ``rating``, ``effort_pm_p10``, ``effort_pm_p50``, ``effort_pm_p90``,
        ``roadblocks``, ``readiness`` and ``target_paths`` (NaN/empty when
        the scores have no such column).
    """
    row = scores_frame[(scores_frame["record"] == "project") & (scores_frame["project"] == project)].iloc[0]
    figures = {key: row.get(key, math.nan) for key in ("rating", "effort_pm_p10", "effort_pm_p50", "effort_pm_p90", "roadblocks", "readiness")}
    figures["target_paths"] = row.get("target_paths", "") if isinstance(row.get("target_paths", ""), str) else ""
    return figures


def support_checks(supports_amd: bool, figures: dict, effort_without: float) -> dict:
    """Whether a project that supports AMD scores as issue 11 asks.

    Parameters
    ----------
    supports_amd : bool
    figures : dict
        From :func:`project_figures`.
    effort_without : float
        Effort P50 with the support not credited (NaN when not computable).

    Returns
    -------
    dict
        ``effort_share`` (P50 / P50 without support), ``effort_ok`` and
        ``rating_ok`` (True/False, None when not applicable or not computable).
    """
    if not supports_amd:
        return {"effort_share": math.nan, "effort_ok": None, "rating_ok": None}
    share = ratio(figures["effort_pm_p50"], effort_without) if effort_without == effort_without else math.nan
    if effort_without == 0:
        share = 0.0 if figures["effort_pm_p50"] == 0 else math.inf
    return {
        "effort_share": share,
        "effort_ok": None if share != share else bool(share <= THRESHOLDS["supported_effort_share"]),
        "rating_ok": bool(str(figures["rating"]) in THRESHOLDS["supported_ratings"]),
    }


@functools.cache
def bundled_catalog():
    """lockin's bundled catalog, loaded once for all repositories."""
    from lockin.catalog import load_catalog

    return load_catalog(())


def scan_and_score(tree: Path, project: str, jobs: int, seed: int, override: tuple[str, object] | None, supports_amd: bool):
    """Scan one extracted repository and score it towards AMD (the pipeline of ``lockin score``).

    Returns
    -------
    tuple
        (findings DataFrame — the scored ones when they carry ``covered`` —, figures dict,
        effort P50 without support or NaN)
    """
    from lockin.scan import ScanOptions, scan
    from lockin.scoring.parameters import load_parameters
    from lockin.scoring.score import score

    catalog = bundled_catalog()
    result = scan([tree], ScanOptions(target="amd", project_name=project, jobs=jobs, progress=False), catalog)
    scores = score(result, load_parameters(None, target_vendor="amd", seed=seed), catalog=catalog)
    figures = project_figures(scores.frame, project)
    findings = result.findings
    if getattr(scores, "findings", None) is not None and "covered" in scores.findings.columns:
        findings = scores.findings  # the scored findings carry coverage (lockin.scoring.readiness)
    without = math.nan
    if supports_amd and override is not None:
        plain = score(result, load_parameters(None, target_vendor="amd", seed=seed, **{override[0]: override[1]}), catalog=catalog)
        without = float(project_figures(plain.frame, project)["effort_pm_p50"])
    return findings, figures, without


# --------------------------------------------------------------------------
# Run and report


@dataclass
class RepositoryResult:
    """Everything measured on one repository."""

    repository: str
    commit: str
    shape: str
    supports_amd: bool
    judged_file: str = ""
    support_level: str = ""
    counts: dict = field(default_factory=dict)
    hipify: dict = field(default_factory=dict)
    hipify_files: list = field(default_factory=list)
    figures: dict = field(default_factory=dict)
    effort_without_support_p50: float = math.nan
    support: dict = field(default_factory=dict)
    findings: int = 0
    seconds: float = 0.0

    def row(self) -> dict:
        """The flat record of the table and the CSV."""
        metrics = judged_metrics(self.counts) if self.counts else dict.fromkeys(("precision", "judged_recall", "verdict_accuracy", "vendor_accuracy", "covered_accuracy"), math.nan)
        return {
            "repository": self.repository,
            "commit": self.commit,
            "supports_amd": self.support_level or ("yes" if self.supports_amd else "no"),
            "judged": self.counts.get("judged", 0),
            **metrics,
            "hipify_converted": self.hipify.get("converted", 0),
            "hipify_recall": ratio(self.hipify.get("reported", 0), self.hipify.get("converted", 0)),
            "hipify_excluded": self.hipify.get("excluded", 0),
            **{key: value for key, value in self.hipify.items() if key.startswith("excluded_")},
            "findings": self.findings,
            **self.figures,
            "effort_without_support_p50": self.effort_without_support_p50,
            **self.support,
        }


def overall_row(results: list[RepositoryResult]) -> dict:
    """Micro averages over all repositories (counts summed, then divided)."""
    counts: dict[str, int] = {}
    for r in results:
        for key, value in r.counts.items():
            counts[key] = counts.get(key, 0) + value
    converted = sum(r.hipify.get("converted", 0) for r in results)
    reported = sum(r.hipify.get("reported", 0) for r in results)
    metrics = judged_metrics(counts) if counts else dict.fromkeys(("precision", "judged_recall", "verdict_accuracy", "vendor_accuracy", "covered_accuracy"), math.nan)
    return {
        "repository": "overall",
        "judged": counts.get("judged", 0),
        **metrics,
        "hipify_converted": converted,
        "hipify_recall": ratio(reported, converted),
        "hipify_excluded": sum(r.hipify.get("excluded", 0) for r in results),
        **{f"excluded_{reason.replace('-', '_')}": sum(r.hipify.get(f"excluded_{reason.replace('-', '_')}", 0) for r in results) for reason in EXCLUSIONS},
        "findings": sum(r.findings for r in results),
    }


def verdicts(overall: dict, results: list[RepositoryResult]) -> dict:
    """PASS/FAIL/n/a for each target of issue 11.

    Parameters
    ----------
    overall : dict
        From :func:`overall_row`.
    results : list of RepositoryResult

    Returns
    -------
    dict
        target name → ``{"value": …, "threshold": …, "result": "pass" | "fail" | "n/a"}``.
    """

    def at_least(value, threshold):
        return {"value": value, "threshold": threshold, "result": "n/a" if value != value else ("pass" if value >= threshold else "fail")}

    out = {
        "precision": at_least(overall["precision"], THRESHOLDS["precision"]),
        "verdict_accuracy": at_least(overall["verdict_accuracy"], THRESHOLDS["verdict_accuracy"]),
        "hipify_recall": at_least(overall["hipify_recall"], THRESHOLDS["hipify_recall"]),
    }
    for r in results:
        if not r.supports_amd:
            continue
        effort_ok, rating_ok = r.support.get("effort_ok"), r.support.get("rating_ok")
        out[f"supported:{r.repository}:effort"] = {"value": r.support.get("effort_share"), "threshold": f"<= {THRESHOLDS['supported_effort_share']:.0%} of effort without support", "result": "n/a" if effort_ok is None else ("pass" if effort_ok else "fail")}
        out[f"supported:{r.repository}:rating"] = {"value": r.figures.get("rating"), "threshold": " or ".join(THRESHOLDS["supported_ratings"]), "result": "pass" if rating_ok else "fail"}
    return out


def format_table(rows: list[dict]) -> str:
    """The compact text table printed to standard output."""
    columns = [
        ("repository", "repository", "{}"), ("precision", "prec", "{:.1%}"), ("judged_recall", "recall", "{:.1%}"),
        ("verdict_accuracy", "verdict", "{:.1%}"), ("vendor_accuracy", "vendor", "{:.1%}"), ("covered_accuracy", "covered", "{:.1%}"), ("hipify_recall", "hipify", "{:.1%}"),
        ("judged", "judged", "{}"), ("hipify_converted", "conv", "{}"), ("effort_pm_p50", "P50 PM", "{:.1f}"),
        ("effort_without_support_p50", "w/o sup", "{:.1f}"), ("rating", "rating", "{}"), ("roadblocks", "roadblk", "{:.0f}"), ("readiness", "ready", "{:.0%}"),
    ]  # fmt: skip
    cells = [[title for _, title, _ in columns]]
    for row in rows:
        cells.append([_cell(row.get(key), pattern) for key, _, pattern in columns])
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))) for line in cells]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def _cell(value, pattern: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    try:
        return pattern.format(value)
    except (TypeError, ValueError):
        return str(value)


def lockin_commit() -> str:
    """``git rev-parse HEAD`` of the checkout the imported lockin comes from (``-dirty`` with changes), or ""."""
    import lockin

    folder = str(Path(lockin.__file__).resolve().parent)
    try:
        head = subprocess.run(["git", "-C", folder, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", folder, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return head + ("-dirty" if dirty else "")


def validate_repository(entry: pd.Series, tree: Path, judged_dir: Path, args, hipify: Path | None, override) -> tuple[RepositoryResult, pd.DataFrame]:
    """Measure one repository; return its result and its mismatch rows."""
    started = dt.datetime.now()
    supports = entry["supports_amd"] == "yes"
    result = RepositoryResult(entry["repository"], entry["commit"], entry["shape"], supports, support_level=entry["supports_amd"])
    findings, result.figures, result.effort_without_support_p50 = scan_and_score(tree, entry["folder"], args.jobs, args.seed, override, entry["supports_amd"] != "no")
    findings = findings.assign(line=findings["line"].astype("Int64"))
    result.findings = len(findings)
    result.support = support_checks(supports, result.figures, result.effort_without_support_p50)
    mismatches = []
    judged_path = judged_dir / f"{entry['folder']}.csv"
    if judged_path.is_file():
        matched = match_judged(read_judged(judged_path), findings)
        result.judged_file = str(judged_path)
        result.counts = judged_counts(matched)
        mismatches.append(judged_mismatches(matched))
    else:
        print(f"note: {entry['repository']}: no judged file {judged_path}", file=sys.stderr)
    if hipify is not None and args.hipify_files > 0:
        result.hipify_files = sample_files(cuda_source_files(tree), args.hipify_files, args.seed, entry["repository"])
        pairs = hipify_pairs(tree, result.hipify_files, hipify)
        result.hipify = hipify_recall_counts(pairs, findings)
        missed = hipify_missed(pairs, findings)
        mismatches.append(pd.DataFrame({"problem": "hipify-missed", "path": missed["path"], "line": missed["line"], "name": missed["name"], "kind": "", "origin": "hipify", "judged": "converted by hipify-perl", "lockin": "not reported", "reason": "", "row": ""}))
    result.seconds = (dt.datetime.now() - started).total_seconds()
    frame = pd.concat(mismatches, ignore_index=True) if mismatches else pd.DataFrame()
    if not frame.empty:
        frame.insert(0, "repository", entry["repository"])
        frame["lockin_on_line"] = names_on_lines(frame, findings)
    return result, frame


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--realcode", type=Path, default=os.environ.get("REALCODE_DIR"), help="folder holding the extracted repositories as <owner>+<name>/ (default: $REALCODE_DIR)")
    parser.add_argument("--repositories", type=Path, default=REALCODE / "repositories.csv", help="the list of repositories (default: benchmarks/realcode/repositories.csv)")
    parser.add_argument("--judged", type=Path, default=REALCODE / "judged", help="folder of judged files <owner>+<name>.csv (default: benchmarks/realcode/judged)")
    parser.add_argument("--hipify-perl", help="hipify-perl script (default: $HIPIFY_PERL, else REALCODE_DIR/tools/bin/hipify-perl)")
    parser.add_argument("--hipify-files", type=int, default=20, help="CUDA files sampled per repository for the hipify-perl comparison (default 20; 0 skips it)")
    parser.add_argument("--seed", type=int, default=11, help="seed of the file sample and of the score's Monte Carlo draws (default 11)")
    parser.add_argument("--jobs", type=int, default=0, help="scan workers (default 0: one per CPU)")
    parser.add_argument("--without-support", help="NAME=VALUE: the lockin parameter that stops crediting existing target support (default: found automatically, else n/a)")
    parser.add_argument("--only", action="append", default=[], help="validate only this repository (owner/name; repeatable)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results (default: benchmarks/results)")
    parser.add_argument("--no-write", action="store_true", help="print only; write no result files")
    parser.add_argument("--strict", action="store_true", help="exit with status 3 when a target fails")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the validation; exit status 0, 2 on bad input or nothing to validate, 3 with ``--strict`` when a target fails."""
    from lockin.errors import LockinError

    args = parse_args(argv)
    try:
        return _run(args)
    except (ValidationError, LockinError) as exc:  # bad input: file, line and problem, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.realcode is None:
        raise ValidationError("no REALCODE_DIR: pass --realcode DIR or set REALCODE_DIR (see benchmarks/realcode/checkout.sh)")
    realcode = Path(args.realcode)
    if not realcode.is_dir():
        raise ValidationError(f"{realcode}: not a folder")
    repositories = read_repositories(args.repositories)
    if args.only:
        unknown = sorted(set(args.only) - set(repositories["repository"]))
        if unknown:
            raise ValidationError(f"--only: {', '.join(unknown)} not in {args.repositories}")
        repositories = repositories[repositories["repository"].isin(args.only)]
    elif args.judged.is_dir():
        for stray in sorted({p.stem for p in args.judged.glob("*.csv")} - set(repositories["folder"])):
            print(f"note: judged/{stray}.csv has no row in {args.repositories}: not validated", file=sys.stderr)
    present = [realcode / f for f in repositories["folder"]]
    missing = [r for r, p in zip(repositories["repository"], present) if not p.is_dir()]
    for repository in missing:
        print(f"missing: {repository} (no folder {realcode / folder_name(repository)})", file=sys.stderr)
    if len(missing) == len(repositories):
        raise ValidationError(f"none of the {len(repositories)} repositories of {args.repositories} is extracted under {realcode}")
    hipify = find_hipify(args.hipify_perl, realcode)
    if hipify is None and args.hipify_files > 0:
        print("note: hipify-perl not found (--hipify-perl, $HIPIFY_PERL, REALCODE_DIR/tools/bin/hipify-perl): no hipify recall", file=sys.stderr)
    override = without_support_override(args.without_support)
    if override is None:
        print("note: lockin has no parameter to stop crediting existing AMD support: effort without support is n/a", file=sys.stderr)
    results, mismatch_frames = [], []
    for (_, entry), tree in zip(repositories.iterrows(), present):
        if not tree.is_dir():
            continue
        print(f"validating {entry['repository']} …", file=sys.stderr)
        result, mismatches = validate_repository(entry, tree, args.judged, args, hipify, override)
        results.append(result)
        mismatch_frames.append(mismatches)
    rows = [r.row() for r in results]
    overall = overall_row(results)
    checks = verdicts(overall, results)
    print(format_table([*rows, overall]))
    print()
    for name, check in checks.items():
        print(f"{check['result'].upper():4}  {name}: {_cell(check['value'], '{:.3f}')} (target {check['threshold']})")
    print("\n" + mismatch_summary(mismatch_frames))
    if not args.no_write:
        _write(args, realcode, hipify, override, results, rows, overall, checks, mismatch_frames, missing)
    failed = any(check["result"] == "fail" for check in checks.values())
    return 3 if args.strict and failed else 0


def mismatch_summary(frames: list[pd.DataFrame]) -> str:
    """One line counting the disagreements by problem, e.g. ``mismatches: false-positive 12, missed 3``."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return "mismatches: none"
    counts = pd.concat(frames, ignore_index=True)["problem"].value_counts()
    return "mismatches: " + ", ".join(f"{problem} {count}" for problem, count in counts.sort_index().items())


def _write(args, realcode, hipify, override, results, rows, overall, checks, mismatch_frames, missing) -> None:
    import lockin

    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"validate-{dt.date.today().isoformat()}"
    document = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "lockin_version": lockin.__version__,
        "lockin_commit": lockin_commit(),
        "realcode_dir": str(realcode),
        "repositories_file": str(args.repositories),
        "judged_dir": str(args.judged),
        "hipify_perl": str(hipify) if hipify else None,
        "hipify_files_per_repository": args.hipify_files,
        "seed": args.seed,
        "without_support_parameter": list(override) if override else None,
        "hipify_exclusions": {
            EXCLUDED_COMMENT_OR_STRING: "the name occurs on its line only inside comments or string literals, which lockin does not read by design",
            EXCLUDED_ALIAS_DEFINITION: "the line is a #define of that very name (a shim mapping it to HIP), which lockin does not count as a use by design",
            EXCLUDED_OWN_HEADER: "a quoted #include that resolves to a file of the project, not a vendor header",
        },
        "thresholds": THRESHOLDS,
        "verdicts": checks,
        "missing_repositories": missing,
        "overall": overall,
        "repositories": [{**row, "shape": r.shape, "judged_file": r.judged_file, "counts": r.counts, "hipify": r.hipify, "hipify_files": r.hipify_files, "seconds": round(r.seconds, 1)} for r, row in zip(results, rows)],
    }
    stem.with_suffix(".json").write_text(json.dumps(json_ready(document), indent=2, allow_nan=False) + "\n")
    table = pd.DataFrame([*rows, overall])
    table["lockin_version"] = lockin.__version__
    table["lockin_commit"] = document["lockin_commit"]
    table.to_csv(stem.with_suffix(".csv"), index=False, float_format="%.4f")
    frames = [f for f in mismatch_frames if not f.empty]
    mismatches = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["repository", "problem", "path", "line", "name", "kind", "origin", "judged", "lockin", "reason", "row", "lockin_on_line"])
    mismatches.to_csv(f"{stem}-mismatches.csv", index=False, quoting=csv.QUOTE_MINIMAL)
    print(f"\nwrote {stem}.json, {stem}.csv, {stem}-mismatches.csv", file=sys.stderr)


def json_ready(value):
    """``value`` with NaN/infinity as None and numpy/pandas scalars as Python ones (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
