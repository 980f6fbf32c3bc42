"""The patterns ripgrep searches for in the scan benchmark, and how far its
matches cover lockin's findings.

"An equivalent pattern set" is read literally: ripgrep looks for the words
lockin's scanners look for, taken from the catalog lockin loads, so the
yardstick grows with the catalog. A short hand-written list of vendor
prefixes (what someone would type for a grep-based audit) is kept as a
second, informational yardstick; it misses about a fifth of the lines
lockin reports (the coverage check below measures that on every run).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

#: A hand-written grep audit: vendor prefixes, GPU constructs and the
#: inventory tokens below. Informational only (see the module docstring).
SHORT_LIST = (
    r"\bcuda[A-Z_]\w*", r"\bcu[A-Z]\w*", r"\bCU[A-Z_]\w*",
    r"\bcu(blas|blasLt|dnn|fft|rand|sparse|solver)\w*", r"\bnccl\w*", r"\bnvtx\w*", r"\bNCCL_\w+",
    r"__shfl\w*", r"__ballot\w*", r"__syncwarp", r"0x[fF]{8}", r"<<<", r"\basm\b", r"__cluster_dims__",
    r"\bwmma::\w+", r"\bnvcuda\b", r"\bthrust::\w+", r"\bcub::\w+", r"\bcutlass\b", r"\bcute::\w+", r"\bnvinfer1::\w+",
    r"\bhip[A-Z]\w*", r"\brocblas_\w+", r"\bhipblas\w*", r"\brocprim\b", r"\bhipcub\b", r"\bmiopen\w*",
    r"#include\s*[<\"][\w/.]+[>\"]",
    r"\btorch\.cuda\b[\w.]*", r"\btorch\.backends\.cudnn\b", r"\b(cupy|cudf|cuml|dask_cudf|pycuda|tensorrt|pynvml|amdsmi)\b",
    r"\bnumba\.cuda\b", r"\bapex\b", r"\btransformer_engine\b", r"\bflash_attn\b", r"['\"]cuda['\"]", r"ExecutionProvider",
    r"\b(nvidia|amd)\.com/gpu\S*", r"\bnvcr\.io/\S+", r"\brocm/\S+", r"--gres=\S+", r"\bnvidia-[\w-]+", r"\+(cu|rocm)\d[\w.]*",
    r"\benable_language\b", r"\bCMAKE_\w*(CUDA|HIP)\w*", r"\b(CUDA|hip|roc)::\w+", r"\bfind_package\s*\(\s*\w+",
    r"-gencode\b", r"--offload-arch=\S+", r"\bsm_\d+a?\b", r"\bgfx\d+\b", r"\b(CUDA|HIP)_VISIBLE_DEVICES\b",
)  # fmt: skip

#: What the inventory readers (requirements, images, manifests, build
#: files) report, as tokens the catalog's API words do not describe:
#: GPU resources and labels, vendor registries, wheel indexes and local
#: versions, Slurm GPUs, CMake languages and architectures, arch flags.
#: Package names (``nvidia-…``, ``cupy``) are among the Python roots.
INVENTORY_PATTERNS = (
    r"\b(?:nvidia\.com|amd\.com|habana\.ai|google\.com)/(?:gpu|gaudi|tpu)\S*",
    r"\b(?:nvcr\.io|rocm)/\S+",
    r"--(?:extra-)?index-url\b\S*",
    r"\+(?:cu|rocm)\d[\w.]*",
    r"--gres=\S+",
    r"\b(?:enable_language|LANGUAGES|find_package|CUDAExtension|runtimeClassName)\b",
    r"\bCMAKE_\w*(?:CUDA|HIP)\w*",
    r"\b(?:sm|compute)_\d+a?\b|\bgfx\d+\w*|-gencode\b|--offload-arch\b",
)

# Run in lockin's interpreter: the vocabulary its scanners search for.
_DUMP_VOCABULARY = """
import json, sys
from lockin.catalog import load_catalog
from lockin.source.cxx import TRIGGER_WORDS, Vocabulary
from lockin.source.python import VENDOR_ROOTS
v = Vocabulary.from_catalog(load_catalog())
json.dump({
    "names": sorted(v.names), "prefixes": list(v.prefixes), "patterns": list(v.patterns),
    "include_names": sorted(v.include_names), "include_prefixes": list(v.include_prefixes),
    "python_roots": sorted(v.python_roots | VENDOR_ROOTS), "trigger_words": list(TRIGGER_WORDS),
}, sys.stdout)
"""


def load_vocabulary(python: str) -> dict[str, list[str]]:
    """The C/C++ and Python vocabulary of the catalog lockin loads, as lists."""
    proc = subprocess.run([python, "-c", _DUMP_VOCABULARY], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def vocabulary_patterns(vocabulary: dict[str, list[str]]) -> list[str]:
    """ripgrep patterns for the same words lockin's scanners look for.

    API names are whole words, API prefixes start a word (as lockin matches
    them at token starts); a name that a prefix already covers is left out,
    as lockin leaves it out of its own regex. Headers after ``#include``,
    the construct trigger words, Python root modules and the inventory
    tokens complete the set.

    The words are given in the form ripgrep ran fastest: word boundaries
    outside one alternation (``\\b(?:a|b)\\b``) rather than around every
    word, which took ripgrep 40 % longer for the names and 70 % longer for
    the prefixes on the default tree. All patterns together (0.66 s there)
    cost ripgrep what the short list costs it (0.67 s).
    """
    prefixes = vocabulary["prefixes"]
    covered = re.compile("|".join(map(re.escape, prefixes))) if prefixes else None
    names = [n for n in vocabulary["names"] if not (covered and covered.match(n))]
    patterns = []
    patterns += _words(names, r"\b")
    patterns += _words(prefixes, r"\w*")
    patterns += [r"\b" + p + r"\w*" for p in vocabulary["patterns"]]
    headers = [re.escape(n) + "[>\"]" for n in vocabulary["include_names"]]
    headers += [re.escape(p) + r"[^>\"\n]*[>\"]" for p in vocabulary["include_prefixes"]]
    if headers:
        patterns.append(r"#\s*include\s*[<\"](?:" + "|".join(headers) + ")")
    patterns += [re.escape(w) for w in vocabulary["trigger_words"]]
    patterns += _words(vocabulary["python_roots"], r"\b[\w.]*")
    return patterns + list(INVENTORY_PATTERNS)


def _words(words: list[str], after: str) -> list[str]:
    """Words made of identifier characters as one ``\\b(?:…)`` alternation
    followed by ``after``; the others (``thrust::``) each as their own
    pattern, with a word boundary only next to an identifier character."""
    plain = [w for w in words if re.fullmatch(r"\w+", w)]
    other = [w for w in words if w not in plain]
    patterns = [r"\b(?:" + "|".join(map(re.escape, plain)) + ")" + after] if plain else []
    for word in other:
        start = r"\b" if word[0].isalnum() or word[0] == "_" else ""
        tail = after if word[-1].isalnum() or word[-1] == "_" or not after.startswith(r"\b") else after[2:]
        patterns.append(start + re.escape(word) + tail)
    return patterns


def write_pattern_file(patterns: list[str], path: Path) -> Path:
    """One pattern per line, for ``rg -f``."""
    path.write_text("\n".join(patterns) + "\n")
    return path


def finding_lines(lockin_json: Path) -> set[tuple[str, int]]:
    """``(project/path, line)`` of every finding in lockin's JSON output.

    The JSON array is written one record per line, so it is read line by
    line rather than loaded whole (it can be hundreds of MB).
    """
    lines: set[tuple[str, int]] = set()
    with open(lockin_json, encoding="utf-8") as fh:
        for raw in fh:
            raw = raw.strip().rstrip(",")
            if raw.startswith("{"):
                record = json.loads(raw)
                if record.get("line") is not None:
                    lines.add((f"{record['project']}/{record['path']}", record["line"]))
    return lines


def match_lines(rg_output: Path, root: Path) -> set[tuple[str, int]]:
    """``(path relative to root, line)`` of every match in ripgrep's ``path:line:match`` output."""
    prefix = str(root).rstrip("/") + "/"
    lines: set[tuple[str, int]] = set()
    with open(rg_output, encoding="utf-8", errors="replace") as fh:
        for raw in fh:
            path, line, _ = raw.split(":", 2)
            if path.startswith(prefix) and line.isdigit():
                lines.add((path[len(prefix):], int(line)))
    return lines


def coverage(findings: set[tuple[str, int]], matches: set[tuple[str, int]]) -> float | None:
    """Share of the lines lockin reports a finding on where ripgrep matched too.

    Lines are compared as ``project/path`` under the scanned folder: right
    for a portfolio whose projects are its immediate subfolders (the
    synthetic tree, and any folder without a ``portfolio.yml`` that renames
    them).
    """
    if not findings:
        return None
    return len(findings & matches) / len(findings)
