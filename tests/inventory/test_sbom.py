"""Tests for the CycloneDX and SPDX readers (lockin.inventory.sbom)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from lockin.inventory.sbom import read_cyclonedx, read_spdx
from lockin.records import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "platform"


def evidence(result):
    return [(e.kind, e.name, e.line, e.ecosystem, e.spec) for e in result.evidence]


def cyclonedx(components, version="1.5", **extra):
    return json.dumps({"bomFormat": "CycloneDX", "specVersion": version, "version": 1, **extra, "components": components}, indent=2)


# -- CycloneDX 1.5 image SBOM --------------------------------------------------


@pytest.fixture(scope="module")
def image_sbom():
    return read_cyclonedx((FIXTURES / "pytorch-image.cdx.json").read_text(), "pytorch-image.cdx.json")


def test_image_sbom_subject_image_without_credentials(image_sbom):
    assert evidence(image_sbom)[0] == ("image", "nvcr.io/nvidia/pytorch:24.05-py3", 24, "docker", "24.05-py3")
    assert not any("glpat" in e.name or "ci-bot" in e.name for e in image_sbom.evidence)


def test_image_sbom_pypi_names_are_normalised_with_local_versions(image_sbom):
    found = evidence(image_sbom)
    assert ("package", "torch", 33, "pypi", "2.3.0a0+6ddf5cf85e") in found
    assert ("package", "local-version:6ddf5cf85e", 33, "pypi", "2.3.0a0+6ddf5cf85e") in found
    assert ("package", "nvidia-cublas-cu12", 40, "pypi", "12.4.5.8") in found
    assert ("package", "flash-attn", 47, "pypi", "2.4.2") in found


def test_image_sbom_deb_packages_including_nested_components(image_sbom):
    found = evidence(image_sbom)
    assert ("package", "cuda-toolkit-12-4", 54, "deb", "12.4.1-1") in found
    assert ("package", "libcudnn9-cuda-12", 60, "deb", "9.1.0.70-1") in found
    assert ("package", "libnccl2", 68, "deb", "2.21.5-1+cuda12.4") in found


def test_image_sbom_component_without_purl_is_generic_and_files_are_skipped(image_sbom):
    found = evidence(image_sbom)
    assert ("package", "TensorRT", 78, "generic", "10.0.1") in found
    assert not any("libcudart.so" in e[1] for e in found)


def test_image_sbom_oci_purl_uses_repository_url_and_tag(image_sbom):
    assert ("image", "nvcr.io/nvidia/cuda:12.4.1-devel-ubuntu22.04", 89, "docker", "12.4.1-devel-ubuntu22.04") in evidence(image_sbom)


def test_image_sbom_bad_purl_is_a_problem_naming_the_component(image_sbom):
    assert [(p.line, "broken-thing" in p.message) for p in image_sbom.problems] == [(74, True)]
    assert not any(e[1] == "broken-thing" for e in evidence(image_sbom))


def test_image_sbom_metadata_tools_are_not_components(image_sbom):
    assert not any(e.name == "syft" for e in image_sbom.evidence)


# -- CycloneDX 1.4 and 1.6 -----------------------------------------------------


def test_cyclonedx_1_4_duplicates_get_successive_lines_and_conda_channel():
    result = read_cyclonedx((FIXTURES / "rocm-service.cdx-1.4.json").read_text(), "bom.json")
    assert evidence(result) == [
        ("package", "torch", 11, "pypi", "2.3.1+rocm6.0"),
        ("package", "local-version:rocm6.0", 11, "pypi", "2.3.1+rocm6.0"),
        ("package", "pytorch-triton-rocm", 12, "pypi", "2.3.1"),
        ("package", "pytorch-cuda", 13, "conda", "12.1"),
        ("index", "nvidia", 13, "conda", ""),
        ("package", "torch", 14, "pypi", "2.3.1+rocm6.0"),
        ("package", "local-version:rocm6.0", 14, "pypi", "2.3.1+rocm6.0"),
    ]
    # The application the SBOM describes is not one of its own dependencies.
    assert not any(e.name == "inference-service" for e in result.evidence)


def test_cyclonedx_1_6_container_subject_npm_namespace_and_rpm():
    result = read_cyclonedx((FIXTURES / "edge-node.cdx-1.6.json").read_text(), "bom.json")
    assert evidence(result) == [
        ("image", "registry.example.com/ml/edge-runtime:latest", 10, "docker", "latest"),
        ("package", "onnxruntime-gpu", 19, "pypi", "1.18.0"),
        ("package", "intel-extension-for-pytorch", 25, "pypi", "2.3.110+xpu"),
        ("package", "local-version:xpu", 25, "pypi", "2.3.110+xpu"),
        ("package", "@tensorflow/tfjs-node-gpu", 32, "npm", "4.20.0"),
        ("package", "cuda-cudart-12-4", 38, "rpm", "12.4.127-1"),
    ]
    assert result.problems == []


# -- SPDX ----------------------------------------------------------------------


def test_spdx_2_3_purls_and_fallback():
    result = read_spdx((FIXTURES / "training-image.spdx.json").read_text(), "sbom.spdx.json")
    assert evidence(result) == [
        ("image", "nvcr.io/nvidia/pytorch:24.05-py3", 21, "docker", "24.05-py3"),
        ("package", "cupy-cuda12x", 39, "pypi", "13.1.0"),
        ("package", "libcublas-12-4", 52, "deb", "12.4.5.8-1"),
        ("package", "nccl-tests", 57, "generic", "2.13.9"),
    ]


def test_spdx_2_2_is_accepted_and_2_1_is_not():
    document = {"spdxVersion": "SPDX-2.2", "packages": [{"name": "cudnn", "versionInfo": "8.9"}]}
    assert evidence(read_spdx(json.dumps(document), "x.spdx.json")) == [("package", "cudnn", 1, "generic", "8.9")]
    document["spdxVersion"] = "SPDX-2.1"
    with pytest.raises(InputError) as info:
        read_spdx(json.dumps(document, indent=1), "x.spdx.json")
    assert "SPDX-2.1" in info.value.problem.message
    assert info.value.problem.line == 2


# -- malformed -----------------------------------------------------------------


def test_bad_json_is_input_error_with_line():
    text = '{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.5",\n  "components": [\n    {"name": "x",}\n  ]\n}\n'
    with pytest.raises(InputError) as info:
        read_cyclonedx(text, "bom.json")
    assert info.value.problem.line == 5
    assert "invalid JSON" in info.value.problem.message


@pytest.mark.parametrize("version", ["1.3", "2.0", None, 1.5])
def test_unsupported_cyclonedx_version_names_what_was_found(version):
    text = cyclonedx([], version=version)
    with pytest.raises(InputError) as info:
        read_cyclonedx(text, "bom.json")
    assert repr(version) in info.value.problem.message
    assert "1.4, 1.5, 1.6, 1.7" in info.value.problem.message
    assert info.value.problem.line == 3


def test_not_cyclonedx_is_input_error():
    with pytest.raises(InputError) as info:
        read_cyclonedx('{"bomFormat": "SPDX", "specVersion": "1.5"}', "bom.json")
    assert "'SPDX'" in info.value.problem.message
    with pytest.raises(InputError):
        read_cyclonedx("[1, 2]", "bom.json")


def test_component_of_wrong_shape_and_components_not_a_list():
    result = read_cyclonedx(cyclonedx(["just a string", {"name": "ok", "version": "1"}]), "bom.json")
    assert len(result.problems) == 1
    assert [e.name for e in result.evidence] == ["ok"]
    text = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {"a": 1}})
    assert len(read_cyclonedx(text, "bom.json").problems) == 1


def test_purl_qualifier_credentials_never_reach_names_or_problems():
    purl = "pkg:docker/ml/trainer@1.0?repository_url=https%3A%2F%2Fbot%3Ahunter2%40registry.example.com"
    result = read_cyclonedx(cyclonedx([{"name": "trainer", "purl": purl}, {"name": "bad", "purl": "pkg:/x?repository_url=bot:hunter2@r"}]), "bom.json")
    assert [e.name for e in result.evidence] == ["registry.example.com/ml/trainer:1.0"]
    assert len(result.problems) == 1
    assert "hunter2" not in str(result.problems[0])


# -- properties ------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises_anything_but_input_error(text):
    for reader in (read_cyclonedx, read_spdx):
        try:
            reader(text, "bom.json")
        except InputError:
            pass


_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
_json = st.recursive(_json_scalar, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.lists(_json, max_size=5), st.sampled_from(["1.4", "1.5", "1.6", "1.7"]))
def test_arbitrary_components_never_raise(components, version):
    read_cyclonedx(cyclonedx(components, version=version), "bom.json")
    read_spdx(json.dumps({"spdxVersion": "SPDX-2.3", "packages": components}), "x.spdx.json")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries({"name": st.text(max_size=15), "purl": st.text(max_size=30)}), max_size=5))
def test_arbitrary_purl_strings_are_problems_not_crashes(components):
    result = read_cyclonedx(cyclonedx(components), "bom.json")
    assert len(result.problems) <= len(components)


_pypi_name = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,6}([-_.][A-Za-z0-9]{1,4})?", fullmatch=True)
_version = st.from_regex(r"[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,2})?", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_pypi_name, _version), min_size=1, max_size=6), st.booleans(), st.integers(0, 4))
def test_generated_sboms_give_names_and_purl_lines_back(packages, nested, indent):
    components = [{"type": "library", "name": n, "version": v, "purl": f"pkg:pypi/{n}@{v}"} for n, v in packages]
    if nested and len(components) > 1:
        components = [{**components[0], "components": components[1:]}]
    text = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components}, indent=indent or None)
    lines = text.split("\n")
    result = read_cyclonedx(text, "bom.json")
    got = [(e.name, e.spec, e.line) for e in result.evidence]
    expected_lines: dict[str, list[int]] = {}
    for number, line in enumerate(lines, start=1):
        for name, version in dict.fromkeys(packages):
            needle = f'"purl": "pkg:pypi/{name}@{version}"'
            for _ in range(line.count(needle)):
                expected_lines.setdefault(needle, []).append(number)
    expected = []
    for name, version in packages:
        needle = f'"purl": "pkg:pypi/{name}@{version}"'
        expected.append((str(canonicalize_name(name)), version, expected_lines[needle].pop(0)))
    assert got == expected


def test_cyclonedx_1_7_components_are_read():
    text = cyclonedx([{"type": "library", "name": "cupy-cuda12x", "version": "13.3.0", "purl": "pkg:pypi/cupy-cuda12x@13.3.0"}], version="1.7")
    (evidence,) = read_cyclonedx(text, "bom.json").evidence
    assert (evidence.kind, evidence.name, evidence.ecosystem, evidence.spec) == ("package", "cupy-cuda12x", "pypi", "13.3.0")
    assert evidence.line == text.splitlines().index('      "purl": "pkg:pypi/cupy-cuda12x@13.3.0"') + 1
