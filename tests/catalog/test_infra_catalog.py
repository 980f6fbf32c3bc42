"""The infrastructure rows (data/catalog/infra.csv) match what the Makefile,
shell-script, Ansible and Helm readers emit, with the verdicts they should have."""

from __future__ import annotations

import pytest

from lockin.catalog import load_catalog
from lockin.inventory.ansible import read_ansible
from lockin.inventory.makefile import read_makefile


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize(
    ("kind", "name", "ecosystem", "vendor", "towards_amd"),
    [
        ("build", "link=cudart", "make", "nvidia", "translatable"),
        ("build", "link=cublasLt", "make", "nvidia", "translatable"),
        ("build", "link=nccl", "shell", "nvidia", "translatable"),
        ("build", "link=cudnn", "make", "nvidia", "replaceable"),
        ("build", "link=nvidia-ml", "make", "nvidia", "replaceable"),
        ("build", "link=rocblas", "make", "amd", None),
        ("index", "https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64", "deb", "nvidia", "replaceable"),
        ("index", "https://nvidia.github.io/libnvidia-container", "rpm", "nvidia", "replaceable"),
        ("index", "https://repo.download.nvidia.com/baseos/ubuntu/noble", "deb", "nvidia", "rewrite"),
        ("index", "https://helm.ngc.nvidia.com/nvidia", "helm", "nvidia", "replaceable"),
        ("package", "nvidia/gpu-operator", "helm", "nvidia", "replaceable"),
        ("package", "nvdp/nvidia-device-plugin", "helm", "nvidia", "replaceable"),
        ("package", "nvidia.nvidia_driver", "ansible", "nvidia", "replaceable"),
        ("package", "nvidia_cuda", "ansible", "nvidia", "replaceable"),
        ("package", "nvidia-gpu-operator", "ansible", "nvidia", "replaceable"),
        # The (Mellanox) network operator serves any GPU: no lock-in although its name says NVIDIA.
        ("package", "nvidia-network-operator", "ansible", "neutral", "portable"),
    ],
)
def test_infrastructure_rows(catalog, kind, name, ecosystem, vendor, towards_amd):
    row = catalog.lookup(kind, name, ecosystem)
    assert row is not None and row.vendor == vendor
    assert row.verdicts.get("amd", (None,))[0] == towards_amd
    assert "http" in row.source


@pytest.mark.parametrize(("name", "ecosystem"), [("link=m", "make"), ("link=pthread", "make"), ("geerlingguy.ntp", "ansible"), ("common", "ansible")])
def test_neutral_names_have_no_row(catalog, name, ecosystem):
    kind = "build" if name.startswith("link=") else "package"
    assert catalog.lookup(kind, name, ecosystem) is None


def test_reader_names_meet_rows():
    # What the readers emit is what the rows match (no spelling drift between them).
    catalog = load_catalog()
    makefile = read_makefile("LDLIBS = -lcudart -lcublas -lm\n", "Makefile")
    assert [catalog.lookup(e.kind, e.name, e.ecosystem) is not None for e in makefile.evidence] == [True, True]
    role = read_ansible("- hosts: all\n  roles:\n    - nvidia.nvidia_driver\n", "site.yml")
    assert catalog.lookup(role.evidence[0].kind, role.evidence[0].name, role.evidence[0].ecosystem).family == "gpu-driver"
