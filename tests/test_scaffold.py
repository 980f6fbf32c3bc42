"""``lockin init``: a portfolio, parameters and README that load with the real readers."""

import re
import shlex

import click
from click.testing import CliRunner

from lockin.cli import main
from lockin.scan.discover import MANIFEST_FIELDS, find_projects
from lockin.report.command import report
from lockin.scaffold import EXAMPLE_PROJECT
from lockin.scoring.parameters import PARAMETERS, load_parameters


def init(*arguments):
    return CliRunner().invoke(main, ["init", *map(str, arguments)])


def test_the_portfolio_names_every_field_and_loads(tmp_path):
    assert init(tmp_path / "mine").exit_code == 0
    manifest = tmp_path / "mine" / "portfolio.yml"
    text = manifest.read_text()
    written = set(re.findall(r"^\s+-?\s*(\w+):", text, flags=re.MULTILINE))
    assert set(MANIFEST_FIELDS) <= written
    [project] = find_projects(tmp_path / "mine")
    assert project.name == EXAMPLE_PROJECT and project.root == tmp_path / "mine" / EXAMPLE_PROJECT
    assert project.problems == ()
    assert set(MANIFEST_FIELDS) - {"name", "path"} <= set(project.meta)


def test_the_parameters_are_every_default(tmp_path):
    assert init(tmp_path / "mine").exit_code == 0
    path = tmp_path / "mine" / "params.yml"
    loaded, defaults = load_parameters(path), load_parameters()
    assert [p.name for p in PARAMETERS if loaded[p.name] != defaults[p.name]] == []
    assert set(loaded.table().set_index("parameter")["set_by"]) == {str(path)}
    text = path.read_text()
    for parameter in PARAMETERS:
        assert re.search(rf"^{parameter.name}:", text, flags=re.MULTILINE), parameter.name


def test_the_readme_says_how_to_report_and_schedule(tmp_path):
    assert init(tmp_path / "mine").exit_code == 0
    readme = (tmp_path / "mine" / "README.md").read_text()
    assert "cron" in readme and "systemd" in readme and "CronJob" in readme
    commands = [line.split("lockin report", 1)[1] for line in readme.splitlines() if "lockin report " in line]
    assert len(commands) == 2
    for arguments in commands:
        # Parsed as click would, without running: every option exists and --period is there.
        words = shlex.split(arguments.split("&&")[0].split(">>")[0].replace("\\%", "%"))
        values, extra, _ = report.make_parser(click.Context(report)).parse_args(words)
        assert extra == [] and values["period"] == "auto"


def test_a_folder_that_is_not_empty_is_refused_unless_forced(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep")
    refused = init(folder)
    assert refused.exit_code == 1 and "not empty" in refused.output and "--force" in refused.output
    assert sorted(path.name for path in folder.iterdir()) == ["notes.txt"]
    assert init("--force", folder).exit_code == 0
    assert (folder / "portfolio.yml").is_file() and (folder / "notes.txt").read_text() == "keep"


def test_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    refused = init(tmp_path / "file")
    assert refused.exit_code == 1 and "not a folder" in refused.output
