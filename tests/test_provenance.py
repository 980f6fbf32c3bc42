"""The report's provenance: a summary per project and format, one digest over
every input that an auditor can recompute, and the per-file table for the CSV."""

import hashlib

import pytest

from lockin.assessment import NO_FORMAT, assess, inputs_digest, inputs_summary, provenance
from lockin import resources

FILES = {
    "alpha/requirements.txt": "torch==2.4.0\ncupy-cuda12x==13.3.0\n",
    "alpha/Dockerfile": "FROM nvcr.io/nvidia/pytorch:24.08-py3\nRUN pip install -r requirements.txt\n",
    "alpha/src/kernel.cu": "#include <cuda_runtime.h>\n__global__ void k() {}\n",
    "alpha/src/launch.cu": "#include <cuda_runtime.h>\nvoid launch() { cudaDeviceSynchronize(); }\n",
    "beta/requirements.txt": "numpy==2.1.0\n",
}


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    root = tmp_path_factory.mktemp("portfolio")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root, provenance(assess(root))


def _digest_of_files(root) -> str:
    """The documented construction, from the files on disk."""
    lines = [f"{name} {hashlib.sha256((root / name).read_bytes()).hexdigest()}\n" for name in FILES]
    return hashlib.sha256("".join(sorted(lines)).encode()).hexdigest()


def test_the_summary_counts_inputs_and_bytes_per_project_and_format(origin):
    root, tables = origin
    summary = tables["summary"].set_index(["project", "format"])
    assert summary.loc[("alpha", "cxx"), "inputs"] == 2
    assert summary.loc[("alpha", "cxx"), "bytes"] == sum(len(FILES[f"alpha/src/{n}"].encode()) for n in ("kernel.cu", "launch.cu"))
    assert summary.loc[("beta", "requirements"), "inputs"] == 1
    assert summary.loc[("alpha", "dockerfile"), "bytes"] == (root / "alpha" / "Dockerfile").stat().st_size
    scanned = summary.drop(index="(hardware)", level="project")
    assert scanned["inputs"].sum() == len(FILES)


def test_the_formats_table_sums_over_projects(origin):
    _, tables = origin
    formats = tables["formats"].set_index("format")
    assert formats.loc["requirements", "inputs"] == 2 and formats.loc["requirements", "projects"] == 2
    assert formats["inputs"].sum() == tables["summary"]["inputs"].sum() == len(tables["inputs"])


def test_the_digest_is_recomputable_from_the_files_and_named_in_the_versions(origin):
    root, tables = origin
    scanned = tables["inputs"][tables["inputs"]["project"] != "(hardware)"]
    assert inputs_digest(scanned) == _digest_of_files(root)
    versions = dict(zip(tables["versions"]["item"], tables["versions"]["value"]))
    assert inputs_digest(tables["inputs"]) in versions["inputs"]
    assert f"{len(tables['inputs'])} file(s)" in versions["inputs"]
    assert {"lockin", "catalog", "parameters", "calibration"} <= set(versions)


def test_the_digest_ignores_row_order_and_changes_with_any_file(origin):
    _, tables = origin
    inputs = tables["inputs"]
    assert inputs_digest(inputs.iloc[::-1]) == inputs_digest(inputs)
    changed = inputs.copy()
    changed.loc[changed.index[0], "sha256"] = "0" * 64
    assert inputs_digest(changed) != inputs_digest(inputs)
    renamed = inputs.copy()
    renamed.loc[renamed.index[0], "path"] = "elsewhere.txt"
    assert inputs_digest(renamed) != inputs_digest(inputs)


def test_bundled_hardware_files_are_named_as_bundled_data(origin):
    _, tables = origin
    hardware = tables["inputs"][tables["inputs"]["project"] == "(hardware)"]
    assert len(hardware) > 0
    for path in hardware["path"]:
        assert path.startswith("data/") and resources.bundled_file(path).is_file()


def test_the_per_file_table_stays_for_the_csv(origin):
    _, tables = origin
    inputs = tables["inputs"]
    assert list(inputs.columns) == ["project", "path", "formats", "bytes", "sha256"]
    assert inputs["sha256"].str.fullmatch("[0-9a-f]{64}").all()
    assert "alpha" in set(inputs["project"]) and "src/kernel.cu" in set(inputs["path"])


def test_an_input_without_a_format_is_counted_under_a_name():
    import pandas as pd

    inputs = pd.DataFrame({"project": ["p", "p"], "path": ["a.yaml", "b.py"], "formats": ["", "python"], "bytes": [3, 4], "sha256": ["a" * 64, "b" * 64]})
    summary = inputs_summary(inputs).set_index("format")
    assert summary.loc[NO_FORMAT, "inputs"] == 1 and summary.loc["python", "bytes"] == 4
    assert inputs_summary(inputs.iloc[0:0]).empty
