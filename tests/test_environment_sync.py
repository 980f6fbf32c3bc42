"""environment.yml must mirror pyproject.toml: same packages, same ranges."""

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def pyproject_requirements() -> dict[str, SpecifierSet]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    strings = list(project["dependencies"])
    for extra in ("test", "bench"):
        strings += project["optional-dependencies"][extra]
    requirements = {canonicalize_name(r.name): r.specifier for r in map(Requirement, strings)}
    requirements["python"] = SpecifierSet(project["requires-python"])
    return requirements


def conda_requirements() -> dict[str, SpecifierSet]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    specs = {}
    for entry in env["dependencies"]:
        if not isinstance(entry, str) or entry == "pip":
            continue
        # conda's "name>=1,<2" is PEP 440 compatible for the ranges we use.
        requirement = Requirement(entry)
        specs[canonicalize_name(requirement.name)] = requirement.specifier
    return specs


def test_environment_lists_the_same_packages_as_pyproject():
    assert set(conda_requirements()) == set(pyproject_requirements())


def test_environment_pins_the_same_ranges_as_pyproject():
    conda, pip = conda_requirements(), pyproject_requirements()
    mismatched = {name: (str(pip[name]), str(conda[name])) for name in pip if conda.get(name) != pip[name]}
    assert mismatched == {}


def test_environment_installs_the_project_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(e["pip"] for e in env["dependencies"] if isinstance(e, dict))
    assert "-e ." in pip_section
