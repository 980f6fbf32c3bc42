"""How a relative input path is read, and which portfolio is the sample.

Bundled files themselves are found by :mod:`lockin.resources`; nothing here
depends on where lockin is installed.
"""

from __future__ import annotations

from pathlib import Path

from lockin import resources

__all__ = ["resolve_path", "is_sample_portfolio", "sample_portfolio", "sample_params", "parent_folder_problem"]


def sample_portfolio() -> Path:
    """The bundled sample portfolio (:func:`lockin.resources.example_portfolio`)."""
    return resources.example_portfolio()


def sample_params() -> Path:
    """The sample portfolio's parameters (:func:`lockin.resources.example_params`)."""
    return resources.example_params()


def is_sample_portfolio(path: str | Path | None) -> bool:
    """Whether ``path`` is the bundled sample portfolio (however it is spelled)."""
    if path is None or str(path) == "":
        return False
    try:
        return Path(path).resolve() == sample_portfolio().resolve()
    except OSError:
        return False


def resolve_path(value: str | Path | None) -> Path | None:
    """A user's path as given when it exists, else the bundled file of that name.

    Relative paths are the user's (from where they run) when such a file
    exists; a missing one spelled ``data/…`` names bundled data
    (``data/fleet/fleet.csv``, ``data/portfolio``), so the notebooks' defaults
    work from the repository root, from ``notebooks/`` in JupyterLab, under
    ``lockin report`` (which runs them in its output folder) and from an
    installed wheel. Any other missing path is returned as given, so the
    error that follows names what the user wrote.
    """
    if value is None or str(value) == "":
        return None
    path = Path(value).expanduser()
    if path.is_absolute() or path.exists():
        return path
    return resources.bundled_file(path) or path


def parent_folder_problem(path: str | Path) -> str | None:
    """Why ``path`` cannot be created where it is, or None when its folder exists.

    Outputs are never given a chain of missing folders: a typo would
    otherwise write where nobody looks.
    """
    parent = Path(path).parent
    if not parent.exists():
        return f"parent folder {parent} does not exist"
    if not parent.is_dir():
        return f"parent {parent} is not a folder"
    return None
