"""pyproject.toml's metadata in the form current setuptools accepts without warnings."""

import tomllib
from pathlib import Path

from packaging.licenses import canonicalize_license_expression
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_license_is_an_spdx_expression_not_the_deprecated_table():
    # setuptools deprecates `license = { text = … }` (to be removed 2027-02-18).
    license_ = PYPROJECT["project"]["license"]
    assert isinstance(license_, str)
    assert canonicalize_license_expression(license_) == license_


def test_build_requires_a_setuptools_that_reads_spdx_licenses():
    # An SPDX string in project.license needs setuptools 77 or later.
    (setuptools,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"] if Requirement(r).name == "setuptools"]
    assert not setuptools.specifier.contains(Version("76.9")) and setuptools.specifier.contains(Version("77.0"))

