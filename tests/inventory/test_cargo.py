"""Cargo.toml: crates and the accelerator features they are built with."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockin.inventory.cargo import read_cargo_toml
from lockin.records import InputError

FIXTURE = Path(__file__).parents[1] / "fixtures" / "languages" / "rust-server" / "Cargo.toml"


def packages(result):
    return [(e.name, e.line, e.spec) for e in result.evidence]


def test_dependency_tables_renames_targets_and_features():
    result = read_cargo_toml(FIXTURE.read_text(), "Cargo.toml")
    assert result.problems == []
    assert packages(result) == [
        ("cudarc", 7, "0.12"),
        ("candle-core", 8, "0.8"),
        ("nvml-wrapper", 9, "0.10"),
        ("serde", 10, "1"),  # serde[derive] is no accelerator feature: not a component of its own
        ("nvml-wrapper-sys", 11, "0.8"),  # a renamed dependency is its crate
        ("tokio", 13, "1"),  # [dependencies.tokio] table: its header line
        ("hip-runtime-sys", 17, "0.1"),  # a target-specific table
        ("candle-core[cuda]", 21, ""),  # the manifest's own feature turns on candle's CUDA back end
    ]
    assert {e.ecosystem for e in result.evidence} == {"cargo"}


def test_enabled_accelerator_features_are_evidence_at_their_line():
    text = '[dependencies]\ncandle-core = { version = "0.8", features = [\n  "mkl",\n  "cuda",\n] }\n'
    assert packages(read_cargo_toml(text, "Cargo.toml")) == [("candle-core", 2, "0.8"), ("candle-core[cuda]", 4, "0.8")]


def test_workspace_dependencies_are_read_and_a_bad_value_is_a_problem_with_its_line():
    text = '[workspace.dependencies]\ncudarc = "0.12"\nbroken = 3\n'
    result = read_cargo_toml(text, "Cargo.toml")
    assert packages(result) == [("cudarc", 2, "0.12")]
    assert [(p.line, p.message) for p in result.problems] == [(3, "dependency 'broken' must be a version string or a table, found int")]


def test_invalid_toml_is_an_input_error_naming_the_line():
    with pytest.raises(InputError) as caught:
        read_cargo_toml('[dependencies]\ncudarc = "0.12\n', "Cargo.toml")
    assert caught.value.problem.line == 2


def test_lock_file_names_every_resolved_crate_at_its_name_line():
    from lockin.inventory.cargo import read_cargo_lock

    result = read_cargo_lock((FIXTURE.parent / "Cargo.lock").read_text(), "Cargo.lock")
    assert packages(result) == [("cudarc", 6, "0.12.1"), ("gpu-server", 14, "0.1.0"), ("libloading", 18, "0.8.5")]
    assert result.problems == []
