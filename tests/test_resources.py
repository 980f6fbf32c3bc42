"""Bundled resources: found through the package, the same from a checkout and a wheel."""

import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from lockin import resources
from lockin.cli import main
from lockin.errors import LockinError
from lockin.paths import is_sample_portfolio, resolve_path
from lockin.report.run import NOTEBOOKS

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "lib" / "lockin"


def test_the_bundled_folders_are_the_repositorys_data_and_notebooks():
    assert resources.data_dir().resolve() == ROOT / "data"
    assert resources.notebooks_dir().resolve() == ROOT / "notebooks"
    assert (resources.catalog_dir() / "catalog.yml").is_file()
    assert (resources.benchmarks_dir() / "accelerators.csv").is_file()
    assert (resources.example_portfolio() / "portfolio.yml").is_file()
    assert resources.example_params().is_file() and (resources.example_fleet_dir() / "fleet.csv").is_file()
    assert "@page" in resources.stylesheet()


def test_every_report_notebook_is_bundled():
    assert set(NOTEBOOKS) <= {path.name for path in resources.notebook_files()}


def test_the_wheel_globs_cover_every_data_file_and_notebook():
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["lockin"]
    shipped = {path for pattern in globs for path in LIBRARY.glob(pattern) if path.is_file()}
    wanted = {LIBRARY / "_data" / path.relative_to(ROOT / "data") for path in (ROOT / "data").rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    wanted |= {LIBRARY / "_notebooks" / path.name for path in (ROOT / "notebooks").glob("*.ipynb")}
    assert wanted - shipped == set()


def test_nothing_in_the_library_reaches_for_the_repository_root():
    # Bundled files come from lockin.resources; a path built from the
    # module's own location breaks in a wheel.
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in LIBRARY.rglob("*.py")
        if "_data" not in path.relative_to(LIBRARY).parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"__file__|\.parents\[|REPOSITORY_ROOT", line)
    ]
    assert offenders == []


def test_a_bundled_file_is_named_as_in_the_repository():
    fleet = resources.example_fleet_dir() / "fleet.csv"
    assert resources.bundled_name(fleet) == "data/fleet/fleet.csv"
    assert resources.bundled_file("data/fleet/fleet.csv") == fleet
    assert resources.bundled_name(ROOT / "README.md") is None
    assert resources.bundled_file("fleet/fleet.csv") is None and resources.bundled_file("/data/fleet.csv") is None


def test_a_users_relative_path_wins_over_bundled_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_path("data/portfolio") == resources.example_portfolio()
    assert is_sample_portfolio(resolve_path("data/portfolio"))
    (tmp_path / "data" / "portfolio").mkdir(parents=True)
    assert resolve_path("data/portfolio") == Path("data/portfolio")
    assert not is_sample_portfolio(resolve_path("data/portfolio"))
    assert resolve_path("elsewhere/fleet.csv") == Path("elsewhere/fleet.csv")


def test_the_notebooks_are_copied_out_and_never_overwritten_silently(tmp_path):
    target = tmp_path / "notebooks"
    written = resources.copy_notebooks(target)
    assert sorted(path.name for path in written) == sorted(path.name for path in resources.notebook_files())
    assert (target / "strategy_report.ipynb").read_bytes() == (resources.notebooks_dir() / "strategy_report.ipynb").read_bytes()
    (target / "01_inventory.ipynb").write_text("mine")
    with pytest.raises(LockinError, match="01_inventory.ipynb.*--force"):
        resources.copy_notebooks(target)
    assert (target / "01_inventory.ipynb").read_text() == "mine"
    resources.copy_notebooks(target, force=True)
    assert (target / "01_inventory.ipynb").read_text() != "mine"


def test_lockin_notebooks_refuses_to_overwrite_and_to_write_into_a_file(tmp_path):
    runner = CliRunner()
    first = runner.invoke(main, ["notebooks", str(tmp_path / "nb")])
    assert first.exit_code == 0 and "strategy_report.ipynb" in first.output
    again = runner.invoke(main, ["notebooks", str(tmp_path / "nb")])
    assert again.exit_code == 1 and "pass --force" in again.output
    assert runner.invoke(main, ["notebooks", "--force", str(tmp_path / "nb")]).exit_code == 0
    (tmp_path / "file").write_text("x")
    into_file = runner.invoke(main, ["notebooks", str(tmp_path / "file")])
    assert into_file.exit_code == 1 and "not a folder" in into_file.output


def parameter_cell(path: Path) -> dict:
    import json

    notebook = json.loads(path.read_text())
    [cell] = [cell for cell in notebook["cells"] if "parameters" in cell.get("metadata", {}).get("tags", [])]
    values: dict = {}
    exec("".join(cell["source"]), {}, values)
    return values


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_notebooks_defaults_work_from_notebooks_in_jupyterlab(name, monkeypatch):
    # JupyterLab runs a notebook in its own folder: the defaults must find
    # the sample portfolio (bundled) and make report's history.
    monkeypatch.chdir(ROOT / "notebooks")
    values = parameter_cell(ROOT / "notebooks" / name)
    assert is_sample_portfolio(resolve_path(values["portfolio"]))
    assert resolve_path(values["history_db"]).resolve() == ROOT / "reports" / "history.sqlite"
