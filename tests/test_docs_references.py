"""Every document the code, notebooks and docs point a reader to exists.

A reference to a missing file (the library once cited a DESIGN.md the
repository never had, even as the source of a parameter in the report's
appendix) sends a reader nowhere.
"""

import json
import re
from pathlib import Path

import pytest

from lockin.scoring.parameters import PARAMETERS

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))

#: A markdown file named bare or under docs/ (HIPIFY's table files, named in
#: lockin.catalog.hipify, live in another repository: that module is left out).
MENTION = re.compile(r"(?<![\w/.*-])((?:docs/)?[A-Za-z][\w-]*\.md)\b")
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#([\w-]+))?\)")


def texts_pointing_at_docs():
    yield ROOT / "README.md"
    yield from DOCS
    for path in sorted((ROOT / "lib" / "lockin").rglob("*.py")):
        if path.name != "hipify.py":
            yield path
    yield from sorted((ROOT / "notebooks").glob("*.ipynb"))


def readable_text(path: Path) -> str:
    if path.suffix == ".ipynb":
        return "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"])
    return path.read_text(encoding="utf-8")


def exists_for(name: str, referrer: Path) -> bool:
    return any((folder / name).is_file() for folder in (referrer.parent, ROOT, ROOT / "docs"))


def heading_anchors(path: Path) -> set[str]:
    """GitHub's anchors: headings lower-cased, punctuation dropped, spaces as '-'."""
    headings = re.findall(r"^#+\s+(.+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("path", list(texts_pointing_at_docs()), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_markdown_file_named_exists(path):
    missing = sorted({name for name in MENTION.findall(readable_text(path)) if not exists_for(name, path)})
    assert missing == [], f"{path.relative_to(ROOT)} names {missing}, which the repository does not have"


@pytest.mark.parametrize("path", [ROOT / "README.md", *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_markdown_link_and_anchor_resolves(path):
    for target, anchor in LINK.findall(path.read_text(encoding="utf-8")):
        if "://" in target:
            continue
        linked = (path.parent / target).resolve()
        assert linked.is_file(), f"{path.relative_to(ROOT)} links to {target}, which does not exist"
        if anchor:
            assert anchor in heading_anchors(linked), f"{path.relative_to(ROOT)} links to {target}#{anchor}: no such heading"


def test_parameter_sources_name_documents_that_exist():
    # The sources are printed in the report's appendix as where each default comes from.
    for parameter in PARAMETERS:
        for name in MENTION.findall(parameter.source):
            assert (ROOT / name).is_file() or (ROOT / "docs" / name).is_file(), f"{parameter.name}: source names {name}"


def test_the_architecture_document_covers_the_pipeline_packages_and_contracts():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    anchors = heading_anchors(ROOT / "docs" / "architecture.md")
    assert {"data-flow", "packages-and-modules", "output-contracts"} <= anchors
    # Every package and top-level module of the library is described.
    library = ROOT / "lib" / "lockin"
    modules = {p.stem for p in library.glob("*.py") if not p.stem.startswith("_")}
    packages = {p.name for p in library.iterdir() if (p / "__init__.py").is_file()}
    undescribed = sorted(name for name in modules | packages if f"`{name}`" not in text and f"`{name}/`" not in text)
    assert undescribed == []
