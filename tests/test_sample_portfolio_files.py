"""Structural truths about the bundled sample portfolio (data/portfolio).

These tests do not run the scanner. They check that the portfolio is what
its README promises: every file the expected-findings checklist names
exists, each listed line really holds the evidence it is listed for (so the
checklist cannot drift from the files), the fake credential is present in
the input (so the redaction tests downstream mean something), and every
file parses as its format.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from checklist import Row, parse_checklist

PORTFOLIO = Path(__file__).resolve().parents[1] / "data" / "portfolio"
README = PORTFOLIO / "README.md"
PROJECTS = ("llm-trainer", "inference-gateway", "rapids-analytics", "tabular-forecaster", "rocm-serving")
FAKE_CREDENTIAL = "ci-bot:s3cr3t-t0ken"


ROWS = parse_checklist(README.read_text(encoding="utf-8"))
EXPECTED = [r for r in ROWS if r.table == "expected"]
MUST_NOT = [r for r in ROWS if r.table == "must-not"]

# What the source text of a line must contain for each construct name.
CONSTRUCT_HINTS = {
    "kernel-launch": r"<<<",
    "inline-ptx": r"\basm\b",
    "inline-gcn-asm": r"\basm\b",
    "warp-size-32": r"\b32\b|>> 5",
    "warp-size-64": r"\b64\b",
    "full-warp-mask": r"0xffffffff",
    "lane-modulo-32": r"% 32|& 31",
    "wmma": r"wmma::",
    "wgmma": r"wgmma",
    "tma": r"CUtensorMap|cp\.async\.bulk|cuTensorMap",
    "thread-block-cluster": r"__cluster_dims__|cluster_group|ClusterDimension",
    "distributed-shared-memory": r"map_shared_rank",
    "cooperative-groups": r"cooperative_groups",
}


def hint(kind: str, name: str) -> str:
    """A regular expression the evidence line must match for (kind, name)."""
    if kind == "construct":
        return CONSTRUCT_HINTS[name]
    if kind == "index" and "://" in name:
        return re.escape(name.split("://", 1)[1])
    if kind == "image":
        return re.escape(name.rsplit(":", 1)[0])
    if kind == "cluster":
        key, _, value = name.partition("=")
        if key in ("gres", "gpus", "constraint", "runtimeClass", "toleration"):
            return re.escape(value)
        # A node label is reported on the line of its key or of its value.
        return "|".join(re.escape(part) for part in (key, value) if part)
    if kind == "module":
        last = re.split(r"[.:=]", name)[-1]
        return re.escape(last)
    if kind == "build" and re.fullmatch(r"arch=(sm|compute)_\d+a?", name):
        # CUDA archs are written sm_90a, compute_90a, 90a or 9.0a.
        number = name.split("_", 1)[1]
        return rf"(?<![\d.])({re.escape(number)}|{re.escape(number[0] + '.' + number[1:])})(?![\w.])"
    if kind == "build":
        return re.escape(re.split(r"[=:]", name)[-1])
    if kind == "package" and name.startswith("local-version:"):
        return re.escape(name.split(":", 1)[1])
    return re.escape(name)


def window(lines: list[str], number: int) -> str:
    """The line and, when it continues (``\\`` or an open ``(``), the next three."""
    text = lines[number - 1]
    if text.rstrip().endswith(("\\", "(")):
        text = "\n".join(lines[number - 1 : number + 3])
    return text


def read_lines(project: str, path: str) -> list[str]:
    return (PORTFOLIO / project / path).read_text(encoding="utf-8").splitlines()


def test_every_project_folder_exists_and_the_manifest_names_each_once_with_scoring_metadata():
    from lockin.scan.discover import find_projects
    from lockin.hardware.specs import load_specs

    found = sorted(p.name for p in PORTFOLIO.iterdir() if p.is_dir())
    assert found == sorted(PROJECTS)
    projects = find_projects(PORTFOLIO)
    assert sorted(p.name for p in projects) == sorted(PROJECTS)
    specs = load_specs()
    for project in projects:
        assert project.root.name == project.name
        specs.resolve(project.meta["accelerator"])
        assert project.meta["gpu_hours_per_month"] >= 0
        assert isinstance(project.meta["workloads"], list)


def test_checklist_covers_every_project_with_expected_and_negative_rows():
    assert {r.project for r in EXPECTED} == set(PROJECTS)
    for project in PROJECTS:
        assert any(r.project == project for r in MUST_NOT), project
    assert len(EXPECTED) > 250


@pytest.mark.parametrize("row", EXPECTED, ids=lambda r: f"{r.project}/{r.path}:{r.line}:{r.name}")
def test_expected_row_points_at_its_evidence(row: Row):
    lines = read_lines(row.project, row.path)
    number = int(row.line)
    assert 1 <= number <= len(lines)
    assert re.search(hint(row.kind, row.name), window(lines, number)), (row, lines[number - 1])


@pytest.mark.parametrize("row", MUST_NOT, ids=lambda r: f"{r.project}/{r.path}:{r.line}:{r.name}")
def test_negative_row_names_a_real_place(row: Row):
    if row.path.startswith("any "):
        return
    lines = read_lines(row.project, row.path)
    if row.line == "all" or "-" in row.line:
        return
    number = int(row.line)
    assert 1 <= number <= len(lines)
    # Where the vendor name is said to sit in a comment or string, it must be there.
    if row.name and re.search(r"comment|string|docstring|log message", row.note):
        for name in row.name.split(", "):
            token = re.split(r"[.:=]", name)[-1]
            assert token in lines[number - 1], (row, lines[number - 1])


def test_fake_credential_is_in_the_input():
    text = (PORTFOLIO / "llm-trainer" / "requirements.txt").read_text(encoding="utf-8")
    assert f"https://{FAKE_CREDENTIAL}@pypi.internal.example.com/simple" in text.splitlines()[3]


def test_fake_credential_appears_nowhere_else():
    # Only one place, so a leak in output can be traced to that one line.
    hits = [p for p in PORTFOLIO.rglob("*") if p.is_file() and "s3cr3t-t0ken" in p.read_text(encoding="utf-8")]
    assert sorted(p.relative_to(PORTFOLIO).as_posix() for p in hits) == ["README.md", "llm-trainer/requirements.txt"]


def test_every_python_file_parses():
    files = sorted(PORTFOLIO.rglob("*.py"))
    assert len(files) >= 15
    for path in files:
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _manifests() -> list[Path]:
    return sorted(p for p in PORTFOLIO.rglob("*.yaml") if "apiVersion" in p.read_text(encoding="utf-8"))


def test_kubernetes_manifests_parse_and_have_kinds():
    manifests = _manifests()
    assert {p.relative_to(PORTFOLIO).parts[0] for p in manifests} == set(PROJECTS) - {"rapids-analytics"}
    for path in manifests:
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
        assert docs, path
        for doc in docs:
            assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"], path


def _resources(doc: object) -> list[dict]:
    found = []
    if isinstance(doc, dict):
        if "resources" in doc and isinstance(doc["resources"], dict):
            found.append(doc["resources"])
        for value in doc.values():
            found += _resources(value)
    elif isinstance(doc, list):
        for value in doc:
            found += _resources(value)
    return found


def test_gpu_requests_are_where_the_readme_says():
    def keys(project: str) -> set[str]:
        out: set[str] = set()
        for path in (PORTFOLIO / project).rglob("*.yaml"):
            for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                for res in _resources(doc):
                    for part in res.values():
                        out |= set(part)
        return out

    assert "nvidia.com/gpu" in keys("llm-trainer")
    assert "nvidia.com/gpu" in keys("inference-gateway")
    assert "amd.com/gpu" in keys("rocm-serving")
    assert keys("tabular-forecaster") == {"cpu", "memory"}


def test_pyproject_is_pep621():
    data = tomllib.loads((PORTFOLIO / "inference-gateway" / "pyproject.toml").read_text(encoding="utf-8"))
    deps = data["project"]["dependencies"]
    assert any(d.startswith("tensorrt") for d in deps)
    assert any(d.startswith("onnxruntime-gpu") for d in deps)
    assert data["tool"]["uv"]["index"][0]["url"] == "https://pypi.nvidia.com"


def test_sbom_is_cyclonedx_15_with_purls():
    bom = json.loads((PORTFOLIO / "rapids-analytics" / "sbom.cdx.json").read_text(encoding="utf-8"))
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.5"
    purls = [c["purl"] for c in bom["components"]]
    assert all(re.match(r"pkg:(pypi|conda|deb)/", p) for p in purls)
    # purl spec: conda purls have no namespace.
    assert all(p.count("/") == 1 for p in purls if p.startswith("pkg:conda/"))
    assert {p.split(":")[1].split("/")[0] for p in purls} == {"pypi", "conda", "deb"}


def test_conda_environment_and_export():
    env = yaml.safe_load((PORTFOLIO / "rapids-analytics" / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["rapidsai", "nvidia", "conda-forge"]
    deps = env["dependencies"]
    assert "cudf=24.08" in deps and "cuda-version=12.5" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "--extra-index-url https://pypi.nvidia.com" in pip
    export = (PORTFOLIO / "rapids-analytics" / "conda-linux-64.txt").read_text(encoding="utf-8").splitlines()
    assert export[0].startswith("# This file may be used to create an environment")
    assert "# platform: linux-64" in export
    for line in export:
        assert line.startswith("#") or re.fullmatch(r"[a-z0-9_][a-z0-9_.-]*=[^=\s]+=[^=\s]+", line), line


def test_dockerfiles_start_from_the_expected_images():
    expected = {
        "llm-trainer/Dockerfile": "nvcr.io/nvidia/pytorch:${PYTORCH_TAG}",
        "inference-gateway/Dockerfile": "nvcr.io/nvidia/tritonserver:24.05-py3",
        "inference-gateway/Dockerfile.plugin": "nvcr.io/nvidia/tensorrt:24.05-py3",
        "rapids-analytics/Dockerfile": "nvcr.io/nvidia/rapidsai/base:24.08-cuda12.5-py3.11",
        "tabular-forecaster/Dockerfile": "python:3.11-slim",
        "rocm-serving/Dockerfile": "rocm/vllm:${VLLM_IMAGE_TAG}",
        "rocm-serving/Dockerfile.kernels": "rocm/dev-ubuntu-22.04:6.1.2",
    }
    for rel, image in expected.items():
        froms = [l.split()[1] for l in (PORTFOLIO / rel).read_text(encoding="utf-8").splitlines() if l.startswith("FROM ")]
        assert image in froms, rel


def test_slurm_scripts_request_the_gpus():
    train = (PORTFOLIO / "llm-trainer" / "slurm" / "train.sbatch").read_text(encoding="utf-8")
    bench = (PORTFOLIO / "rocm-serving" / "slurm" / "bench.sbatch").read_text(encoding="utf-8")
    assert "#SBATCH --gres=gpu:h100:8" in train.splitlines()
    assert "#SBATCH --gres=gpu:mi300x:8" in bench.splitlines()


def test_clean_project_has_no_vendor_package_or_gpu_request():
    reqs = (PORTFOLIO / "tabular-forecaster" / "requirements.txt").read_text(encoding="utf-8")
    names = [l.split("=")[0].split(">")[0] for l in reqs.splitlines() if l and not l.startswith("#")]
    assert names and not [n for n in names if re.search(r"nvidia|cuda|cu1\d|rocm|tensorrt", n)]
    code = "\n".join(p.read_text(encoding="utf-8") for p in (PORTFOLIO / "tabular-forecaster").rglob("*.py"))
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            assert not [m for m in modules if re.match(r"torch|cupy|cudf|cuml|numba|pycuda|tensorrt", m)]


def test_portfolio_is_small():
    total = sum(p.stat().st_size for p in PORTFOLIO.rglob("*") if p.is_file())
    assert total < 1_000_000
