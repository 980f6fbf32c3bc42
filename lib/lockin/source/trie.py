"""Compile many literal words into one compact regular expression.

A plain alternation ``cudaMalloc|cudaMallocHost|cudaFree|…`` of thousands of
names makes Python's regex engine try every alternative at every position.
Sharing common prefixes (``cuda(?:Malloc(?:Host)?|Free)``) lets it reject a
position after a character or two, which is what keeps the source scanners
fast on large trees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""  # key marking "a word ends here"; no real edge is the empty string


def trie_regex(words: Iterable[str]) -> str:
    """Return a regular expression that matches exactly the given words.

    Parameters
    ----------
    words : iterable of str
        Literal words; duplicates and empty strings are ignored.

    Returns
    -------
    str
        A non-capturing pattern (no anchors, no word boundaries) matching
        any of the words; longer words are preferred where one word is a
        prefix of another. The empty alternation ``(?!)`` (matches nothing)
        when there are no words.
    """
    root: dict = {}
    for word in words:
        if not word:
            continue
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[_END] = {}
    if not root:
        return "(?!)"
    return _node_regex(root)


def _node_regex(node: dict) -> str:
    return _fold_post_order(node, _combine)


def _fold_post_order(node: dict, combine) -> str:
    """``combine(node, out)`` for every node, children first; the root's result.

    Iterative, so that very long words cannot exhaust the stack; ``out``
    maps ``id(child)`` to the child's already combined pattern.
    """
    out: dict[int, str] = {}
    stack: list[tuple[dict, bool]] = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        if not expanded:
            stack.append((current, True))
            stack.extend((child, False) for key, child in current.items() if key != _END)
            continue
        out[id(current)] = combine(current, out)
    return out[id(node)]


def _combine(node: dict, out: dict[int, str]) -> str:
    ends_here = _END in node
    branches = [(key, out[id(child)]) for key, child in sorted(node.items()) if key != _END]
    if not branches:
        return ""
    single_chars = [re.escape(key) for key, rest in branches if rest == ""]
    longer = [re.escape(key) + rest for key, rest in branches if rest != ""]
    alternatives = list(longer)
    if len(single_chars) == 1:
        alternatives.append(single_chars[0])
    elif single_chars:
        alternatives.append("[" + "".join(_class_escape(c) for c in single_chars) + "]")
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    if ends_here:
        # The word may stop here or go on; prefer going on (longest match).
        # A lone concatenation needs a group; a class, one character or an
        # alternation group is already a single atom.
        needs_group = len(alternatives) == 1 and bool(longer)
        return ("(?:" + body + ")?") if needs_group else body + "?"
    return body


def _unescaped(fragment: str) -> str:
    return re.sub(r"\\(.)", r"\1", fragment)


def _class_escape(escaped: str) -> str:
    # re.escape output is safe inside a character class except for '-', ']' and '^'.
    raw = _unescaped(escaped)
    return "\\" + raw if raw in "-[]^\\&~|" else raw


def trie_branches(words: Iterable[str]) -> list[str]:
    """The top-level alternatives of :func:`trie_regex`, each starting with a literal.

    Python's regex engine skips ahead quickly only when every top-level
    alternative of a pattern starts with a literal character (it then scans
    for that set of characters). Callers that append something to the
    alternation (``\\w*``, ``(?!\\w)``) should append it to each branch and
    join the branches with ``|`` at the top level, rather than wrap the
    alternation in a group.

    Parameters
    ----------
    words : iterable of str

    Returns
    -------
    list of str
        One pattern per distinct first character; empty for no words.
    """
    by_first: dict[str, list[str]] = {}
    for word in words:
        if word:
            by_first.setdefault(word[0], []).append(word[1:])
    branches = []
    for first, rests in sorted(by_first.items()):
        tails = [r for r in rests if r]
        rest = trie_regex(tails) if tails else ""
        if tails and "" in rests:
            rest = f"(?:{rest})?"
        branches.append(re.escape(first) + rest)
    return branches


def trie_with_endings(items: Iterable[tuple[str, str]]) -> str:
    """Like :func:`trie_regex`, with a pattern required where each word ends.

    Parameters
    ----------
    items : iterable of (str, str)
        ``(literal, ending)``: the literal text, then a regex fragment
        that must match after it (a lookbehind, a character class, or the
        empty string for none).

    Returns
    -------
    str
        A pattern matching any ``literal`` followed by its ``ending``.
    """
    root: dict = {}
    for literal, ending in items:
        node = root
        for ch in literal:
            node = node.setdefault(ch, {})
        node.setdefault(_END, set()).add(ending)
    if not root:
        return "(?!)"
    return _ending_node_regex(root)


def _ending_node_regex(node: dict) -> str:
    return _fold_post_order(node, _combine_with_endings)


def _combine_with_endings(node: dict, out: dict[int, str]) -> str:
    alternatives = [re.escape(key) + out[id(child)] for key, child in sorted(node.items()) if key != _END]
    endings = sorted(node.get(_END, ()))
    if "" in endings:
        endings = [""]  # an unconditional end makes the others redundant
    alternatives += endings
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
