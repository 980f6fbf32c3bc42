"""Rust sources: use paths and vendor tools started with Command::new."""

from __future__ import annotations

from pathlib import Path

from lockin.source.rust import scan_rust

FIXTURE = Path(__file__).parents[1] / "fixtures" / "languages" / "rust-server" / "src" / "main.rs"


def evidence(result, kind):
    return [(e.name, e.line, e.ecosystem) for e in result.evidence if e.kind == kind]


def test_use_trees_are_expanded_and_comments_are_skipped():
    result = scan_rust(FIXTURE.read_text(), "main.rs")
    assert evidence(result, "module") == [
        ("std::process::Command", 2, "rust"),
        ("cudarc::driver::CudaDevice", 4, "rust"),
        ("cudarc::driver::LaunchConfig", 4, "rust"),
        ("cudarc::nvrtc", 4, "rust"),  # {self, …}
        ("cudarc::nvrtc::compile_ptx", 4, "rust"),
        ("nvml_wrapper::Nvml", 5, "rust"),  # 'as Management' is only a local name
    ]
    assert result.problems == []


def test_programs_started_with_command_new_are_tools_and_raw_strings_are_not():
    result = scan_rust(FIXTURE.read_text(), "main.rs")
    # nvcc appears only inside a raw string; rocm-smi is given by its full path.
    assert evidence(result, "api") == [("nvidia-smi", 10, "tool"), ("rocm-smi", 13, "tool")]


def test_glob_uses_extern_crate_and_multi_line_groups():
    text = "extern crate cust;\nuse candle_core::cuda_backend::*;\nuse nvml_wrapper::{\n    Nvml,\n    enum_wrappers::device::Clock,\n};\nfn main() { let x = 'a'; let y: &'static str = \"use fake::x;\"; }\n"
    result = scan_rust(text, "lib.rs")
    assert evidence(result, "module") == [
        ("cust", 1, "rust"),
        ("candle_core::cuda_backend", 2, "rust"),
        ("nvml_wrapper::Nvml", 4, "rust"),
        ("nvml_wrapper::enum_wrappers::device::Clock", 5, "rust"),
    ]


def test_a_use_never_ended_is_a_problem_naming_its_line():
    result = scan_rust("fn main() {}\nuse cudarc::driver\n", "lib.rs")
    assert [(p.line, p.message) for p in result.problems] == [(2, "'use' declaration never ended by ';'")]
