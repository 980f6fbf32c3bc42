"""The catalog: what is vendor-bound, for whom, and what replaces it.

The catalog is data (``data/catalog/*.csv``), not code. See
``docs/data-formats.md`` for the columns. :func:`load_catalog` reads the
bundled rows and any user folders given after them; a user row with the same
``kind``, ``ecosystem``, ``match_type`` and ``match`` as an earlier row
replaces it, so a team can correct or extend the knowledge without editing
the library.
"""

from lockin.catalog.model import (
    CATALOG_COLUMNS,
    MATCH_TYPES,
    REQUIRED_COLUMNS,
    TARGET_VENDORS,
    Catalog,
    CatalogRow,
)
from lockin.catalog.load import bundled_catalog_dir, load_catalog, read_catalog_file

__all__ = [
    "CATALOG_COLUMNS",
    "MATCH_TYPES",
    "REQUIRED_COLUMNS",
    "TARGET_VENDORS",
    "Catalog",
    "CatalogRow",
    "bundled_catalog_dir",
    "load_catalog",
    "read_catalog_file",
]
