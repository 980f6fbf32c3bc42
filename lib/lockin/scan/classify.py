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


#: A construct's spec refines its catalog row: ``inline-ptx`` with spec
#: ``simple`` is judged by the row ``inline-ptx:simple`` where the catalog
#: has one, by ``inline-ptx`` otherwise. The finding keeps its name.
SPEC_SEPARATOR = ":"


def catalog_name(kind: str, name: str, spec: str) -> str:
    """The catalog name ``name`` is looked up by: ``name:spec`` for a construct with a spec."""
    return f"{name}{SPEC_SEPARATOR}{spec}" if spec and kind == "construct" else name


def lookup_row(catalog: Catalog, kind: str, name: str, spec: str, ecosystem: str) -> CatalogRow | None:
    """The catalog row of evidence: its spec's refined row first, then the name's own.

    Only constructs are refined; the spec of other evidence (a version,
    a tag) is no part of its catalog name.
    """
    refined = catalog_name(kind, name, spec)
    row = catalog.lookup(kind, refined, ecosystem) if refined != name else None
    return row if row is not None else catalog.lookup(kind, name, ecosystem)


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
    row = lookup_row(catalog, evidence.kind, evidence.name, evidence.spec, evidence.ecosystem)
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
