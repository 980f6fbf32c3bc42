"""Where lockin's own files are, and how a relative input path is read.

lockin runs from a checkout (``pip install -e``): the bundled data
(``data/``) and notebooks live beside the package, at the repository root.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["REPOSITORY_ROOT", "DATA_DIR", "SAMPLE_PORTFOLIO", "SAMPLE_PARAMS", "resolve_path", "is_sample_portfolio"]

#: The checkout lockin runs from.
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

#: Bundled data: catalog, benchmarks, sample portfolio and fleet.
DATA_DIR = REPOSITORY_ROOT / "data"

#: The bundled sample portfolio, and the parameters that go with it (its
#: fleet). The sample's data is used for the sample portfolio only.
SAMPLE_PORTFOLIO = DATA_DIR / "portfolio"
SAMPLE_PARAMS = DATA_DIR / "sample-params.yml"


def is_sample_portfolio(path: str | Path | None) -> bool:
    """Whether ``path`` is the bundled sample portfolio (however it is spelled)."""
    if path is None or str(path) == "":
        return False
    try:
        return Path(path).resolve() == SAMPLE_PORTFOLIO.resolve()
    except OSError:
        return False


def resolve_path(value: str | Path | None) -> Path | None:
    """A user's path as given when it exists, else the bundled file of that name.

    Relative paths are the user's (from where they run) when such a file
    exists; otherwise they name bundled data from the repository root
    (``data/fleet/fleet.csv``), so the same parameters work from the
    repository root, from ``notebooks/`` in JupyterLab and from a scheduler.
    """
    if value is None or str(value) == "":
        return None
    path = Path(value).expanduser()
    if path.is_absolute() or path.exists():
        return path
    return REPOSITORY_ROOT / path
