"""What the C/C++ scanner looks for, and how it finds those words fast.

This module holds the :class:`Vocabulary` (the identifiers and headers to
report, from the catalog or the built-in defaults), its compiled regexes,
and the three word finders they use: :class:`AnchoredWords`,
:class:`WordFilter` and :class:`TokenHeads`. They are apart from the
scanner because they know nothing of C++ syntax, only of words in text,
and the Python scanner uses :class:`TokenHeads` as well.

How it stays fast (the scan must keep up with ripgrep on big trees):
Python's regex engine is quick only for patterns whose every alternative
starts with a literal character, and quickest when that is one character.
So a file is first tested for any vocabulary word with a few such regexes
(:class:`AnchoredWords`: each word is anchored on one of a handful of
characters and checked around it with lookbehinds), and most files stop
there. A GPU source usually names a word in its first lines, where the
regexes stop; other files usually name none, and the regexes would go
through all of them, so a longer one is tested with array passes instead
(:class:`WordFilter`, the same answer several times faster). In the files
that hold a word, API tokens are found by array arithmetic over token
heads (:class:`TokenHeads`) plus one anchored match per candidate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from lockin.source.cxx.lexer import _WORD_CHARS
from lockin.source.trie import trie_branches, trie_with_endings

__all__ = [
    "Vocabulary",
    "AnchoredWords",
    "WordFilter",
    "TokenHeads",
    "DEFAULT_API_PREFIXES",
    "DEFAULT_API_PATTERNS",
    "DEFAULT_INCLUDE_PREFIXES",
    "TRIGGER_WORDS",
]

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
        Command-line tools (``nvidia-smi``, ``nsys``: ecosystem ``tool``) are
        what shell and subprocess readers report, never C/C++ identifiers.
        """
        return cls(
            names=catalog.names("api", skip_ecosystems=(TOOL_ECOSYSTEM,)),
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


#: Ecosystem of the catalog's command-line tool rows.
TOOL_ECOSYSTEM = "tool"


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
