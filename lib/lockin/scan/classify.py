"""Turning evidence into findings: the catalog's verdict towards a target."""

from __future__ import annotations

from lockin.catalog import Catalog, CatalogRow
from lockin.records import Evidence

#: Where the catalog has no verdict for a target, the finding is assumed to
#: need a library or code change. This is stated in the finding's note so it
#: is never mistaken for catalog knowledge.
UNKNOWN_TARGET_CLASS = "replaceable"

NEUTRAL = "neutral"

TRANSLATABLE = "translatable"
PORTABLE = "portable"

#: Note of a name the target spells the same way (see :func:`verdict_towards`).
SAME_NAME_NOTE = "the {target} toolchain spells it the same: compiles as it is"


def classify(evidence: Evidence, catalog: Catalog, target: str) -> dict | None:
    """Return the finding fields for ``evidence`` towards ``target``.

    Parameters
    ----------
    evidence : Evidence
    catalog : Catalog
    target : str
        The vendor the project would move to (``amd``, ``nvidia`` …).

    Returns
    -------
    dict or None
        ``kind, name, line, vendor, layer, portability, alternative,
        evidence, family, target, note, source``; None when the catalog
        does not know the evidence (an ordinary dependency).
    """
    row = catalog.lookup(evidence.kind, evidence.name, evidence.ecosystem)
    if row is None:
        return None
    vendor, layer, portability, alternative, family, target, note, source = row_fields(row, target)
    return {
        "line": evidence.line,
        "kind": evidence.kind,
        "name": evidence.name,
        "vendor": vendor,
        "layer": layer,
        "portability": portability,
        "alternative": alternative,
        "evidence": evidence.text,
        "family": family,
        "target": target,
        "note": note,
        "source": source,
    }


def row_fields(row: CatalogRow, target: str) -> tuple[str, str, str, str, str, str, str, str]:
    """The finding fields a catalog row decides towards ``target``:
    (vendor, layer, portability, alternative, family, target, note, source)."""
    portability, alternative, note = verdict_towards(row, target)
    return (row.vendor, row.layer, portability, alternative, row.family, target, note, row.source)


def verdict_towards(row: CatalogRow, target: str) -> tuple[str, str, str]:
    """(portability, alternative, note) of a catalog row towards ``target``."""
    if row.vendor in (NEUTRAL, target):
        # Already runs there: scoring a project against its own vendor costs nothing.
        return "portable", "", row.note
    known = row.verdict(target)
    if known is None:
        note = f"catalog has no verdict towards {target}; assumed {UNKNOWN_TARGET_CLASS}"
        return UNKNOWN_TARGET_CLASS, "", "; ".join(filter(None, [row.note, note]))
    portability, alternative = known
    if portability == TRANSLATABLE and row.match_type == "exact" and alternative == row.match:
        # HIPIFY maps __hfma2 to __hfma2: the target's compiler takes the
        # name as it is, so there is nothing to translate.
        return PORTABLE, alternative, "; ".join(filter(None, [row.note, SAME_NAME_NOTE.format(target=target)]))
    return portability, alternative, row.note
