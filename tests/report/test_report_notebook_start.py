"""lockin.notebook.start hands the report's catalog_dirs parameter to the assessment."""

import pytest

from lockin.notebook import start

CATALOG_HEADER = "kind,ecosystem,match_type,match,vendor,layer,family,amd,amd_alternative,note,source\n"


@pytest.fixture(scope="module")
def portfolio_and_catalog(tmp_path_factory):
    """A project that needs a package only our own catalog knows as NVIDIA-bound."""
    root = tmp_path_factory.mktemp("catalog-start")
    project = root / "portfolio" / "trainer"
    project.mkdir(parents=True)
    (project / "requirements.txt").write_text("ourcorp-cuda-kernels==2.1\n")
    catalog = root / "our-catalog"
    catalog.mkdir()
    (catalog / "ours.csv").write_text(CATALOG_HEADER + "package,pypi,exact,ourcorp-cuda-kernels,nvidia,library,ourcorp,rewrite,,in-house CUDA kernels,our platform team\n")
    return root / "portfolio", catalog


def our_package_found(assessment) -> bool:
    findings = assessment.scan.findings
    return bool(((findings["name"] == "ourcorp-cuda-kernels") & (findings["vendor"] == "nvidia")).any())


def test_without_our_catalog_the_package_is_not_evidence(portfolio_and_catalog):
    portfolio, _ = portfolio_and_catalog
    assert not our_package_found(start(str(portfolio)))


@pytest.mark.parametrize("given", ["list", "string"])
def test_catalog_dirs_reach_the_scan(portfolio_and_catalog, given):
    portfolio, catalog = portfolio_and_catalog
    catalog_dirs = [str(catalog)] if given == "list" else str(catalog)
    # As a notebook calls it: its whole parameter cell, papermill's injected values included.
    assessment = start(**{"portfolio": str(portfolio), "params_file": "", "catalog_dirs": catalog_dirs, "period": "2026-11", "output_dir": ""})
    assert our_package_found(assessment)
