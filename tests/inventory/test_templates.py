"""Tests for Helm/Jinja templates and Helm values (lockin.inventory.templates)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockin.inventory.templates import PLACEHOLDER, blank_template, read_helm_values, read_template
from lockin.records import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "templates"


def found(result):
    return [(e.kind, e.name, e.line) for e in result.evidence]


def test_blanking_keeps_line_numbers_and_values():
    text = '{{- if .Values.x }}\nimage: "{{ .Values.repo }}:1"\n{{- include "a"\n  (dict) }}\nkind: Pod\n'
    blanked = blank_template(text)
    assert blanked.split("\n") == ["", f'image: "{PLACEHOLDER}:1"', "", "", "kind: Pod", ""]


def test_helm_template_is_read_as_manifests():
    path = "chart/templates/daemonset.yaml"
    result = read_template((FIXTURES / path).read_text(), path)
    assert found(result) == [
        ("cluster", "runtimeClass=nvidia", 11),
        ("cluster", "toleration=nvidia.com/gpu", 17),
        ("image", "nvcr.io/nvidia/k8s-device-plugin:{{…}}", 21),
        ("env", "NVIDIA_VISIBLE_DEVICES", 23),
        ("cluster", "nvidia.com/gpu", 27),
    ]  # the sidecar's image is computed by the template: not evidence
    assert result.problems == []


def test_jinja_yaml_template_with_statements_inside_lines_and_operator_images():
    result = read_template((FIXTURES / "operator-policy.yaml.j2").read_text(), "roles/x/templates/operator-policy.yaml.j2")
    assert found(result) == [("image", "nvcr.io/nvidia/mellanox/plugins:{{…}}", 8)]
    assert result.problems == []


def test_helm_values_images_resources_and_affinity():
    result = read_helm_values((FIXTURES / "chart" / "values.yaml").read_text(), "chart/values.yaml")
    assert found(result) == [
        ("image", "nvcr.io/nvidia/k8s-device-plugin:v0.17.0", 2),
        ("cluster", "nvidia.com/gpu", 6),
        ("cluster", "feature.node.kubernetes.io/pci-10de.present=true", 14),
    ]


def test_template_of_other_files_is_read_by_their_reader():
    assert found(read_template("#!/bin/bash\nnvidia-smi -i {{ gpu }}\n", "templates/clocks.sh.j2")) == [("api", "nvidia-smi", 2)]
    assert found(read_template("FROM {{ base }}\nRUN pip install cupy-cuda12x\n", "Dockerfile.j2")) == [("package", "cupy-cuda12x", 2)]
    assert read_template("{{ x }}\n", "templates/gres.conf.j2").evidence == []


def test_template_still_invalid_names_file_and_line():
    with pytest.raises(InputError) as caught:
        read_template("kind: Pod\nspec: [\n  a: b\n", "chart/templates/bad.yaml")
    assert caught.value.problem.path == "chart/templates/bad.yaml" and caught.value.problem.line is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["{{", "}}", "{%", "%}", "{#", "#}", "-", " ", "\n", "a:", "image: x", "  ", "'", '"']), max_size=40))
def test_arbitrary_templates_never_raise_anything_but_input_error(pieces):
    text = "".join(pieces)
    assert blank_template(text).count("\n") == text.count("\n")
    try:
        read_template(text, "templates/x.yaml")
    except InputError:
        pass


def test_chart_dependencies_are_helm_packages():
    from lockin.inventory.templates import read_helm_chart

    result = read_helm_chart((FIXTURES / "chart" / "Chart.yaml").read_text(), "chart/Chart.yaml")
    assert [(e.kind, e.name, e.line, e.ecosystem, e.spec) for e in result.evidence] == [
        ("package", "nvidia/gpu-operator", 5, "helm", "v24.9.0"),
        ("package", "node-feature-discovery", 8, "helm", "0.17.1"),
        ("index", "https://kubernetes-sigs.github.io/node-feature-discovery/charts", 11, "helm", ""),
    ]
