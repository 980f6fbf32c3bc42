"""Scanner for CUDA, HIP, C and C++ source.

It reports three kinds of evidence (see ``docs/evidence-names.md``):

``include``
    an ``#include <…>`` / ``#include "…"`` of a header the vocabulary knows;
``api``
    each use, in code, of an identifier the vocabulary knows (one evidence
    per occurrence, as HIPIFY counts references);
``construct``
    a vendor-specific programming construct with one of the fixed names
    (``kernel-launch``, ``inline-ptx``, ``warp-size-32`` …).

Nothing inside a comment or a string literal is evidence, except the text
of inline assembly, where PTX instructions (``wgmma``, ``cp.async.bulk``)
are the construct. Preprocessor conditionals are not evaluated: code inside
``#if 0`` or ``#ifdef __HIP_PLATFORM_AMD__`` is scanned like any other code,
because it is still code someone maintains.

How it stays fast (the scan must keep up with ripgrep on big trees):
Python's regex engine is quick only for patterns whose every alternative
starts with a literal character, and quickest when that is one character.
So a file is first tested for any vocabulary word with a few such regexes
(:class:`AnchoredWords`: each word is anchored on one of a handful of
characters and checked around it with lookbehinds), and most files stop
there. A GPU source usually names a word in its first lines, where the
regexes stop; other files usually name none, and the regexes would go
through all of them, so a longer one is tested with array passes instead
(:class:`WordFilter`, the same answer several times faster). The files
that hold a word are lexed once by one regex whose callback runs per
comment or literal, never per identifier; API tokens are found by array
arithmetic over token heads (:class:`TokenHeads`) plus one anchored match
per candidate, and constructs by one regex per first character. Line
numbers come from counting line breaks between sorted offsets, once per
file.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from operator import itemgetter

import numpy as np

from lockin.records import Evidence, ReadResult
from lockin.source.trie import trie_branches, trie_with_endings

__all__ = ["Vocabulary", "scan_cxx", "blank_source"]

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

#: Identifier prefixes of vendor APIs used when no catalog is at hand. The
#: lower-case library prefixes come with their upper-case constant/macro
#: spellings (``CUBLAS_OP_N``). Bare ``CU``/``hip``/``roc`` would also match
#: ``CURSOR``, ``hips`` or ``rocket``, so those are narrowed to the shapes the
#: real APIs have: ``CU`` + lower case (``CUresult``), ``hip`` + upper case
#: (``hipMalloc``) and the named ``hip…``/``roc…`` libraries.
DEFAULT_API_PREFIXES = (
    "cuda", "CUDA_", "CUDART_", "CU_",
    "cublas", "CUBLAS_", "cudnn", "CUDNN_", "cufft", "CUFFT_", "curand", "CURAND_",
    "cusparse", "CUSPARSE_", "cusolver", "CUSOLVER_", "cutensor", "CUTENSOR_",
    "nccl", "NCCL_", "nvtx", "NVTX_", "nvml", "NVML_", "cupti", "CUPTI_",
    "nvjpeg", "NVJPEG_", "npp", "NPP_", "nvrtc", "NVRTC_",
    "__shfl", "__ballot", "__syncwarp", "__activemask",
    "hipblas", "hipfft", "hiprand", "hipsparse", "hipsolver", "hiprtc", "HIP_", "HIPBLAS_",
    "rocblas", "rocfft", "rocrand", "rocsparse", "rocsolver", "roctx", "rocm_smi", "rsmi_",
    "rccl", "miopen", "MIOPEN_", "amdsmi_",
    "thrust::", "cub::", "cutlass::", "cute::", "nvinfer1::", "nvcuda::",
    "hipcub::", "rocprim::", "rocwmma::",
)  # fmt: skip

#: Prefixes that need a character class (see :data:`DEFAULT_API_PREFIXES`).
DEFAULT_API_PATTERNS = (r"cu[A-Z]", r"CU[a-z]", r"hip[A-Z]")

#: Header prefixes of vendor SDKs used when no catalog is at hand.
DEFAULT_INCLUDE_PREFIXES = (
    "cuda", "cublas", "cudnn", "cufft", "curand", "cusparse", "cusolver", "cutensor",
    "cupti", "nvml", "nvrtc", "nvtx", "npp", "nvjpeg", "NvInfer", "NvOnnxParser", "nccl",
    "mma.h", "cooperative_groups", "cub/", "cutlass/", "cute/", "thrust/", "crt/",
    "device_launch_parameters", "sm_",
    "hip/", "hipblas", "hipfft", "hiprand", "hipsparse", "hipsolver", "hipcub/",
    "rocblas", "rocfft", "rocrand", "rocsparse", "rocsolver", "rocprim/", "rocwmma/",
    "rocthrust/", "rccl", "miopen/", "roctracer/", "rocm_smi/", "amd_smi/",
)  # fmt: skip

#: Words that make a file worth lexing even when no vocabulary name is in
#: it: GPU keywords and the distinctive parts of the construct patterns.
#: Constructs are only looked for in files whose code (not comments) holds
#: one of these or a vocabulary name, so ``lane % 32`` in a CPU-only file is
#: not reported.
TRIGGER_WORDS = (
    "__global__", "__device__", "__shared__", "__launch_bounds__", "__syncthreads",
    "threadIdx", "blockIdx", "blockDim", "__shfl", "_sync", "asm", "<<<",
    "0xffffffff", "0xFFFFFFFF", "warp", "Warp", "WARP",
    "wmma", "GMMA", "SM90_", "TMA_", "tensorMap", "TensorMap", "cp_async_bulk",
    "__cluster_dims__", "cluster_group", "this_cluster", "map_shared_rank", "cooperative_groups",
)  # fmt: skip

class Vocabulary:
    """The identifiers and headers the C/C++ scanner reports.

    Built once per process (it compiles a few large regular expressions on
    first use) and cheap to pickle: only the word lists travel to worker
    processes, and the regexes are compiled again there.

    Parameters
    ----------
    names : iterable of str
        API identifiers matched as whole tokens (``cudaMalloc``,
        ``cub::DeviceReduce``).
    prefixes : iterable of str
        Literal API prefixes (``cublas``, ``thrust::``): any identifier that
        starts with one is reported.
    patterns : iterable of str
        Regular-expression prefixes for shapes a literal cannot express
        (``cu[A-Z]``).
    include_names, include_prefixes : iterable of str
        Headers, exact or by prefix, as written between ``<>``/``""``.
    python_roots : iterable of str
        Top-level Python modules whose attribute chains are reported.
    device_names : iterable of str
        Of the names, the device functions and types (``__isnan``, ``umin``,
        ``__half``): evidence only in GPU code (see :func:`scan_cxx`).
    """

    def __init__(
        self,
        names: Iterable[str] = (),
        prefixes: Iterable[str] = (),
        patterns: Iterable[str] = (),
        include_names: Iterable[str] = (),
        include_prefixes: Iterable[str] = (),
        python_roots: Iterable[str] = (),
        device_names: Iterable[str] = (),
    ):
        self.names = frozenset(n for n in names if n)
        self.prefixes = tuple(sorted({p for p in prefixes if p}, key=lambda p: (-len(p), p)))
        self.patterns = tuple(dict.fromkeys(p for p in patterns if p))
        self.include_names = frozenset(n for n in include_names if n)
        self.include_prefixes = tuple(sorted({p for p in include_prefixes if p}, key=lambda p: (-len(p), p)))
        self.python_roots = frozenset(r for r in python_roots if r)
        self.device_names = frozenset(n for n in device_names if n)
        self._compiled: _Compiled | None = None

    @classmethod
    def default(cls) -> Vocabulary:
        """The built-in vocabulary, for use without a catalog."""
        return cls(
            prefixes=DEFAULT_API_PREFIXES,
            patterns=DEFAULT_API_PATTERNS,
            include_prefixes=DEFAULT_INCLUDE_PREFIXES,
        )

    @classmethod
    def from_catalog(cls, catalog) -> Vocabulary:
        """The vocabulary of a :class:`~lockin.catalog.Catalog`'s ``api`` and
        ``include`` rows.

        Exact and prefix rows are used as they are; a glob row that is a
        literal followed by one trailing ``*`` (``cublas*``) is used as a
        prefix. Other glob and regex rows cannot be searched for cheaply and
        are left to the catalog lookup of evidence found by the other rows.
        """
        return cls(
            names=catalog.names("api"),
            prefixes=[*catalog.prefixes("api"), *_glob_prefixes(catalog, "api")],
            include_names=catalog.names("include"),
            include_prefixes=[*catalog.prefixes("include"), *_glob_prefixes(catalog, "include")],
            python_roots=_python_roots(catalog),
            device_names=_device_names(catalog),
        )

    @property
    def compiled(self) -> _Compiled:
        if self._compiled is None:
            self._compiled = _Compiled(self)
        return self._compiled

    def __getstate__(self) -> dict:
        return {
            "names": self.names,
            "prefixes": self.prefixes,
            "patterns": self.patterns,
            "include_names": self.include_names,
            "include_prefixes": self.include_prefixes,
            "python_roots": self.python_roots,
            "device_names": self.device_names,
        }

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._compiled = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.names, self.prefixes, self.patterns))

    def __repr__(self) -> str:
        return (
            f"Vocabulary({len(self.names)} names, {len(self.prefixes)} prefixes, {len(self.patterns)} patterns, "
            f"{len(self.include_names)} include names, {len(self.include_prefixes)} include prefixes)"
        )


def _python_roots(catalog) -> set[str]:
    """Top-level Python modules the catalog has ``module`` rows for.

    The Python scanner reports attribute chains under these roots, so a row a
    user adds for their own vendor module is searched for without code changes.
    """
    names = [*catalog.names("module"), *catalog.prefixes("module")]
    return {re.split(r"[.:]", name, maxsplit=1)[0] for name in names}


def _device_names(catalog) -> set[str]:
    """Exact ``api`` names of the ``kernel`` layer: functions and types that
    exist only in device code."""
    return {row.match for row in getattr(catalog, "rows", ()) if row.kind == "api" and row.match_type == "exact" and row.layer == "kernel"}


def _glob_prefixes(catalog, kind: str) -> list[str]:
    return [
        row.match[:-1]
        for row in getattr(catalog, "rows", ())
        if row.kind == kind and row.match_type == "glob" and row.match.endswith("*") and not any(c in row.match[:-1] for c in "*?[]")
    ]


class _Compiled:
    """The regexes of one vocabulary (built lazily, never pickled)."""

    def __init__(self, vocab: Vocabulary):
        patterns = [_split_pattern(p) for p in vocab.patterns]
        prefix_re = re.compile("|".join([*trie_branches(vocab.prefixes), *vocab.patterns])) if (vocab.prefixes or vocab.patterns) else None
        # A name that a prefix already covers needs no alternative of its own.
        names = sorted(n for n in vocab.names if not (prefix_re and prefix_re.match(n)))
        # ``thrust::sort`` and ``nvcuda::wmma``: the qualified name is kept
        # to its first two components afterwards.
        qualified = r"(?:\s*::\s*\w+)?"
        branches = [b + r"\w*" + qualified for b in [*trie_branches(vocab.prefixes), *vocab.patterns]]
        branches += [b + r"(?!\w)" + qualified for b in trie_branches(names)]
        #: Matches an API token exactly, tried at token starts only.
        self.api = re.compile("|".join(branches)) if branches else None
        api_items = [(w, "") for w in [*vocab.prefixes, *names]] + patterns
        #: Finds where API tokens may start, at memory speed.
        self.api_starts = TokenHeads(api_items, names) if api_items else None
        include_branches = [b + "$" for b in trie_branches(vocab.include_names)] + trie_branches(vocab.include_prefixes)
        self.include = re.compile("|".join(include_branches)) if include_branches else None
        words = {*vocab.prefixes, *names, *vocab.include_names, *vocab.include_prefixes, *TRIGGER_WORDS}
        #: Can a text hold any evidence at all?
        self.precheck = AnchoredWords([(w, "") for w in words] + patterns)
        #: The same question, answered in a few array passes (None when
        #: the words do not allow it).
        self.word_filter = WordFilter.build([(w, "") for w in words] + patterns)

    def holds_word(self, text: str, likely: bool = False) -> bool:
        """Whether a vocabulary or trigger word occurs anywhere in ``text``.

        Both ways of asking give the same answer. The regexes stop at the
        first word, which a GPU source (``likely``) has near its top, but
        go through all of a text without one at a few dozen MB/s; the
        arrays cost the same wherever the word is, several times less per
        byte, plus a fixed cost that only pays off on longer texts.
        """
        if likely or self.word_filter is None or len(text) < WordFilter.MIN_TEXT:
            return self.precheck.search(text)
        return self.word_filter(text)


def _split_pattern(pattern: str) -> tuple[str, str]:
    """``cu[A-Z]`` → (``cu``, ``[A-Z]``): a pattern is a literal and one class."""
    m = re.fullmatch(r"(\w+)(\[[^\]\[\\]+\])", pattern)
    if not m:
        raise ValueError(f"vocabulary pattern {pattern!r} is not an identifier prefix followed by one [character class]")
    return m.group(1), m.group(2)


#: Rough share of each character in C/C++ source, used to prefer rare
#: anchor characters (unknown characters count as rare).
_CHAR_SHARE = {
    " ": 0.15, "e": 0.06, "t": 0.055, "r": 0.045, "i": 0.045, "n": 0.045, "a": 0.04, "o": 0.04,
    "s": 0.04, "l": 0.03, "c": 0.03, "d": 0.025, "u": 0.02, "p": 0.02, "m": 0.02, "_": 0.03,
    "f": 0.015, "h": 0.012, "(": 0.015, ")": 0.015, ";": 0.012, ",": 0.012, "=": 0.01,
    "b": 0.01, "g": 0.01, "v": 0.008, "y": 0.006, "k": 0.005, "w": 0.005, "x": 0.006, "<": 0.005,
    ">": 0.005, ":": 0.006, "*": 0.006, ".": 0.006, "0": 0.006, "1": 0.006, "2": 0.004, "3": 0.003,
}  # fmt: skip


class AnchoredWords:
    """Find many words (and ``prefix[class]`` patterns) at memory speed.

    Python's regex engine scans quickly only for a pattern that starts with
    one literal character; an alternation of words that start with twenty
    different characters is ten times slower. So each word is *anchored* on
    one of its characters, chosen so that a handful of characters anchor
    all words (a greedy set cover that prefers rare characters), and one
    regex per anchor character matches the rest of the word and checks the
    part before the anchor with a lookbehind. Anchors are taken from the
    leading identifier characters of a word, so the start of a found token
    is found by walking back over identifier characters.

    Parameters
    ----------
    items : list of (str, str)
        ``(literal, class)``, class being ``""`` or one ``[...]`` that
        follows the literal (``("cu", "[A-Z]")``).
    """

    def __init__(self, items: list[tuple[str, str]]):
        items = sorted({(w, k) for w, k in items if w})
        self.regexes = [re.compile(r) for r in _anchor_regexes(items)]

    def search(self, text: str) -> bool:
        """Whether any word occurs in ``text`` (anywhere, even mid-token)."""
        regexes = self.regexes
        for i, regex in enumerate(regexes):
            if regex.search(text):
                if i:
                    # Files of one tree tend to hold the same words: trying
                    # the regex that found one last time first lets the
                    # search of the next file stop at its first lines.
                    regexes.insert(0, regexes.pop(i))
                return True
        return False

    def token_starts(self, text: str) -> set[int]:
        """Offsets where tokens holding a word start (a superset of the exact hits)."""
        starts: set[int] = set()
        word_chars = _WORD_CHARS
        for regex in self.regexes:
            for m in regex.finditer(text):
                start = m.start()
                while start and text[start - 1] in word_chars:
                    start -= 1
                starts.add(start)
        return starts


class WordFilter:
    """Whether any of many ASCII words occurs in a text, with array passes.

    The text's UTF-8 bytes are read as overlapping 16-bit numbers, one per
    offset: a table of the words' first two characters marks where a word
    may start, a second table (characters two and three) thins those out,
    and the 64-bit big-endian numbers at the few offsets left are compared
    with the ranges the words make, as in :class:`TokenHeads`: a word of
    up to eight characters is the range of numbers that start with it; a
    longer word, its first eight characters, confirmed by a comparison of
    the bytes. An ASCII word is in the UTF-8 bytes exactly where it is in
    the text, so the answer is exact.

    Use :meth:`build`, which returns None for words it cannot handle.
    """

    #: Texts shorter than this are faster searched with regexes.
    MIN_TEXT = 2048

    def __init__(self, words: list[str]):
        first = np.zeros(1 << 16, bool)
        second = np.zeros(1 << 16, bool)
        ranges: list[tuple[int, int]] = []
        self.long_words: dict[int, list[bytes]] = {}
        for word in _without_extensions(words):
            raw = word.encode("ascii")
            first[raw[0] | raw[1] << 8] = True
            second[raw[1] | raw[2] << 8] = True
            if len(raw) <= _HEAD:
                ranges.append((_pack(word), _pack(word, 0xFF)))
            else:
                head = _pack(word)
                ranges.append((head, head))
                self.long_words.setdefault(head, []).append(raw)
        # No word begins another (see _without_extensions), so the ranges
        # are disjoint and one sorted search finds the range a head is in.
        ranges = sorted(set(ranges))
        self.first, self.second = first, second
        self.lows = np.array([lo for lo, _ in ranges], np.uint64)
        self.highs = np.array([hi for _, hi in ranges], np.uint64)

    @classmethod
    def build(cls, items: list[tuple[str, str]]) -> WordFilter | None:
        """A filter for ``(literal, class)`` items as :class:`AnchoredWords`
        takes them, or None unless every word is ASCII and at least three
        characters long and every class matches only ASCII characters."""
        words: list[str] = []
        for literal, klass in items:
            if not klass:
                words.append(literal)
                continue
            if any(re.fullmatch(klass, ch) for ch in ("\u00e9", "\u0100", "\u4e00", "\U0001f600")):
                return None  # the class may match a non-ASCII character
            words.extend(literal + ch for ch in map(chr, range(128)) if re.fullmatch(klass, ch))
        if not words or not all(w.isascii() and len(w) >= 3 and "\0" not in w for w in words):
            return None
        return cls(words)

    def __call__(self, text: str) -> bool:
        """Whether one of the words occurs in ``text``."""
        data = text.encode("utf-8", "surrogatepass") + bytes(_HEAD)
        n = len(data) - _HEAD
        pairs = np.ndarray((n + 1,), "<u2", data, 0, (1,))
        at = self.first.take(pairs[:n]).nonzero()[0]
        if not at.size:
            return False
        at = at[self.second.take(pairs[at + 1])]
        if not at.size:
            return False
        heads = np.ndarray((n,), ">u8", data, 0, (1,))[at].astype(np.uint64)
        i = self.lows.searchsorted(heads, "right") - 1
        hit = (i >= 0) & (heads <= self.highs[i])
        if not hit.any():
            return False
        long_words = self.long_words
        for offset, head in zip(at[hit].tolist(), heads[hit].tolist()):
            words = long_words.get(head)
            if words is None or any(data.startswith(word, offset) for word in words):
                return True  # a short word's range holds only heads that begin with it
        return False


def _without_extensions(words: Iterable[str]) -> list[str]:
    """The words, less those that another word begins (it occurs wherever they do)."""
    kept: list[str] = []
    for word in sorted(set(words)):
        if not kept or not word.startswith(kept[-1]):
            kept.append(word)
    return kept


#: Token characters; anything else ends a token.
_WORD_BYTES = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_" else 0 for c in range(256))
#: Characters of a token head (:class:`TokenHeads` packs eight into a 64-bit key).
_HEAD = 8
_ONES = np.uint64(0x0101010101010101)
_HIGHS = np.uint64(0x8080808080808080)
_SMEAR_SHIFTS = tuple(np.uint64(s) for s in (1, 2, 4, 8, 16, 32))
_SHIFT_40 = np.uint64(40)


class TokenHeads:
    """Find the tokens that begin like a word, with array arithmetic.

    A regex search for thousands of names costs a regex pass per anchor
    character and a match attempt wherever the anchor occurs (and ``min``,
    ``log`` or ``round`` are names). Here the text is turned once into an
    array in which every character that cannot be part of a token is zero;
    each token's first eight characters become one 64-bit number (the
    characters after its end zeroed), and a token is kept when its number
    falls in one of the ranges the words make: a word up to eight
    characters long or a token-ending word is one number, a shorter prefix
    is the range of numbers that start with it. A table of the first three
    characters drops most tokens before the range search. The result is a
    superset of the tokens that start with a word, in text order; the
    caller confirms each one with a regex match.

    Parameters
    ----------
    items : list of (str, str)
        ``(literal, class)`` as for :class:`AnchoredWords`: tokens that
        start with one.
    names : iterable of str, optional
        Of the literals, those that must be a whole token (``max`` but not
        ``maxval``).
    """

    def __init__(self, items: list[tuple[str, str]], names: Iterable[str] = ()):
        whole = frozenset(names)
        ranges: list[tuple[int, int]] = []
        odd: list[tuple[str, str]] = []
        for word, klass in sorted({(w, k) for w, k in items if w}):
            if word[0] not in _WORD_CHARS:
                odd.append((word, klass))  # cannot start a token: found by regex
            else:
                ranges.extend(_head_ranges(word, klass, word in whole and not klass))
        ranges.sort()
        merged: list[list[int]] = []
        for lo, hi in ranges:
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        self.lows = np.array([lo for lo, _ in merged], np.uint64)
        self.highs = np.array([hi for _, hi in merged], np.uint64)
        self.first3 = np.zeros(1 << 21, bool)
        for lo, hi in merged:
            for head in range(lo >> 40, (hi >> 40) + 1):
                if head & 0x8080 == 0:  # ASCII second and third characters
                    self.first3[_pack3(head)] = True
                if head & 0xFF00 == 0:
                    # A one-character token: the table sees the start of
                    # the next token as its third character, whatever it is.
                    self.first3[_pack3(head & 0xFF0000) : _pack3(head & 0xFF0000) + 0x80] = True
        self.odd = AnchoredWords(odd) if odd else None

    def __call__(self, text: str) -> list[int]:
        """Offsets, ascending, of the tokens of ``text`` that may start with a word."""
        data = ("\0" + text + "\0" * _HEAD).encode("ascii", "replace").translate(_WORD_BYTES)
        chars = np.frombuffer(data, np.uint8)
        in_token = chars != 0
        starts = np.flatnonzero(in_token[1:] > in_token[:-1]) + 1
        heads = np.ndarray((len(data) - _HEAD + 1,), "<u8", data, 0, (1,))[starts].byteswap()
        keep = self.first3[_pack3_array(heads >> _SHIFT_40)]
        starts = starts[keep]
        heads = heads[keep]
        # Zero what follows the first zero byte (the token's end): a high bit
        # marks each zero byte, then is smeared over all lower bits.
        ends = (heads - _ONES) & ~heads & _HIGHS
        for shift in _SMEAR_SHIFTS:
            ends |= ends >> shift
        heads &= ~ends
        at = np.searchsorted(self.lows, heads, "right") - 1
        found = (starts[(at >= 0) & (heads <= self.highs[at])] - 1).tolist()
        if self.odd is not None:
            found = sorted({*found, *self.odd.token_starts(text)})
        return found


def _head_ranges(word: str, klass: str, whole: bool) -> list[tuple[int, int]]:
    """The 64-bit head ranges of the tokens that start with ``word`` + ``klass``
    (or, when ``whole``, are ``word``)."""
    run = 0
    while run < len(word) and word[run] in _WORD_CHARS:
        run += 1
    if run >= _HEAD or run < len(word) or whole:
        return [(_pack(word[:run]),) * 2]  # the head is fixed
    if not klass:
        return [(_pack(word), _pack(word, 0xFF))]
    # A class character: a token character, or (as the token's end) zero.
    heads = {ch if ch in _WORD_CHARS else "\0" for ch in map(chr, range(128)) if re.fullmatch(klass, ch)}
    if re.fullmatch(klass, "\u00e9") or re.fullmatch(klass, "\u4e00"):
        heads.add("\0")  # a non-ASCII character is not a token character here
    return [(_pack(word + h), _pack(word + h, 0xFF)) for h in sorted(heads)]


def _pack(head: str, fill: int = 0) -> int:
    raw = head.encode("ascii")[:_HEAD]
    return int.from_bytes(raw + bytes([fill]) * (_HEAD - len(raw)), "big")


def _pack3(head: int) -> int:
    """Three ASCII characters (24 bits) as a 21-bit table index."""
    return ((head >> 2) & 0x1FC000) | ((head >> 1) & 0x3F80) | (head & 0x7F)


def _pack3_array(heads):
    heads = heads.astype(np.uint32)
    return ((heads >> 2) & 0x1FC000) | ((heads >> 1) & 0x3F80) | (heads & 0x7F)


def _anchor_regexes(items: list[tuple[str, str]]) -> list[str]:
    eligible = [_anchor_positions(w, k) for w, k in items]
    chosen: list[str] = []
    uncovered = set(range(len(items)))
    while uncovered:
        counts: dict[str, int] = {}
        for i in uncovered:
            for ch in {items[i][0][p] for p in eligible[i]}:
                counts[ch] = counts.get(ch, 0) + 1
        best = max(counts, key=lambda ch: (counts[ch] / (0.7 + 5 * _CHAR_SHARE.get(ch, 0.001)), ch))
        chosen.append(best)
        uncovered = {i for i in uncovered if not any(items[i][0][p] == best for p in eligible[i])}
    by_anchor: dict[str, list[tuple[str, str]]] = {ch: [] for ch in chosen}
    for (word, klass), positions in zip(items, eligible):
        ch = next(c for c in chosen if any(word[p] == c for p in positions))
        at = next(p for p in positions if word[p] == ch)
        head, tail = word[:at], word[at + 1 :]
        check = f"(?<={re.escape(word)}{klass})" if head else ""
        by_anchor[ch].append((tail, klass + check))
    return [re.escape(ch) + trie_with_endings(entries) for ch, entries in by_anchor.items()]


def _anchor_positions(word: str, klass: str) -> list[int]:
    """Positions a word may be anchored on: within its leading identifier
    run, and with at least two characters after it where possible (a
    literal right after the anchor lets the engine reject a position at
    once; a bare lookbehind costs more)."""
    run = 0
    while run < len(word) and word[run] in _WORD_CHARS:
        run += 1
    if not run:
        return [0]
    length = len(word) + (1 if klass else 0)
    good = [p for p in range(run) if length - p - 1 >= 2]
    return good or list(range(run))


# ---------------------------------------------------------------------------
# Lexing: blank comments and literals, keep offsets and line breaks
# ---------------------------------------------------------------------------

# One regex finds every comment, literal and include directive, whole; the
# callback runs once per such token, never per identifier. The loops are
# "unrolled" ([^*]* rather than (?:.|…)*) because that is what Python's
# regex engine runs fast. A character literal is at most a few characters
# long, so the ' of a digit separator (1'000'000) cannot swallow code up to
# a distant quote. Context checks (a raw string's prefix, a directive being
# first on its line) are made in the callback.
_TOKEN = re.compile(
    r"[/\"'R#](?:"
    r"(?<=/)/[^\n\\]*(?:\\(?:\r\n|[\s\S])[^\n\\]*)*"
    r"|(?<=/)\*[^*]*(?:\*+[^*/][^*]*)*(?P<block_end>\*+/)?"
    r'|(?<=R)"(?P<delim>[^ ()\\\t\v\f\r\n"]{0,16})\([\s\S]*?(?P<raw_end>\)(?P=delim)"|\Z)'
    r'|(?<=")[^"\\\n]*(?:\\(?:\r\n|[\s\S])[^"\\\n]*)*(?P<string_end>")?'
    r"|(?<=')(?:\\[^\n][^'\\\n]{0,8}|[^'\\\n]{1,4})'"
    r'|(?<=#)[ \t]*include(?:_next)?[ \t]*(?:<(?P<angled>[^>\n]*)>|"(?P<quoted>[^"\n]*)")'
    r")"
)
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_RAW_PREFIXES = frozenset({"", "u8", "u", "U", "L"})


class Lexed:
    """A source file with comments and literals blanked out.

    Attributes
    ----------
    code : str
        The text, same length and same line breaks, with every comment,
        string and character literal and every ``#include`` header name
        replaced by spaces.
    includes : list of (int, str)
        Offset and name of each ``#include`` header, as written.
    strings : list of (int, int)
        Start and end offsets of the string literals (for inline assembly).
    problems : list of (int, str)
        Offset and description of unterminated comments and literals.
    """

    __slots__ = ("code", "includes", "strings", "problems")

    def __init__(self, code: str, includes: list, strings: list, problems: list):
        self.code = code
        self.includes = includes
        self.strings = strings
        self.problems = problems


def blank_source(text: str) -> Lexed:
    """Blank the comments and literals of C/C++ source.

    Parameters
    ----------
    text : str
        Any text; it never raises.

    Returns
    -------
    Lexed
        An unterminated block comment or raw string runs to the end of the
        file; an unterminated ordinary string ends at the end of its line,
        as the C preprocessor ends it. Both are listed in ``problems``.
    """
    includes: list[tuple[int, str]] = []
    strings: list[tuple[int, int]] = []
    problems: list[tuple[int, str]] = []

    def replace(m: re.Match) -> str:
        start = m.start()
        token = m.group()
        first = token[0]
        if first == "#":
            return _include(m, text, includes)
        if first == "R":
            if _word_before(text, start) not in _RAW_PREFIXES:
                # An identifier ending in R before a string (FOOR"…"): blank
                # it as an ordinary string instead.
                return _blank_ordinary_after_r(m, text, strings, problems)
            strings.append((start, m.end()))
            if not m.group("raw_end"):
                problems.append((start, "unterminated raw string literal: it runs to the end of the file"))
            return "R" + _blank(token[1:])
        if first == '"':
            strings.append((start, m.end()))
            if m.group("string_end") is None:
                problems.append((start, "unterminated string literal: it ends at the end of its line"))
        elif first == "'":
            if start and text[start - 1] in _WORD_CHARS and _word_before(text, start) not in _RAW_PREFIXES:
                return token  # the quotes of digit separators: 1'000'000
        elif token[1] == "*" and m.group("block_end") is None:
            problems.append((start, "unterminated /* comment: it runs to the end of the file"))
        if "\n" not in token:
            return " " * len(token)
        return _blank(token)

    code = _TOKEN.sub(replace, text)
    return Lexed(code, includes, strings, problems)


def _blank(segment: str) -> str:
    if "\n" not in segment:
        return " " * len(segment)
    return "\n".join(" " * len(part) for part in segment.split("\n"))


def _blank_ordinary_after_r(m: re.Match, text: str, strings: list, problems: list) -> str:
    # Re-lex from the quote as an ordinary string; what follows it stays code.
    quote = m.start() + 1
    s = _TOKEN.match(text, quote)
    end = s.end() if s else quote + 1
    strings.append((quote, end))
    if s is None or s.group("string_end") is None:
        problems.append((quote, "unterminated string literal: it ends at the end of its line"))
    return "R" + _blank(text[quote:end]) + text[end : m.end()]


def _word_before(text: str, index: int) -> str:
    """The identifier characters just before ``index``, up to four of them."""
    start = index
    while start > 0 and index - start < 4 and text[start - 1] in _WORD_CHARS:
        start -= 1
    word = text[start:index]
    if start > 0 and text[start - 1] in _WORD_CHARS:
        return word + "…"  # longer than any literal prefix
    return word


def _include(m: re.Match, text: str, includes: list) -> str:
    line_start = text.rfind("\n", 0, m.start()) + 1
    if text[line_start : m.start()].strip():
        return m.group()  # not a directive: '#' is not first on its line
    group = "angled" if m.group("angled") is not None else "quoted"
    name_start, name_end = m.span(group)
    includes.append((name_start, m.group(group)))
    token = m.group()
    cut = name_start - m.start()
    return token[:cut] + " " * (name_end - name_start) + token[cut + name_end - name_start :]


# ---------------------------------------------------------------------------
# Constructs
# ---------------------------------------------------------------------------

# Each alternative starts with a literal character and ends with an empty
# marker group that names its family. The marker goes last because the
# regex engine skips an alternative after one character comparison only
# when it starts with a literal, and factors a literal prefix that all
# alternatives share out of the group (``__`` rather than ``_``), which
# its fast search then looks for. Token boundaries are checked after.
_INDEX_TAIL = r"\s*(?P<op>/|>>|%|&(?!&))\s*(?P<num>0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b"
_WIDTH_TAIL = r"\w*(?P<sep>[ \t]+|\s*=(?!=)\s*)\(?\s*(?P<value>0[xX][0-9a-fA-F]+[uUlL]*|~0[uUlL]*|\d+[uUlL]*)(?![\w.])"
_CONSTRUCT_ALTERNATIVES = {
    "launch": [r"<<<"],
    "asm": [a + r"(?:\s*(?:volatile|__volatile__|goto|inline)\b)*\s*\(" for a in (r"__asm__", r"__asm\b", r"asm\b")],
    "wmma": [r"nvcuda\s*::\s*wmma\s*::", r"wmma\s*::", r"mma_sync\b"],
    "wgmma": [r"wgmma\w*", r"SM90_\w*GMMA\w*", r"SM90_\d+x\d+x\d+_\w+", r"GMMA\s*::", r"warpgroup_(?:arrive|wait|commit_batch|fence_operand)\b"],
    "tma": [r"cuTensorMapEncode\w*", r"CUtensorMap\w*", r"SM90_TMA_\w+", r"cp_async_bulk\w*"],
    "cluster": [
        r"__cluster_dims__", r"cluster_group\b", r"this_cluster\b", r"cudaLaunchAttributeClusterDimension\b",
        r"cudaFuncAttribute(?:NonPortableClusterSizeAllowed|RequiredCluster(?:Width|Height|Depth))\b",
    ],
    "dsmem": [r"map_shared_rank\b"],
    "cg": [r"cooperative_groups\b"],
    "warpfn": [
        r"__(?:shfl(?:_up|_down|_xor)?(?:_sync)?|ballot_sync|any_sync|all_sync|uni_sync"
        r"|match_(?:any|all)_sync|reduce_\w+_sync|syncwarp)\s*\("
    ],
    "index": [
        r"threadIdx\s*\.\s*[xyz]" + _INDEX_TAIL,
        r"blockDim\s*\.\s*[xyz]" + _INDEX_TAIL,
        r"tidx?\b" + _INDEX_TAIL,
        r"thread(?:_?id|Id|_?idx)\b" + _INDEX_TAIL,
        r"lane(?:_?id|Id|_?idx)?\b" + _INDEX_TAIL,
    ],
    "width": [w + _WIDTH_TAIL for w in ("warp", "Warp", "WARP", "wave", "Wave", "WAVE", "mask", "Mask", "MASK")],
}  # fmt: skip


def _compile_constructs() -> list[tuple[re.Pattern, dict[int, tuple[str, str]]]]:
    """One regex per first character (each then runs on the engine's fast
    literal-prefix path), with the (family, marker) of each alternative by
    the index of its marker group.

    The marker group ends its alternative, so it is the last group a match
    closes: a match's ``lastindex`` names the alternative that matched.
    """
    by_first: dict[str, list[tuple[str, str, str]]] = {}
    inner_groups = ("op", "num", "sep", "value")
    for family, alternatives in _CONSTRUCT_ALTERNATIVES.items():
        for i, alternative in enumerate(alternatives):
            marker = f"{family}_{i}"
            body = alternative
            for g in inner_groups:
                body = body.replace(f"(?P<{g}>", f"(?P<{g}_{marker}>")
            assert body[0].isalnum() or body[0] in "_<", "each alternative must start with a literal"
            by_first.setdefault(body[0], []).append((family, marker, body[1:]))
    compiled = []
    for first, entries in by_first.items():
        regex = re.compile(re.escape(first) + "(?:" + "|".join(f"{rest}(?P<{m}>)" for _, m, rest in entries) + ")")
        compiled.append((regex, {regex.groupindex[m]: (family, m) for family, m, _ in entries}))
    return compiled


_CONSTRUCT_REGEXES = _compile_constructs()
#: The name of each inner group (``op``, ``num``, ``sep``, ``value``) per marker.
_INNER_GROUP = {
    (name.split("_", 1)[0], name.split("_", 1)[1]): name
    for regex, _ in _CONSTRUCT_REGEXES
    for name in regex.groupindex
    if name.split("_", 1)[0] in ("op", "num", "sep", "value")
}
#: Alternatives that must begin a token (``asm`` but not ``plasm``).
_WHOLE_TOKEN_GROUPS = frozenset({"asm", "wmma", "wgmma", "tma", "cluster", "dsmem", "cg", "warpfn", "index"})
_LAUNCH_TAIL = re.compile(r"<<<(?!<)[^;{}]*?>>>\s*\(")
_GLOBAL = re.compile(r"__global__\b")
_BODY_OR_DECL = re.compile(r"[;{]")
_BRACES = re.compile(r"[{}]")
_CALL_DELIMITERS = re.compile(r"[()\[\]{},;]")
_CG_ALIAS = re.compile(r"\bnamespace\s+(\w+)\s*=\s*(?:::\s*)?cooperative_groups\b")
#: All 32 lanes: 0xffffffff, ~0u, and -1 cast to a 32-bit unsigned type
#: (``uint32_t(-1)``, ``(unsigned)-1``, ``static_cast<unsigned>(-1)``).
_FULL_MASK = re.compile(
    r"\(?\s*(?:0[xX][fF]{8}[uUlL]*|~0[uUlL]*|~0[xX]0+[uUlL]*"
    r"|(?:std::)?uint32_t\s*\(\s*-1\s*\)|unsigned(?:\s+int)?\s*\(\s*-1\s*\)"
    r"|\(\s*(?:(?:std::)?uint32_t|unsigned(?:\s+int)?)\s*\)\s*-1"
    r"|static_cast\s*<\s*(?:(?:std::)?uint32_t|unsigned(?:\s+int)?)\s*>\s*\(\s*-1\s*\))\s*\)?"
)
_MASK_COMPARISON_AFTER = re.compile(r"\s*[!=]=\s*(?:0[xX][fF]{8}[uUlL]*|~0[uUlL]*)(?![\w])")
_MASK_COMPARISON_BEFORE = re.compile(r"(?:0[xX][fF]{8}[uUlL]*|~0[uUlL]*)\s*[!=]=\s*$")
_WARP_WIDTH_NAME = re.compile(
    r"(?i)\w*(?:warp_?(?:size|width|sz|threads|lanes)|threads_?per_?warp|lanes_?per_?warp"
    r"|wave(?:front)?_?(?:size|width|sz|threads|lanes))\w*"
)
#: NUM_WARPS, WARPS_PER_BLOCK: a number of warps, not the warp width.
_WARP_COUNT_NAME = re.compile(r"(?i)warps(?!ize)")
_FULL_MASK_NAME = re.compile(r"(?i)\w*(?:full|warp|final|lane|all|active)_?mask\w*")
_DEFINE_PREFIX = re.compile(r"[ \t]*#[ \t]*define[ \t]+$")
_PTX_FEATURES = re.compile(
    r"(?P<wgmma>\bwgmma\.)"
    r"|(?P<tma>\bcp\.(?:reduce\.)?async\.bulk)"
    r"|(?P<dsmem>\bmapa\.|\b(?:ld|st|atom|red)\.shared::cluster)"
    r"|(?P<cluster>%cluster|%is_explicit_cluster|\bbarrier\.cluster)"
)
_PTX_CONSTRUCT = {"wgmma": "wgmma", "tma": "tma", "dsmem": "distributed-shared-memory", "cluster": "thread-block-cluster"}
_SIMPLE_CONSTRUCT = {
    "wmma": "wmma",
    "wgmma": "wgmma",
    "tma": "tma",
    "cluster": "thread-block-cluster",
    "dsmem": "distributed-shared-memory",
    "cg": "cooperative-groups",
}
#: How far the argument list of a warp intrinsic is followed before giving up.
_MAX_CALL_SPAN = 4000


def _find_constructs(lexed: Lexed, text: str, hip: bool, found: list, gpu_source: bool = True) -> None:
    """Append ``(offset, "construct", name)`` for each construct in the code.

    ``gpu_source`` says whether the file is GPU code at all; in a plain C/C++
    file, inline assembly is the host's (x86, Arm, POWER) unless its
    instructions are PTX or GCN.
    """
    code = lexed.code
    launches: list[int] = []
    for m, group, marker in _construct_matches(code):
        start = m.start()
        if group in _WHOLE_TOKEN_GROUPS and start and code[start - 1] in _WORD_CHARS:
            continue  # the tail of a longer identifier (plasm(, rocwmma::)
        if marker == "wmma_2" and code[max(0, start - 2) : start] == "::":
            continue  # rocwmma::mma_sync and the like: only bare or wmma:: mma_sync is WMMA
        if group in _SIMPLE_CONSTRUCT:
            found.append((start, "construct", _SIMPLE_CONSTRUCT[group]))
        elif group == "launch":
            if _is_launch(code, start):
                launches.append(start)
                found.append((start, "construct", "kernel-launch"))
        elif group == "asm":
            _inline_assembly(lexed, text, m, hip, found, gpu_source)
        elif group == "warpfn":
            _warp_intrinsic(code, m, hip, found)
        elif group == "index":
            _index_arithmetic(m, marker, hip, found)
        else:
            _width_definition(code, m, marker, hip, found)
    if launches:
        _dynamic_parallelism(code, launches, found)
    if "cooperative_groups" in code:
        _cooperative_group_aliases(code, found)


def _inner(m: re.Match, marker: str, name: str) -> str | None:
    return m.group(_INNER_GROUP[name, marker])


def _construct_matches(code: str):
    """(match, family, marker) for every construct candidate, regex by regex."""
    for regex, by_index in _CONSTRUCT_REGEXES:
        for m in regex.finditer(code):
            family, marker = by_index[m.lastindex]
            yield m, family, marker


def _is_launch(code: str, at: int) -> bool:
    # The callee must end just before: an identifier or a template-id.
    before = at - 1
    while before >= 0 and code[before] in " \t\r\n":
        before -= 1
    if before < 0 or not (code[before] in _WORD_CHARS or code[before] == ">"):
        return False
    if at > 0 and code[at - 1] == "<":
        return False
    return _LAUNCH_TAIL.match(code, at) is not None


def _dynamic_parallelism(code: str, launches: list[int], found: list) -> None:
    bodies = _global_bodies(code)
    if not bodies:
        return
    starts = [b[0] for b in bodies]
    for at in launches:
        i = bisect_right(starts, at) - 1
        if i >= 0 and bodies[i][0] < at < bodies[i][1]:
            found.append((at, "construct", "dynamic-parallelism"))


def _global_bodies(code: str) -> list[tuple[int, int]]:
    """(open, close) offsets of the braces of each ``__global__`` function body."""
    bodies: list[tuple[int, int]] = []
    for m in _GLOBAL.finditer(code):
        if bodies and m.start() < bodies[-1][1]:
            continue  # a __global__ inside a body already seen (a macro, a lambda)
        opener = _BODY_OR_DECL.search(code, m.end())
        if opener is None or opener.group() == ";":
            continue  # a declaration without a body
        depth = 0
        close = len(code)
        for brace in _BRACES.finditer(code, opener.start()):
            depth += 1 if brace.group() == "{" else -1
            if depth == 0:
                close = brace.start()
                break
        bodies.append((opener.start(), close))
    return bodies


def _inline_assembly(lexed: Lexed, text: str, m: re.Match, hip: bool, found: list, gpu_source: bool) -> None:
    """Inline assembly, named by what its instructions are.

    AMD GCN/CDNA mnemonics (``v_and_b32``, ``s_waitcnt``) make it GCN and PTX
    ones (``mov.u64``, ``%%globaltimer``) PTX, whatever the file looks like;
    without either, it is the dialect's in GPU code and the host's (x86,
    Arm: not reported) elsewhere.
    """
    end = _matching_close(lexed.code, m.end() - 1)
    i = bisect_right(lexed.strings, (m.end(), -1))
    strings = []
    while i < len(lexed.strings) and lexed.strings[i][0] < end:
        strings.append(lexed.strings[i])
        i += 1
    body = " ".join(text[start:stop] for start, stop in strings)
    ptx = _PTX_INSTRUCTION.search(body) is not None
    if not ptx and (hip or _GCN_INSTRUCTION.search(body)):
        found.append((m.start(), "construct", "inline-gcn-asm"))
        return
    if not (ptx or gpu_source):
        return
    found.append((m.start(), "construct", "inline-ptx"))
    for start, stop in strings:
        for feature in _PTX_FEATURES.finditer(text, start, stop):
            found.append((feature.start(), "construct", _PTX_CONSTRUCT[feature.lastgroup]))


#: AMD GCN/CDNA instructions: vector and scalar ALU (v_…, s_…), LDS, buffer,
#: global and flat memory operations.
_GCN_INSTRUCTION = re.compile(r"\b(?:[vs]_[a-z][a-z0-9_]*|ds_[a-z0-9_]+|buffer_(?:load|store|atomic)[a-z0-9_]*|global_(?:load|store|atomic)[a-z0-9_]*|flat_(?:load|store|atomic)[a-z0-9_]*)\b")
#: PTX: an opcode with a dotted type or state space (``mov.u64``,
#: ``ld.global.nc``), or a special register (``%%globaltimer``, ``%laneid``).
_PTX_INSTRUCTION = re.compile(
    r"\b(?:ld|st|mov|add|sub|mul|mad|fma|cvt|atom|red|bar|barrier|shfl|cp|mma|wgmma|ldmatrix|stmatrix|fence|setp|selp|prmt|lop3|"
    r"shf|membar|vote|activemask|redux|elect|mbarrier|griddepcontrol|prefetch|bfe|bfi|brev|popc|clz)\.[a-z0-9]"
    r"|%%?(?:globaltimer|clock64|clock|laneid|warpid|smid|nsmid|tid|ntid|ctaid|nctaid|lanemask_[a-z]+|dynamic_smem_size)\b"
)


def _matching_close(code: str, open_at: int) -> int:
    """Offset of the delimiter closing the bracket at ``open_at`` (or where the search gave up)."""
    depth = 0
    limit = min(len(code), open_at + _MAX_CALL_SPAN)
    for d in _CALL_DELIMITERS.finditer(code, open_at, limit):
        ch = d.group()
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0:
                return d.start()
        elif ch in "{};":
            return d.start()
    return limit


def _call_arguments(code: str, open_at: int) -> tuple[list[tuple[int, str]], int]:
    """Top-level arguments of the call whose ``(`` is at ``open_at``, and the end."""
    args: list[tuple[int, str]] = []
    depth = 0
    arg_start = open_at + 1
    limit = min(len(code), open_at + _MAX_CALL_SPAN)
    for d in _CALL_DELIMITERS.finditer(code, open_at, limit):
        ch = d.group()
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0:
                args.append((arg_start, code[arg_start : d.start()]))
                return args, d.end()
        elif ch == "," and depth == 1:
            args.append((arg_start, code[arg_start : d.start()]))
            arg_start = d.end()
        elif ch in "{};":
            break
    return [], open_at + 1


def _warp_intrinsic(code: str, m: re.Match, hip: bool, found: list) -> None:
    name = code[m.start() : m.end() - 1].rstrip()
    args, end = _call_arguments(code, m.end() - 1)
    if not args:
        return
    synced = name.endswith("_sync") or name == "__syncwarp"
    if synced:
        at, mask = args[0]
        if _FULL_MASK.fullmatch(mask.strip()):
            found.append((at + len(mask) - len(mask.lstrip()), "construct", "full-warp-mask"))
    if name.startswith("__shfl"):
        width_index = 3 if synced else 2
        if len(args) > width_index:
            at, width = args[width_index]
            literal = width.strip().strip("()").strip().rstrip("uUlL")
            offset = at + len(width) - len(width.lstrip())
            if literal == "32":
                found.append((offset, "construct", "warp-size-32"))
            elif literal == "64" and hip:
                found.append((offset, "construct", "warp-size-64"))
    if name == "__ballot_sync":
        if _MASK_COMPARISON_AFTER.match(code, end) or _MASK_COMPARISON_BEFORE.search(code, max(0, m.start() - 40), m.start()):
            found.append((m.start(), "construct", "full-warp-mask"))


def _index_arithmetic(m: re.Match, marker: str, hip: bool, found: list) -> None:
    op, raw = _inner(m, marker, "op"), _inner(m, marker, "num")
    number = int(raw, 16) if raw[:2] in ("0x", "0X") else int(raw)
    subject = m.group()
    is_lane = subject.startswith("lane")
    is_block = subject.startswith("blockDim")
    if op in ("%", "&"):
        width = number if op == "%" else number + 1
        if width == 32:
            found.append((m.start(), "construct", "warp-size-32" if is_block else "lane-modulo-32"))
        elif width == 64 and hip:
            found.append((m.start(), "construct", "warp-size-64"))
        return
    if is_lane:
        return
    width = number if op == "/" else (1 << number if number < 16 else 0)
    if width == 32:
        found.append((m.start(), "construct", "warp-size-32"))
    elif width == 64 and hip:
        found.append((m.start(), "construct", "warp-size-64"))


def _width_definition(code: str, m: re.Match, marker: str, hip: bool, found: list) -> None:
    start = m.start()
    while start > 0 and code[start - 1] in _WORD_CHARS:
        start -= 1
    separator = _inner(m, marker, "sep")
    name = code[start : m.start(f"sep_{marker}")]
    if "=" not in separator:
        # Without "=", only "#define NAME VALUE" counts.
        line_start = code.rfind("\n", 0, start) + 1
        if not _DEFINE_PREFIX.match(code[line_start:start]):
            return
    written = _inner(m, marker, "value")
    value = written.rstrip("uUlL")
    if _FULL_MASK_NAME.fullmatch(name):
        if _FULL_MASK.fullmatch(written):
            found.append((start, "construct", "full-warp-mask"))
    elif _WARP_WIDTH_NAME.fullmatch(name) and not _WARP_COUNT_NAME.search(name):
        if value == "32":
            found.append((start, "construct", "warp-size-32"))
        elif value == "64" and hip:
            found.append((start, "construct", "warp-size-64"))


def _cooperative_group_aliases(code: str, found: list) -> None:
    aliases = {m.group(1) for m in _CG_ALIAS.finditer(code)}
    if not aliases:
        return
    use = re.compile(r"(?<![\w:])(?:" + "|".join(map(re.escape, sorted(aliases))) + r")\s*::")
    for m in use.finditer(code):
        found.append((m.start(), "construct", "cooperative-groups"))


# ---------------------------------------------------------------------------
# The scanner
# ---------------------------------------------------------------------------

_HIP_SUFFIXES = frozenset({".hip"})
_CUDA_HEADER = re.compile(
    r"cuda|cublas|cudnn|cufft|curand|cusparse|cusolver|cutensor|cupti|nvml|nvrtc|nvtx|npp|nvjpeg"
    r"|NvInfer|nccl|mma\.h|cooperative_groups|cub/|cutlass/|cute/|crt/|device_launch_parameters|sm_\d"
)
_SPACE = re.compile(r"\s+")


def scan_cxx(text: str, path: str, vocabulary: Vocabulary | None = None) -> ReadResult:
    """Find vendor-bound includes, API uses and constructs in C/C++/CUDA/HIP source.

    Parameters
    ----------
    text : str
        The file's text.
    path : str
        The file's display path (its suffix ``.hip`` makes the file HIP).
    vocabulary : Vocabulary, optional
        The names to report; :meth:`Vocabulary.default` when omitted.

    Returns
    -------
    ReadResult
        Evidence in file order, all with ecosystem ``hip`` when the file is
        HIP (suffix ``.hip``, or it includes ``hip/…`` headers and no CUDA
        header) and ``cuda`` otherwise. Unterminated comments and literals
        are problems; this function never raises on any text.
    """
    vocab = vocabulary if vocabulary is not None else _default_vocabulary()
    compiled = vocab.compiled
    result = ReadResult()
    suffix = _suffix(path)
    if not compiled.holds_word(text, likely=suffix in _GPU_SUFFIXES):
        return result
    lexed = blank_source(text)
    for offset, message in lexed.problems:
        result.problem(path, _line_of(text, offset), message)
    code = lexed.code
    include = compiled.include
    found: list[tuple[int, str, str]] = [(at, "include", name) for at, name in lexed.includes if include and include.match(name)]
    if compiled.api is not None:
        _find_api(code, compiled, found)
    # An include or API use found is a vocabulary word in the code, so the
    # second look is needed only when there was none.
    if not found and not compiled.holds_word(code):
        return result  # whatever looked like evidence was in comments or strings
    if compiled.api is not None:
        _drop_own_macros(code, found)
        _drop_own_declarations(code, found, vocab.names)
    hip = _is_hip(suffix, lexed.includes)
    gpu_source = hip or _is_gpu_source(suffix, lexed) or _in_gpu_folder(path)
    if vocab.device_names and not (gpu_source or _GPU_GUARD.search(code)):
        _drop_device_names(found, vocab.device_names)
    _find_constructs(lexed, text, hip, found, gpu_source)
    _emit(text, found, "hip" if hip else "cuda", result)
    return result


_DEFAULT: Vocabulary | None = None


def _default_vocabulary() -> Vocabulary:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Vocabulary.default()
    return _DEFAULT


_GPU_CODE_MARK = re.compile(r"__global__|__device__|__shared__|__launch_bounds__")
#: The macros that guard device-only code paths (``#ifdef __CUDA_ARCH__``):
#: a header that uses them holds device code even when its qualifiers come
#: from a macro (``C10_HOST_DEVICE``). Its other branches are often host
#: code, so they count for device functions, not for inline assembly.
_GPU_GUARD = re.compile(r"__CUDA_ARCH__|__CUDACC__|__CUDACC_RTC__|__NVCC__|__HIPCC__|__HIP_DEVICE_COMPILE__")
_GPU_SUFFIXES = frozenset({".cu", ".cuh", ".hip"})


def _suffix(path: str) -> str:
    """The lower-cased suffix of a file's path, as ``PurePosixPath(path).suffix``
    gives it (``\\`` separating too), without building a path object."""
    parts = [part for part in path.replace("\\", "/").split("/") if part and part != "."]
    name = parts[-1] if parts else ""
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def _is_gpu_source(suffix: str, lexed: Lexed) -> bool:
    """A CUDA/HIP source: by suffix, by a GPU header, or by device-code keywords."""
    if suffix in _GPU_SUFFIXES:
        return True
    if any(_CUDA_HEADER.match(name) or name.startswith("hip/") for _, name in lexed.includes):
        return True
    return _GPU_CODE_MARK.search(lexed.code) is not None


#: Folders that hold one GPU backend's code by convention (PyTorch's
#: ``ATen/native/cuda``, ``c10/hip``).
_GPU_FOLDERS = frozenset({"cuda", "hip", "rocm", "cudnn", "miopen", "nccl", "rccl"})


def _in_gpu_folder(path: str) -> bool:
    return any(part.lower() in _GPU_FOLDERS for part in path.replace("\\", "/").split("/")[:-1])


def _is_hip(suffix: str, includes: list[tuple[int, str]]) -> bool:
    if suffix in _HIP_SUFFIXES:
        return True
    has_hip = any(name.startswith("hip/") for _, name in includes)
    return has_hip and not any(_CUDA_HEADER.match(name) for _, name in includes)


def _find_api(code: str, compiled: _Compiled, found: list) -> None:
    match = compiled.api.match
    for start in compiled.api_starts(code):
        m = match(code, start)
        if m is None:
            continue
        if start and not code[start - 1].isascii() and code[start - 1].isalnum():
            continue  # the tail of an identifier with non-ASCII letters
        name = m.group()
        if "::" in name:
            name = "::".join(_SPACE.sub("", name).split("::")[:2])
        found.append((start, "api", name))


def _drop_device_names(found: list, device_names: frozenset[str]) -> None:
    """Remove device-function names from a file that is not GPU code.

    They can only be called in device code, and many are also the C
    library's names or common identifiers (glibc's ``math.h`` declares
    ``__isnan`` and ``__finite``, libstdc++ names a variable ``__half``,
    C code defines ``umin`` and ``saturate``): outside GPU code they are
    not the vendor's.
    """
    found[:] = [f for f in found if not (f[1] == "api" and f[2] in device_names)]


_DEFINED_MACRO = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", re.MULTILINE)


def _drop_own_macros(code: str, found: list) -> None:
    """Remove uses of macros the file defines itself (``CUBLAS_CHECK``, ``HIP_CHECK``).

    Such a macro is the project's own name even when it starts like a vendor
    API; the vendor calls inside its definition are still reported.
    """
    if "define" not in code:
        return
    own = {m.group(1) for m in _DEFINED_MACRO.finditer(code)}
    if not own:
        return
    found[:] = [f for f in found if not (f[1] == "api" and f[2] in own)]


def _drop_own_declarations(code: str, found: list, names: frozenset[str]) -> None:
    """Remove the file's own variables and functions whose names only begin
    like a vendor API (``float cublasTime;``, ``cublasHandle_t cublasHandle;``,
    ``void cudaErrCheck_(cudaError_t s) {``).

    Only names a catalog prefix matched are candidates: an exact API name
    (``cudaMalloc``) stays evidence even where a wrapper header declares it.
    A name counts as the file's own when a type stands before it and a
    declaration or a function body follows.
    """
    own: set[str] = set()
    # Every use of a name is in ``found`` with its offset: the context is
    # checked around each, with no search of the whole text.
    for at, kind, name in found:
        if kind != "api" or name in names or name in own or "::" in name:
            continue
        if not _DECLARATION_AFTER.match(code, at + len(name)):
            continue
        before = _TYPE_BEFORE.search(code, max(0, at - 160), at)
        if before is not None and before.group("type") not in _NOT_TYPES:
            own.add(name)
    if own:
        found[:] = [f for f in found if not (f[1] == "api" and f[2] in own)]


#: A type just before a name: ``float ``, ``cublasHandle_t ``, ``const char* ``,
#: ``std::vector<int> `` is not read (its ``::``), nor ``x.`` or ``p->``.
_TYPE_BEFORE = re.compile(r"(?<![\w.>:])(?P<type>[A-Za-z_]\w*)(?:\s*<[^;{}()]*>)?(?:\s*[*&]+\s*|\s+)\Z")
#: What follows a declared name: the end of a declaration, or a function body.
_DECLARATION_AFTER = re.compile(r"\s*(?:[;=,\[)]|\([^;{}]*\)\s*(?:const\s*)?\{)")


#: Words that can stand before a name without being its type.
_NOT_TYPES = frozenset({"return", "else", "case", "goto", "throw", "delete", "new", "co_return", "co_yield", "sizeof", "typedef", "using", "namespace", "define"})


def _emit(text: str, found: list[tuple[int, str, str]], ecosystem: str, result: ReadResult) -> None:
    """Turn (offset, kind, name) into evidence with exact line numbers and line text.

    API uses count once per occurrence (as HIPIFY counts references); a
    construct counts once per line, so that ``wmma::fragment<wmma::matrix_a,
    …, wmma::row_major>`` is one use of WMMA, not three.
    """
    found.sort(key=_OFFSET)
    line = 1
    counted_to = 0
    line_end = -1
    line_text = ""
    constructs_on_line: set[str] = set()
    append, make = result.evidence.append, Evidence._make
    count, rfind, find = text.count, text.rfind, text.find
    for offset, kind, name in found:
        if offset > line_end:
            line += count("\n", counted_to, offset)
            counted_to = offset
            line_start = rfind("\n", 0, offset) + 1
            line_end = find("\n", offset)
            if line_end < 0:
                line_end = len(text)
            # Trimmed as ReadResult.add trims it, once per line rather than
            # once per evidence (dense CUDA lines carry several).
            line_text = text[line_start:line_end].strip()[:240]
            constructs_on_line.clear()
        if kind == "construct":
            if name in constructs_on_line:
                continue
            constructs_on_line.add(name)
        # Evidence(kind, name, line, line_text, ecosystem), without the named
        # tuple's Python-level constructor: dense CUDA makes thousands.
        append(make((kind, name, line, line_text, ecosystem, "")))


_OFFSET = itemgetter(0)


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
