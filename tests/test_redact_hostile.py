"""Redaction of hostile component names and specs (issue 18): cut as
evidence lines are before any pattern runs, and no credential half-shown."""

from __future__ import annotations

from lockin.redact import MASK, MAX_SHOWN_CHARS, clip, redact_component


def test_a_huge_component_name_is_cut_before_redaction():
    # 'git+https://github.' + 'a-' * 8000 took 2.4 s in redact when it was quadratic.
    name = "git+https://github." + "a-" * 100_000
    shown, spec, evidence = redact_component("package", name, "==1 " + "b " * 100_000, name[:240])
    assert shown == "…"
    assert len(spec) <= MAX_SHOWN_CHARS and spec.startswith("==1 b b") and spec.endswith(" …")
    assert evidence == name[:240]


def test_a_cut_never_leaves_part_of_a_credential():
    url = "https://ci:" + "p" * 400 + "@pypi.example.com/simple"
    shown, _, _ = redact_component("index", url, "", url[:240])
    assert "pp" not in shown


def test_a_secret_value_longer_than_its_evidence_line_is_masked_where_the_line_cuts_it():
    line = ("ENV HF_TOKEN=" + "x" * 300)[:240]
    assert redact_component("env", "HF_TOKEN", "x" * 300, line) == ("HF_TOKEN", MASK, "ENV HF_TOKEN=" + MASK)


def test_short_text_is_not_cut():
    assert clip("torch==2.3.1") == "torch==2.3.1"
    assert clip("a" * MAX_SHOWN_CHARS) == "a" * MAX_SHOWN_CHARS
