"""Tests of the word-list → regex compiler (lockin.source.trie)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lockin.source.trie import trie_branches, trie_regex, trie_with_endings

words = st.lists(st.text(st.sampled_from(list("cuda_:.-[]^\\*?+()|$ab")), min_size=1, max_size=8), max_size=40)


@settings(max_examples=300)
@given(words, st.text(st.sampled_from(list("cuda_:.-[]^\\*?+()|$ab")), max_size=8))
def test_trie_regex_matches_exactly_the_words(word_list, probe):
    pattern = re.compile(trie_regex(word_list))
    for word in word_list:
        assert pattern.fullmatch(word)
    assert bool(pattern.fullmatch(probe)) == (probe in word_list)


@settings(max_examples=200)
@given(words, st.text(st.sampled_from(list("cuda_:.-ab")), max_size=8))
def test_branches_start_with_a_literal_and_match_the_same_words(word_list, probe):
    branches = trie_branches(word_list)
    assert len(branches) == len({w[0] for w in word_list})
    joined = re.compile("|".join(branches)) if branches else None
    for word in word_list:
        assert joined.fullmatch(word)
    assert bool(joined and joined.fullmatch(probe)) == (probe in word_list)
    for branch in branches:
        parsed = re.compile(branch)
        assert parsed.pattern[0] != "(" and parsed.pattern[0] != "["


def test_longest_word_is_preferred():
    assert re.match(trie_regex(["cuda", "cudaMalloc", "cudaMallocHost"]), "cudaMallocHostX").group() == "cudaMallocHost"


def test_empty_lists():
    assert re.search(trie_regex([]), "anything") is None
    assert trie_branches([]) == []
    assert re.search(trie_with_endings([]), "anything") is None


def test_endings_are_checked_where_words_end():
    pattern = re.compile("u" + trie_with_endings([("da", "(?<=cuda)"), ("", "[A-Z](?<=cu[A-Z])")]))
    assert pattern.search("x = cudaMalloc")
    assert pattern.search("cuLaunch")
    assert pattern.search("nuda") is None
    assert pattern.search("current") is None
