"""go.mod and vendor/modules.txt: Go module requirements as package components."""

from __future__ import annotations

from pathlib import Path

from lockin.inventory.gomod import read_go_mod, read_vendor_modules

FIXTURE = Path(__file__).parents[1] / "fixtures" / "languages" / "go-plugin"


def packages(result):
    return [(e.name, e.line, e.spec) for e in result.evidence if e.kind == "package"]


def test_requirements_in_blocks_and_single_lines_keep_their_lines():
    result = read_go_mod((FIXTURE / "go.mod").read_text(), "go.mod")
    assert result.problems == []
    assert packages(result) == [
        ("github.com/NVIDIA/go-nvml", 6, "v0.12.4-1"),
        ("github.com/NVIDIA/go-nvlib", 7, "v0.7.0"),  # a trailing comment is not part of the version
        ("k8s.io/klog/v2", 8, "v2.130.1"),
        ("github.com/google/uuid", 11, "v1.6.0"),
        ("github.com/example/go-gpuallocator", 13, "v0.5.1"),  # what replace substitutes is what is built
    ]
    assert {e.ecosystem for e in result.evidence} == {"go"}


def test_a_local_replacement_is_no_module_and_quoted_paths_are_read():
    text = 'module x\n\nrequire "github.com/NVIDIA/go-nvml" v0.12.0\nreplace github.com/NVIDIA/go-nvml => ../go-nvml\n'
    assert packages(read_go_mod(text, "go.mod")) == [("github.com/NVIDIA/go-nvml", 3, "v0.12.0")]


def test_bad_lines_are_problems_naming_the_line_and_the_rest_is_read():
    text = "module x\n\nrequire (\n\tgithub.com/NVIDIA/go-nvml\n)\nfrobnicate y\nrequire (\n\tk8s.io/klog/v2 v2.1.0\n"
    result = read_go_mod(text, "go.mod")
    assert packages(result) == [("k8s.io/klog/v2", 8, "v2.1.0")]
    problems = [(p.path, p.line) for p in result.problems]
    assert problems == [("go.mod", 4), ("go.mod", 6), ("go.mod", 7)]
    assert "never closed" in result.problems[-1].message


def test_vendor_list_names_each_vendored_module_once():
    result = read_vendor_modules((FIXTURE / "vendor" / "modules.txt").read_text(), "vendor/modules.txt")
    assert packages(result) == [
        ("github.com/NVIDIA/go-nvlib", 1, "v0.7.0"),
        ("github.com/NVIDIA/go-nvml", 4, "v0.12.4-1"),
        ("github.com/example/go-gpuallocator", 7, "v0.5.1"),
    ]
