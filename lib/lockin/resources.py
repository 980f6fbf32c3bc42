"""lockin's own files: the catalog, benchmark data, notebooks and the sample.

Every bundled file is found here, through :mod:`importlib.resources`, so
lockin reads the same files whether it runs from a checkout, an editable
install or an installed wheel, from any working directory.

In the repository, ``lib/lockin/_data`` and ``lib/lockin/_notebooks`` are
symbolic links to the top-level ``data/`` and ``notebooks/`` folders (the
source of truth, edited in place); the wheel carries copies of their files
(``pyproject.toml``, ``[tool.setuptools.package-data]``). The print
stylesheet is a file of :mod:`lockin.report`.

The sample portfolio, its parameters and its fleet are a named example
(:data:`EXAMPLE`): the portfolio ``lockin report`` renders when given none,
never data mixed into a user's portfolio.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path, PurePosixPath

from lockin.errors import LockinError

__all__ = [
    "EXAMPLE",
    "BUNDLED_PREFIX",
    "data_dir",
    "catalog_dir",
    "benchmarks_dir",
    "notebooks_dir",
    "notebook_files",
    "example_portfolio",
    "example_params",
    "example_fleet_dir",
    "stylesheet",
    "bundled_name",
    "bundled_file",
    "copy_notebooks",
]

#: The name of the bundled example: a portfolio of five projects, its
#: parameters (``data/sample-params.yml``) and its fleet (``data/fleet``).
EXAMPLE = "sample"

#: How bundled data are spelled in parameters and provenance records
#: (``data/fleet/fleet.csv``): the repository's layout, the same in a wheel.
BUNDLED_PREFIX = "data"


def _package_folder(name: str) -> Path:
    """A folder inside the installed ``lockin`` package, as a file-system path.

    Raises
    ------
    LockinError
        When lockin is imported from somewhere that is not a folder (a zip
        file): papermill and the scanner need real files.
    """
    root = resources.files("lockin")
    if not isinstance(root, Path):
        raise LockinError(f"lockin is installed as {root}, not as files on disk; install the wheel with pip")
    return root / name


def data_dir() -> Path:
    """The bundled data folder (``data/`` of the repository)."""
    return _package_folder("_data")


def catalog_dir() -> Path:
    """The bundled catalog (``data/catalog``)."""
    return data_dir() / "catalog"


def benchmarks_dir() -> Path:
    """The bundled accelerator specifications, prices and results (``data/benchmarks``)."""
    return data_dir() / "benchmarks"


def notebooks_dir() -> Path:
    """The report notebooks (``notebooks/`` of the repository)."""
    return _package_folder("_notebooks")


def notebook_files() -> list[Path]:
    """Every bundled notebook, by name."""
    return sorted(notebooks_dir().glob("*.ipynb"))


def example_portfolio() -> Path:
    """The sample portfolio folder (``data/portfolio``)."""
    return data_dir() / "portfolio"


def example_params() -> Path:
    """The sample portfolio's parameter file (``data/sample-params.yml``)."""
    return data_dir() / "sample-params.yml"


def example_fleet_dir() -> Path:
    """The sample portfolio's fleet (``data/fleet``)."""
    return data_dir() / "fleet"


def stylesheet() -> str:
    """The print stylesheet WeasyPrint applies to the strategy report."""
    return resources.files("lockin.report").joinpath("print.css").read_text(encoding="utf-8")


def bundled_name(path: str | Path) -> str | None:
    """``path`` as ``data/…`` when it is a bundled data file, else None.

    The same file has the same name in every checkout and installation, so
    provenance digests and messages do not depend on where lockin is.
    """
    try:
        inside = Path(path).resolve().relative_to(data_dir().resolve())
    except (ValueError, OSError):
        return None
    return (PurePosixPath(BUNDLED_PREFIX) / inside.as_posix()).as_posix()


def bundled_file(relative: str | Path) -> Path | None:
    """The bundled file a relative ``data/…`` path names, or None for any other path."""
    parts = Path(relative).parts
    if Path(relative).is_absolute() or len(parts) < 2 or parts[0] != BUNDLED_PREFIX:
        return None
    return data_dir().joinpath(*parts[1:])


def copy_notebooks(target: str | Path, *, force: bool = False) -> list[Path]:
    """Copy the report notebooks into ``target`` (created if missing).

    Parameters
    ----------
    target : str or pathlib.Path
    force : bool
        Overwrite notebooks already in ``target``; without it nothing is
        copied when any would be overwritten.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    LockinError
        When ``target`` is a file, or holds a notebook of the same name and
        ``force`` is false.
    """
    folder = Path(target)
    if folder.exists() and not folder.is_dir():
        raise LockinError(f"{folder}: not a folder")
    sources = notebook_files()
    existing = [folder / source.name for source in sources if (folder / source.name).exists()]
    if existing and not force:
        names = ", ".join(path.name for path in existing)
        raise LockinError(f"{folder}: would overwrite {names}; pass --force to replace them")
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(source, folder / source.name)) for source in sources]
