"""The notebooks: committed clean, parameterized, and they run top to bottom
under papermill on the sample portfolio and show what they should."""

import json
from pathlib import Path

import nbformat
import papermill
import pytest

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAMES = [p.stem for p in NOTEBOOKS]


def test_the_five_notebooks_are_there():
    assert NAMES == ["01_inventory", "02_hardware", "03_lockin", "04_economics", "strategy_report"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_committed_notebooks_carry_no_outputs(path):
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: a code cell has outputs"
    assert "widgets" not in book.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_each_notebook_has_one_parameters_cell_with_the_common_parameters(path):
    book = nbformat.read(path, as_version=4)
    tagged = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    source = tagged[0].source
    for name in ("period", "portfolio", "params_file", "history_db", "output_dir", "target_vendor", "baseline_accelerator", "target_accelerator",
                 "fleet_file", "results_files", "prices", "energy_usd_per_kwh", "grid_kg_per_kwh", "horizon_years", "discount_rate", "labour_cost_per_pm", "seed"):  # fmt: skip
        assert f"\n{name} = " in "\n" + source, f"{path.name}: no parameter {name}"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Every notebook run once by papermill on the sample portfolio."""
    from lockin.report.kernel import report_kernel_name

    kernel = report_kernel_name()
    out = tmp_path_factory.mktemp("executed")
    runs = {}
    for path in NOTEBOOKS:
        target = out / path.name
        papermill.execute_notebook(
            str(path), str(target), kernel_name=kernel, cwd=str(ROOT), progress_bar=False,
            parameters={"period": "2026-11", "portfolio": str(ROOT / "data" / "portfolio"), "history_db": str(out / "history.sqlite"), "output_dir": str(out)},
        )  # fmt: skip
        runs[path.stem] = nbformat.read(target, as_version=4)
    return out, runs


def text_of(book) -> str:
    parts = []
    for cell in book.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(output.get("text", ""))
            parts.append(data.get("text/plain", ""))
            parts.append(data.get("text/html", ""))
            parts.append(data.get("text/markdown", ""))
    return "\n".join(parts)


def images_of(book) -> int:
    return sum(1 for cell in book.cells for output in cell.get("outputs", []) if "image/png" in output.get("data", {}))


def errors_of(book) -> list:
    return [o for c in book.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


PROJECTS = ["llm-trainer", "inference-gateway", "rapids-analytics", "tabular-forecaster", "rocm-serving"]


def test_inventory_notebook_lists_projects_findings_and_filters(executed):
    _, runs = executed
    book = runs["01_inventory"]
    text = text_of(book)
    assert not errors_of(book)
    for project in PROJECTS:
        assert project in text
    assert "findings" in text and "cudaMalloc" in text or "nccl" in text
    assert images_of(book) >= 1


def test_inventory_notebook_filters_by_parameters(tmp_path):
    from lockin.report.kernel import report_kernel_name

    target = tmp_path / "filtered.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "01_inventory.ipynb"), str(target), kernel_name=report_kernel_name(), cwd=str(ROOT), progress_bar=False,
        parameters={"portfolio": str(ROOT / "data" / "portfolio"), "filter_project": "llm-trainer", "filter_portability": ["rewrite"], "max_rows": 500},
    )  # fmt: skip
    book = nbformat.read(target, as_version=4)
    table = next(o for c in book.cells if "filter_findings" in c.source for o in c.outputs if "text/html" in o.get("data", {}))
    html = table["data"]["text/html"]
    assert "llm-trainer" in html and "rapids-analytics" not in html
    assert "rewrite" in html and ">translatable<" not in html


def test_hardware_notebook_shows_parity_transfer_error_efficiency_and_fleet(executed):
    _, runs = executed
    book = runs["02_hardware"]
    text = text_of(book)
    assert not errors_of(book)
    assert "llama2-70b-99" in text and "geomean" in text
    assert "median error" in text and "leave one workload family out" in text
    assert "highly concentrated" in text and "HHI" in text
    assert images_of(book) >= 3


def test_lockin_notebook_shows_ratings_heatmap_and_roadblocks(executed):
    _, runs = executed
    book = runs["03_lockin"]
    text = text_of(book)
    assert not errors_of(book)
    for project in PROJECTS:
        assert project in text
    assert "inline-ptx" in text or "wgmma" in text
    assert "the bundled calibration on" in text and "leave-one-out median error" in text
    assert images_of(book) >= 1
    # Target readiness: a column, a table and one sentence (rocm-serving already runs on AMD).
    assert "Target readiness: 1 of 5 project(s) already have a path on amd" in text and "rocm-serving 100%" in text
    assert "target_paths" in text and "other_vendors" in text


def test_economics_notebook_shows_npv_tornado_and_what_if(executed):
    _, runs = executed
    book = runs["04_economics"]
    text = text_of(book)
    assert not errors_of(book)
    assert "break" in text.lower() and "effort" in text
    assert "labour_cost_per_pm" in text and "performance_ratio" in text
    assert "factor" in text
    assert images_of(book) >= 3


def test_strategy_report_writes_the_period_figures(executed):
    out, runs = executed
    book = runs["strategy_report"]
    text = text_of(book)
    assert not errors_of(book)
    assert "Executive summary" in text and "first period on record" in text
    assert "Target readiness: 1 of 5 project(s)" in text and "ready" in text
    assert "Appendix: provenance" in text and "inputs.csv" in text
    figures = json.loads((out / "period_figures.json").read_text())
    assert figures["period"] == "2026-11"
    assert {s["project"] for s in figures["scores"]} == set(PROJECTS)
    assert figures["portfolio"]["rating"] in "ABCDE" and "project" not in figures["portfolio"]
