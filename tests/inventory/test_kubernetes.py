"""Tests for the Kubernetes manifest reader (lockin.inventory.kubernetes)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockin.inventory.kubernetes import is_extended_resource, read_kubernetes
from lockin.records import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "platform"


def evidence(result):
    return {(e.kind, e.name, e.line, e.ecosystem, e.spec) for e in result.evidence}


@pytest.fixture(scope="module")
def helm():
    return read_kubernetes((FIXTURES / "helm-rendered.yaml").read_text(), "helm-rendered.yaml")


def test_helm_extended_resources_in_limits_and_requests(helm):
    found = evidence(helm)
    assert ("cluster", "nvidia.com/gpu", 96, "k8s", "1") in found
    assert ("cluster", "nvidia.com/gpu", 101, "k8s", "1") in found
    # cpu, memory, hugepages and a PVC's storage are Kubernetes' own resources.
    assert not any(name in ("cpu", "memory", "hugepages-2Mi", "storage") for _, name, *_ in found)


def test_helm_node_selector_and_runtime_class(helm):
    found = evidence(helm)
    assert ("cluster", "nvidia.com/gpu.product=NVIDIA-H100-80GB-HBM3", 36, "k8s", "NVIDIA-H100-80GB-HBM3") in found
    assert ("cluster", "runtimeClass=nvidia", 34, "k8s", "") in found
    # The RuntimeClass object's handler.
    assert ("cluster", "runtimeClass=nvidia", 13, "k8s", "") in found


def test_helm_node_affinity_expressions(helm):
    found = evidence(helm)
    assert ("cluster", "cloud.google.com/gke-accelerator=nvidia-h100-80gb", 46, "k8s", "nvidia-h100-80gb") in found
    assert ("cluster", "cloud.google.com/gke-accelerator=nvidia-tesla-a100", 47, "k8s", "nvidia-tesla-a100") in found
    assert ("cluster", "nvidia.com/gpu.present", 48, "k8s", "") in found  # Exists
    assert ("cluster", "nvidia.com/gpu.memory", 54, "k8s", "Gt 40000") in found
    names = {name for _, name, *_ in found}
    # NotIn keeps pods off nodes; pod anti-affinity selects pods, not nodes.
    assert not any(n.startswith("node.kubernetes.io/lifecycle") for n in names)
    assert not any(n.startswith("app.kubernetes.io/name") for n in names)


def test_helm_tolerations_images_and_env(helm):
    found = evidence(helm)
    assert ("cluster", "toleration=nvidia.com/gpu", 71, "k8s", "") in found
    assert ("image", "busybox:1.36", 77, "docker", "1.36") in found
    assert ("image", "nvcr.io/nvidia/tritonserver:24.05-py3", 81, "docker", "24.05-py3") in found
    assert ("env", "NCCL_DEBUG", 84, "k8s", "INFO") in found
    assert ("env", "CUDA_VISIBLE_DEVICES", 86, "k8s", "0") in found
    assert ("env", "POD_IP", 88, "k8s", "") in found


def test_helm_evidence_text_and_no_problems(helm):
    assert helm.problems == []
    gpu = next(e for e in helm.evidence if e.name == "nvidia.com/gpu")
    assert gpu.text == "nvidia.com/gpu: 1"
    assert [e.line for e in helm.evidence] == sorted(e.line for e in helm.evidence)


def test_pytorchjob_replica_templates():
    result = read_kubernetes((FIXTURES / "pytorchjob.yaml").read_text(), "pytorchjob.yaml")
    found = evidence(result)
    image = "rocm/pytorch:rocm6.2_ubuntu22.04_py3.10_pytorch_release_2.3.0"
    assert {
        ("image", image, 17, "docker", "rocm6.2_ubuntu22.04_py3.10_pytorch_release_2.3.0"),
        ("env", "HIP_VISIBLE_DEVICES", 19, "k8s", "0,1,2,3,4,5,6,7"),
        ("cluster", "amd.com/gpu", 23, "k8s", "8"),
        ("cluster", "amd.com/gpu.product-name=AMD_Instinct_MI300X_OAM", 30, "k8s", "AMD_Instinct_MI300X_OAM"),
        ("image", image, 33, "docker", "rocm6.2_ubuntu22.04_py3.10_pytorch_release_2.3.0"),
        ("cluster", "amd.com/gpu", 36, "k8s", "8"),
        ("cluster", "rdma/hca_shared_devices_a", 37, "k8s", "1"),
    } == found


def test_list_and_cronjob():
    text = """\
apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly-eval}
    spec:
      schedule: "0 2 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              containers:
                - name: eval
                  image: gcr.io/acme/eval@sha256:0123
                  resources:
                    limits: {google.com/tpu: 4, habana.ai/gaudi: "8", nvidia.com/mig-1g.10gb: 1, gpu.intel.com/i915: 1}
              nodeSelector:
                cloud.google.com/gke-tpu-accelerator: tpu-v5-lite-podslice
"""
    found = evidence(read_kubernetes(text, "list.yaml"))
    assert ("image", "gcr.io/acme/eval:latest", 15, "docker", "latest") in found
    for resource, quantity in (("google.com/tpu", "4"), ("habana.ai/gaudi", "8"), ("nvidia.com/mig-1g.10gb", "1"), ("gpu.intel.com/i915", "1")):
        assert ("cluster", resource, 17, "k8s", quantity) in found
    assert ("cluster", "cloud.google.com/gke-tpu-accelerator=tpu-v5-lite-podslice", 19, "k8s", "tpu-v5-lite-podslice") in found


def test_ray_cluster_crd_is_walked_like_any_pod_template():
    text = """\
apiVersion: ray.io/v1
kind: RayCluster
metadata:
  name: serve
spec:
  headGroupSpec:
    rayStartParams: {num-gpus: "0"}
    template:
      spec:
        containers:
          - name: ray-head
            image: rayproject/ray-ml:2.9.0-gpu
  workerGroupSpecs:
    - groupName: gpu
      template:
        spec:
          containers:
            - name: ray-worker
              image: rayproject/ray-ml:2.9.0-gpu
              resources:
                requests: {nvidia.com/gpu: "2"}
"""
    assert evidence(read_kubernetes(text, "ray.yaml")) == {
        ("image", "rayproject/ray-ml:2.9.0-gpu", 12, "docker", "2.9.0-gpu"),
        ("image", "rayproject/ray-ml:2.9.0-gpu", 19, "docker", "2.9.0-gpu"),
        ("cluster", "nvidia.com/gpu", 21, "k8s", "2"),
    }


def test_yaml_syntax_error_is_input_error_with_line():
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: [unclosed\n"
    with pytest.raises(InputError) as info:
        read_kubernetes(text, "pod.yaml")
    assert info.value.problem.path == "pod.yaml"
    assert info.value.problem.line == 6
    assert "invalid YAML" in info.value.problem.message
    assert "on line 6" in info.value.problem.message


def test_bad_indentation_in_a_later_document_is_input_error():
    text = "kind: Pod\n---\nkind: Pod\nspec:\n  a: 1\n b: 2\n"
    with pytest.raises(InputError) as info:
        read_kubernetes(text, "x.yaml")
    assert info.value.problem.line == 6


def test_document_that_is_not_a_mapping_is_a_problem():
    text = "---\n- just\n- a list\n---\nkind: Pod\nspec:\n  runtimeClassName: nvidia\n---\n# only a comment\n---\nplain scalar\n"
    result = read_kubernetes(text, "x.yaml")
    assert [(p.line, "list" in p.message) for p in result.problems[:1]] == [(2, True)]
    assert [p.line for p in result.problems] == [2, 11]
    assert evidence(result) == {("cluster", "runtimeClass=nvidia", 7, "k8s", "")}


def test_alias_bomb_is_refused_with_its_line():
    # A 'billion laughs' shape: each level refers to the previous one 9 times.
    levels = ["a0: &a0 {resources: {limits: {nvidia.com/gpu: 1}}}"]
    for i in range(1, 12):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        levels.append(f"a{i}: &a{i} [{refs}]")
    with pytest.raises(InputError, match="alias") as caught:
        read_kubernetes("\n".join(levels) + "\n", "bomb.yaml")
    assert caught.value.problem.path == "bomb.yaml"
    assert 1 < caught.value.problem.line <= len(levels)


def test_a_few_shared_anchors_are_read():
    text = "x-gpu: &gpu {limits: {nvidia.com/gpu: 1}}\nkind: Pod\nspec:\n  containers:\n  - resources: *gpu\n  - resources: *gpu\n"
    assert {e.name for e in read_kubernetes(text, "pod.yaml").evidence} == {"nvidia.com/gpu"}


@pytest.mark.parametrize(
    ("name", "extended"),
    [
        ("nvidia.com/gpu", True),
        ("amd.com/gpu", True),
        ("cpu", False),
        ("memory", False),
        ("ephemeral-storage", False),
        ("hugepages-1Gi", False),
        ("kubernetes.io/something", False),
        ("example.kubernetes.io/thing", False),
    ],
)
def test_is_extended_resource(name, extended):
    assert is_extended_resource(name) is extended


# -- properties ------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_never_raises_anything_but_input_error(text):
    try:
        read_kubernetes(text, "x.yaml")
    except InputError:
        pass


_yaml_alphabet = st.sampled_from(list("abc:-[]{}&*!|>'\"#%@`, \n\t?") + ["---\n", "  ", "resources:", "limits:", "nvidia.com/gpu: 1", "- "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_yaml_alphabet, max_size=60).map("".join))
def test_yaml_like_text_never_raises_anything_but_input_error(text):
    try:
        read_kubernetes(text, "x.yaml")
    except InputError:
        pass


_key = st.from_regex(r"[a-z][a-zA-Z]{0,8}", fullmatch=True).filter(
    lambda k: k not in {"name", "resources", "image", "env", "nodeSelector", "nodeAffinity", "tolerations", "runtimeClassName", "kind", "true", "false", "yes", "no", "on", "off", "null"}
)
_RESOURCES = ["nvidia.com/gpu", "amd.com/gpu", "habana.ai/gaudi", "google.com/tpu"]


@st.composite
def _documents_with_resources(draw):
    """Documents with 'resources.limits.<gpu>' planted at random depths."""
    documents = []
    planted = []
    for doc_index in range(draw(st.integers(min_value=1, max_value=3))):
        document: dict = {}
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            node = document
            for key in draw(st.lists(_key, min_size=0, max_size=4)):
                child = node.get(key)
                if not isinstance(child, dict):
                    child = {}
                    node[key] = child
                node = child
            if "resources" in node:
                continue
            resource = draw(st.sampled_from(_RESOURCES))
            count = draw(st.integers(min_value=1, max_value=16))
            marker = f"{doc_index}-{len(planted)}"
            # The container name makes each planted resource findable in the dump.
            node["name"] = f"c{marker.replace('-', 'x')}"
            node["resources"] = {"limits": {"cpu": "2", resource: count}}
            planted.append((node["name"], resource, str(count)))
        if draw(st.booleans()):
            document["filler"] = draw(st.lists(_key, max_size=3))
        documents.append(document)
    return documents, planted


@settings(max_examples=200, deadline=None)
@given(_documents_with_resources(), st.booleans())
def test_generated_resources_come_back_with_exact_lines(generated, helm_style):
    documents, planted = generated
    parts = []
    for index, document in enumerate(documents):
        header = f"# Source: chart/templates/t{index}.yaml\n" if helm_style else ""
        parts.append("---\n" + header + yaml.safe_dump(document, sort_keys=False, default_flow_style=False))
    text = "".join(parts)
    lines = text.split("\n")
    expected = []
    for name, resource, count in planted:
        name_line = lines.index(next(line for line in lines if line.strip() == f"name: {name}"))
        # The resource key is the first line after the name's mapping that spells it.
        resource_line = next(i for i in range(name_line, len(lines)) if lines[i].strip() == f"{resource}: {count}")
        expected.append((resource, resource_line + 1, count))
    result = read_kubernetes(text, "generated.yaml")
    got = [(e.name, e.line, e.spec) for e in result.evidence if e.kind == "cluster"]
    assert sorted(got) == sorted(expected)
    assert result.problems == []


def test_a_request_of_zero_devices_is_no_extended_resource_evidence():
    # A CPU job that pins the device count to zero (so the scheduler never
    # gives it a GPU) asks for no accelerator at all.
    text = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: cpu-only
spec:
  template:
    spec:
      containers:
        - name: train
          image: python:3.12
          resources:
            limits:
              nvidia.com/gpu: 0
              example.com/fpga: "0m"
            requests:
              amd.com/gpu: 1
"""
    found = {(kind, name, line) for kind, name, line, _, _ in evidence(read_kubernetes(text, "job.yaml"))}
    assert found == {("image", "python:3.12", 10), ("cluster", "amd.com/gpu", 16)}
