"""``--out FILE`` of every command: no chain of folders created, no input overwritten.

Kept with the report tests because ``lockin report --out`` follows the same
rule (see test_report_checks.py); these cover scan, inventory, score,
catalog show, parity and fleet through the ``lockin`` command line.
"""

import shutil

import pytest
from click.testing import CliRunner

from lockin.cli import main
from lockin import resources

BUNDLED_FLEET = resources.example_fleet_dir() / "fleet.csv"


@pytest.fixture
def portfolio(tmp_path):
    """One project with one input file."""
    project = tmp_path / "portfolio" / "trainer"
    project.mkdir(parents=True)
    (project / "requirements.txt").write_text("torch==2.4.0\nnvidia-cublas-cu12==12.4.5.8\n")
    return tmp_path / "portfolio"


def commands(portfolio):
    """Each command with --out, as argument lists ending just before the --out value."""
    return {
        "scan": ["scan", str(portfolio), "--no-progress", "--jobs", "1", "--format", "json"],
        "inventory": ["inventory", str(portfolio), "--no-progress", "--jobs", "1", "--format", "json"],
        "score": ["score", str(portfolio), "--no-progress", "--jobs", "1", "--format", "json"],
        "catalog show": ["catalog", "show", "--kind", "env", "--format", "csv"],
        "parity": ["parity", "--baseline", "H100", "--target", "MI300X", "--format", "csv"],
        "fleet": ["fleet", str(BUNDLED_FLEET), "--format", "csv"],
    }


def invoke(arguments):
    return CliRunner().invoke(main, arguments)


@pytest.mark.parametrize("command", ["scan", "inventory", "score", "catalog show", "parity", "fleet"])
def test_a_missing_chain_of_folders_is_refused_and_not_created(tmp_path, portfolio, command):
    out = tmp_path / "typo" / "deeper" / "out.txt"
    result = invoke([*commands(portfolio)[command], "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"parent folder {out.parent} does not exist" in result.output
    assert "--out" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize("command", ["scan", "inventory", "catalog show", "parity", "fleet"])
def test_an_existing_folder_still_receives_the_file(tmp_path, portfolio, command):
    out = tmp_path / "out.txt"
    result = invoke([*commands(portfolio)[command], "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


@pytest.mark.parametrize("command", ["scan", "inventory", "score"])
def test_an_input_inside_the_scanned_folder_is_not_overwritten(portfolio, command):
    target = portfolio / "trainer" / "requirements.txt"
    before = target.read_bytes()
    result = invoke([*commands(portfolio)[command], "--out", str(target)])
    assert result.exit_code == 2, result.output
    assert f"inside {portfolio}" in result.output and "refusing to overwrite an input" in result.output
    assert target.read_bytes() == before


def test_a_relative_or_roundabout_path_to_an_input_is_recognised(portfolio, monkeypatch):
    monkeypatch.chdir(portfolio / "trainer")
    before = (portfolio / "trainer" / "requirements.txt").read_bytes()
    result = invoke(["scan", str(portfolio), "--no-progress", "--jobs", "1", "--out", "../trainer/./requirements.txt"])
    assert result.exit_code == 2, result.output
    assert (portfolio / "trainer" / "requirements.txt").read_bytes() == before


def test_a_new_file_inside_the_scanned_folder_is_allowed(portfolio):
    out = portfolio / "findings.json"
    result = invoke(["scan", str(portfolio), "--no-progress", "--jobs", "1", "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("[")


def test_fleet_does_not_overwrite_its_fleet_file(tmp_path):
    fleet = tmp_path / "fleet.csv"
    shutil.copy(BUNDLED_FLEET, fleet)
    before = fleet.read_bytes()
    result = invoke(["fleet", str(fleet), "--format", "csv", "--out", str(fleet)])
    assert result.exit_code == 2, result.output
    assert "an input file" in result.output
    assert fleet.read_bytes() == before


def test_catalog_show_does_not_overwrite_a_catalog_file(tmp_path):
    catalog = tmp_path / "ours"
    catalog.mkdir()
    row = catalog / "ours.csv"
    row.write_text("kind,ecosystem,match_type,match,vendor,layer,family,amd,amd_alternative,note,source\npackage,pypi,exact,ourcorp-cuda,nvidia,library,,rewrite,,,ours\n")
    before = row.read_bytes()
    result = invoke(["catalog", "show", "--catalog", str(catalog), "--format", "csv", "--out", str(row)])
    assert result.exit_code == 2, result.output
    assert row.read_bytes() == before
