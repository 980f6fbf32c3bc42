"""lockin used as a tool: the wheel, installed into a fresh virtual environment.

The wheel is built from a copy of this checkout and installed, without its
dependencies, into a virtual environment in a temporary folder. The
dependencies come from the environment running the tests through a
``.pth`` line (a plain path: that environment's own ``.pth`` files, among
them an editable install of lockin, are not processed) and ``JUPYTER_PATH``,
so nothing is downloaded. Every command runs from a folder unrelated to the checkout,
with ``PYTHONPATH`` removed, and must import lockin from the wheel.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]

#: What a build does not need from the checkout.
NOT_BUILT = shutil.ignore_patterns(".git", ".venv", "reports", "build", "dist", "*.egg-info", "__pycache__", ".work", ".pytest_cache", ".hypothesis")


class Installed:
    """The fresh environment: its interpreter, its ``lockin`` and a clean process environment."""

    def __init__(self, prefix: Path, wheel: Path):
        self.prefix, self.wheel = prefix, wheel
        self.python = prefix / "bin" / "python"
        self.lockin = prefix / "bin" / "lockin"
        self.env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        # The dependencies' data files (nbconvert's templates) are where
        # they were installed, not under the new prefix as a full install
        # would put them.
        self.env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")

    def run(self, *command, cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
        return subprocess.run([str(part) for part in command], cwd=cwd, env=self.env, capture_output=True, text=True, timeout=timeout)


def build_wheel(source: Path, out_dir: Path) -> Path:
    """Build lockin's wheel from ``source``; offline when this environment's setuptools can."""
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out_dir), str(source)]
    if _setuptools_reads_this_pyproject():
        command.insert(4, "--no-build-isolation")
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)
    [wheel] = out_dir.glob("lockin-*.whl")
    return wheel


def _setuptools_reads_this_pyproject() -> bool:
    # An SPDX license string needs setuptools 77 (test_packaging.py); an
    # older one here means the build fetches a newer one in isolation.
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 77


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    """lockin's wheel installed into a new virtual environment."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_BUILT)
    wheel = build_wheel(source, base / "dist")
    prefix = base / "venv"
    venv.EnvBuilder(with_pip=False).create(prefix)
    environment = Installed(prefix, wheel)
    [site_packages] = (prefix / "lib").glob("python3*/site-packages")
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(environment.python), "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
        check=True, capture_output=True, text=True, timeout=300, env=environment.env,
    )
    return environment


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """A working folder with nothing of lockin's in it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_lockin_is_imported_from_the_installed_wheel(installed, elsewhere):
    where = installed.run(installed.python, "-c", "import lockin, lockin.resources as r; print(lockin.__file__); print(r.catalog_dir())", cwd=elsewhere)
    assert where.returncode == 0, where.stderr
    module, catalog = where.stdout.splitlines()
    assert Path(module).is_relative_to(installed.prefix) and not Path(module).is_relative_to(ROOT)
    assert Path(catalog).is_relative_to(installed.prefix) and not Path(catalog).is_symlink()


def test_the_wheel_carries_the_data_and_notebooks_as_files(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert {"lockin/_data/catalog/catalog.yml", "lockin/_data/benchmarks/accelerators.csv", "lockin/_data/portfolio/portfolio.yml", "lockin/_data/sample-params.yml", "lockin/_data/fleet/fleet.csv", "lockin/_notebooks/strategy_report.ipynb", "lockin/report/print.css"} <= names


def test_python_dash_m_lockin_reports_its_version(installed, elsewhere):
    from lockin import __version__

    result = installed.run(installed.python, "-m", "lockin", "--version", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout


def test_the_command_line_tools_work_from_another_folder(installed, elsewhere):
    sample = installed.run(installed.python, "-c", "from lockin import resources as r; print(r.example_portfolio()); print(r.example_fleet_dir() / 'fleet.csv')", cwd=elsewhere)
    portfolio, fleet = sample.stdout.split()
    commands = {
        "scan": ["scan", portfolio, "--no-progress", "--format", "csv"],
        "inventory": ["inventory", portfolio, "--no-progress", "--format", "csv"],
        "score": ["score", portfolio, "--no-progress", "--format", "csv"],
        "parity": ["parity", "--baseline", "H100", "--target", "MI300X", "--format", "csv"],
        "fleet": ["fleet", fleet, "--format", "csv"],
        "catalog show": ["catalog", "show", "--vendor", "nvidia", "--format", "csv"],
    }
    for name, arguments in commands.items():
        result = installed.run(installed.lockin, *arguments, cwd=elsewhere, timeout=300)
        assert result.returncode == 0, f"lockin {name}: {result.stderr}"
        assert len(result.stdout.splitlines()) > 1, f"lockin {name} printed no rows"


def test_lockin_notebooks_copies_the_report_notebooks(installed, elsewhere):
    result = installed.run(installed.lockin, "notebooks", "mine", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "mine" / "strategy_report.ipynb").is_file()
    assert installed.run(installed.lockin, "notebooks", "mine", cwd=elsewhere).returncode == 1


def test_init_scan_and_report_a_new_portfolio(installed, elsewhere):
    made = installed.run(installed.lockin, "init", "my-portfolio", cwd=elsewhere)
    assert made.returncode == 0, made.stderr
    scanned = installed.run(installed.lockin, "scan", "my-portfolio", "--no-progress", "--format", "csv", cwd=elsewhere)
    assert scanned.returncode == 0, scanned.stderr
    assert "cupy-cuda12x" in scanned.stdout
    out_dir = elsewhere / "reports"
    rendered = installed.run(
        installed.lockin, "report", "--period", "2026-11", "--portfolio", "my-portfolio", "--params", "my-portfolio/params.yml", "--out", out_dir, "--no-progress",
        cwd=elsewhere, timeout=1200,
    )
    assert rendered.returncode == 0, rendered.stderr[-4000:]
    pdf = out_dir / "2026-11" / "strategy_report.pdf"
    assert rendered.stdout.strip().endswith(str(pdf.name)) and pdf.is_file()
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "example-project" in text
