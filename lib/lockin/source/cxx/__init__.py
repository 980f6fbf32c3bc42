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
of inline assembly. The scanner is split by what each part knows:
:mod:`~lockin.source.cxx.vocabulary` (the words to report and the fast
word finders), :mod:`~lockin.source.cxx.lexer` (comments and literals
blanked, includes), :mod:`~lockin.source.cxx.structure` (conditional
groups, vendor guards, function and class bodies),
:mod:`~lockin.source.cxx.definitions` (the project's own vendor-looking
names and mapping-header aliases), :mod:`~lockin.source.cxx.constructs`
(the construct detectors) and :mod:`~lockin.source.cxx.core`
(:func:`scan_cxx`, which runs them on one file).

Besides evidence, a file's result holds the names it defines (never
vendor evidence: ``CUDA_CHECK`` defined by the project) and its regions
(function bodies for sizing, ``#if`` groups and HIP files that already
have a target path).
"""

from lockin.source.cxx.core import scan_cxx
from lockin.source.cxx.lexer import Lexed, blank_source
from lockin.source.cxx.vocabulary import (
    DEFAULT_API_PATTERNS,
    DEFAULT_API_PREFIXES,
    DEFAULT_INCLUDE_PREFIXES,
    TRIGGER_WORDS,
    AnchoredWords,
    TokenHeads,
    Vocabulary,
    WordFilter,
)

__all__ = [
    "Vocabulary",
    "scan_cxx",
    "blank_source",
    "Lexed",
    "AnchoredWords",
    "WordFilter",
    "TokenHeads",
    "DEFAULT_API_PREFIXES",
    "DEFAULT_API_PATTERNS",
    "DEFAULT_INCLUDE_PREFIXES",
    "TRIGGER_WORDS",
]
