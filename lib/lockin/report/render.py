"""From the executed strategy notebook to ``strategy_report.html`` and ``.pdf``.

The HTML is nbconvert's JupyterLab rendering of the notebook with every
code cell's input hidden and the parameter cells (the one the author tagged
``parameters`` and the one papermill injected) removed entirely, so a
reader sees prose, tables and figures only. Before it is written, lockin
adds a title page and a table of contents and drops every script: the
report must open offline and never reach for a CDN, and WeasyPrint would
not run a script anyway. The PDF is WeasyPrint's rendering of that same
HTML under ``print.css`` (no browser, no LaTeX).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from lockin import resources
from pathlib import Path

#: The report's title, on its title page and in the running header.
REPORT_TITLE = "Vendor lock-in strategy report"

#: Cell tags whose cells never reach the report.
HIDDEN_CELL_TAGS = frozenset({"parameters", "injected-parameters"})

#: Heading levels listed in the table of contents.
TOC_LEVELS = ("h1", "h2")

#: Estimated printed lines above which a table may break across pages.
LONG_TABLE_LINES = 45

# Longest run of characters in a table cell that is never broken.
_LONG_WORD = 24

# Characters of a wrapped table cell that make one printed line, roughly
# (7.5 pt type in a column of a third of the page).
_CELL_CHARACTERS_PER_LINE = 45

# URL schemes WeasyPrint may read: images are embedded as data: URLs and
# nothing in a report should come from the network.
_OFFLINE_SCHEMES = {"data", "file"}


def print_stylesheet() -> str:
    """The print stylesheet shipped with lockin (``print.css``)."""
    return resources.stylesheet()


def notebook_html(notebook_path: str | Path) -> str:
    """Render an executed notebook as report HTML, without code or parameters.

    Parameters
    ----------
    notebook_path : path

    Returns
    -------
    str
        A complete HTML document (JupyterLab's look); images are embedded.
    """
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    # TagRemovePreprocessor is among every exporter's default preprocessors,
    # off until configured.
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_CELL_TAGS)
    exporter = HTMLExporter(
        config=config,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_filename(str(notebook_path))
    return body


def make_report_document(document: str, *, period: str, rendered_on: dt.date, title: str = REPORT_TITLE) -> str:
    """Turn nbconvert's HTML into the report document, for screen and paper.

    Parameters
    ----------
    document : str
        A complete HTML document.
    period : str
        Shown on the title page and in the running header.
    rendered_on : datetime.date
        Shown on the title page.
    title : str

    Returns
    -------
    str
        The HTML with every script removed, an ``id`` on every h1/h2, a
        title page and a table of contents linking to those ids (with page
        numbers in print) at the start of the body, ``print.css``, and the
        marks print.css needs to lay tables and headings out on pages. A
        first h1 that only repeats ``title`` is dropped: the title page
        carries it.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(document, "html.parser")
    for element in soup.find_all(["script"]) + soup.find_all("a", class_="anchor-link"):
        element.decompose()
    _drop_repeated_title(soup, title)
    headings = _anchor_headings(soup)
    _keep_headings_with_what_follows(soup)
    _let_long_words_in_tables_break(soup)
    _let_long_tables_break(soup)
    body = soup.body or soup
    body.insert(0, BeautifulSoup(_title_page(title, period, rendered_on) + _contents(headings), "html.parser"))
    head = soup.head or body
    style = soup.new_tag("style", attrs={"type": "text/css", "media": "print"})
    style.string = print_stylesheet()
    head.append(style)
    if soup.title is not None:
        soup.title.string = f"{title} — {period}"
    return str(soup)


def write_pdf(document: str, target: str | Path, base_url: str | Path | None = None) -> Path:
    """Render report HTML to PDF with WeasyPrint, reading nothing from the network.

    Parameters
    ----------
    document : str
        HTML carrying its print stylesheet (see :func:`make_report_document`).
    target : path
    base_url : path, optional
        Where relative resources (images, stylesheets) in ``document``
        resolve. WeasyPrint resolves relative links against it too, making
        them absolute ``file:`` links; without it a link to a file beside
        the report (``roadblocks.csv``) stays relative in the PDF, and a
        viewer opens it from the PDF's folder.

    Returns
    -------
    pathlib.Path
        ``target``.
    """
    import weasyprint

    target = Path(target)
    # WeasyPrint logs a warning per CSS property it does not implement, and
    # JupyterLab's stylesheet has hundreds (transitions, cursors...).
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        weasyprint.HTML(string=document, base_url=str(base_url) if base_url else None, url_fetcher=_offline_url_fetcher()).write_pdf(target)
    finally:
        logger.setLevel(level)
    return target


def render_strategy_report(notebook_path: str | Path, html_path: str | Path, pdf_path: str | Path, *, period: str, rendered_on: dt.date) -> None:
    """Write the report's HTML and PDF from the executed strategy notebook.

    Parameters
    ----------
    notebook_path, html_path, pdf_path : path
    period : str
    rendered_on : datetime.date
    """
    document = make_report_document(notebook_html(notebook_path), period=period, rendered_on=rendered_on)
    Path(html_path).write_text(document, encoding="utf-8")
    # No base URL: images are embedded, and links to the CSV tables beside
    # the report must stay relative, not point into the staging folder.
    write_pdf(document, pdf_path)


def _drop_repeated_title(soup, title: str) -> None:
    """Remove the document's first h1 when its text is the report's title.

    The strategy notebook opens with its title as a heading, for readers in
    JupyterLab; in the report the title page says it, and the heading would
    also be the first entry of the contents. A markdown cell left empty
    goes with it.
    """
    heading = soup.find("h1")
    if heading is None or _normalized(heading.get_text(" ", strip=True)) != _normalized(title):
        return
    cell = heading.find_parent("div", class_="jp-MarkdownCell")
    heading.decompose()
    if cell is not None and not cell.get_text(strip=True) and not cell.find(["img", "table"]):
        cell.decompose()


def _normalized(text: str) -> str:
    return " ".join(text.split()).casefold()


def _anchor_headings(soup) -> list[tuple[str, str, str]]:
    """Give every h1/h2 a unique id; return (level, id, text) in document order."""
    used = {element["id"] for element in soup.find_all(id=True)}
    seen: set[str] = set()
    headings = []
    for number, heading in enumerate(soup.find_all(list(TOC_LEVELS)), start=1):
        anchor = heading.get("id")
        if not anchor or anchor in seen:
            anchor = _fresh_id(f"section-{number}", used)
            heading["id"] = anchor
        seen.add(anchor)
        used.add(anchor)
        text = " ".join(heading.get_text(" ", strip=True).split())
        if text:
            headings.append((heading.name, anchor, text))
    return headings


def _keep_headings_with_what_follows(soup) -> None:
    """Mark markdown cells that end in a heading, so print.css keeps them with the next cell.

    ``break-after: avoid`` on the heading itself does not reach across the
    cell boundary, and a section title would end up alone at the foot of a
    page with its figure on the next.
    """
    for cell in soup.select("div.jp-MarkdownCell"):
        content = cell.select_one(".jp-RenderedMarkdown") or cell
        children = content.find_all(True, recursive=False)
        if children and children[-1].name in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            cell["class"] = [*cell.get("class", []), "lockin-keep-with-next"]


def _let_long_words_in_tables_break(soup) -> None:
    """Put line-break opportunities into table cells' long words.

    DataFrame columns are identifiers (``effort_pm_p50``) and cells hold
    paths and SHA-256 digests, none with a space to wrap at; a wide frame
    would run past the page margin. Column names may break after an
    underscore; a cell word longer than :data:`_LONG_WORD` characters after
    ``/`` or ``_`` and at least every :data:`_LONG_WORD` characters.
    """
    from bs4 import BeautifulSoup, NavigableString

    for cell in soup.find_all(["th", "td"]):
        for text in [node for node in cell.descendants if type(node) is NavigableString]:
            marked = _break_points(str(text), header=cell.name == "th")
            if marked != html.escape(str(text), quote=False):
                text.replace_with(BeautifulSoup(marked, "html.parser"))


def _break_points(text: str, *, header: bool) -> str:
    """``text`` as escaped HTML with ``<wbr>`` where a long word may break."""
    words = []
    for word in re.split(r"(\s+)", text):
        if header and "_" in word:
            words.append(html.escape(word, quote=False).replace("_", "_<wbr>"))
        elif len(word) > _LONG_WORD:
            words.append("<wbr>".join(html.escape(piece, quote=False) for piece in _word_pieces(word)))
        else:
            words.append(html.escape(word, quote=False))
    return "".join(words)


def _word_pieces(word: str) -> list[str]:
    pieces, current = [], ""
    for character in word:
        current += character
        if character in "/_" or len(current) >= _LONG_WORD:
            pieces.append(current)
            current = ""
    return [*pieces, current] if current else pieces


def _let_long_tables_break(soup) -> None:
    """Mark tables too long for one page, so print.css lets them break between rows.

    Tables and outputs are kept whole on a page. A table longer than a page
    cannot be; WeasyPrint would first push it to a fresh page, leaving its
    section title alone on the one before, and split it there anyway. Such
    tables break between rows instead, their header repeated on each page.
    """
    for table in soup.find_all("table"):
        if _estimated_lines(table) <= LONG_TABLE_LINES:
            continue
        # JupyterLab's own print rules keep output areas whole too: release
        # every box between the table and its cell.
        for element in (table, *table.parents):
            if element.name in {"body", "main", "[document]"}:
                break
            element["class"] = [*element.get("class", []), "lockin-long-table"]
            if "jp-Cell" in element["class"]:
                break


def _estimated_lines(table) -> int:
    lines = 0
    for row in table.find_all("tr"):
        longest = max((len(cell.get_text(" ", strip=True)) for cell in row.find_all(["td", "th"])), default=0)
        lines += max(1, -(-longest // _CELL_CHARACTERS_PER_LINE))
    return lines


def _fresh_id(candidate: str, used: set[str]) -> str:
    suffix = 0
    anchor = candidate
    while anchor in used:
        suffix += 1
        anchor = f"{candidate}-{suffix}"
    return anchor


def _title_page(title: str, period: str, rendered_on: dt.date) -> str:
    return (
        '<section class="lockin-title-page">'
        f'<h1 class="lockin-title">{html.escape(title)}</h1>'
        f'<p class="lockin-period">{html.escape(period)}</p>'
        f'<p class="lockin-rendered">Rendered {rendered_on.isoformat()}</p>'
        "</section>"
    )


def _contents(headings: list[tuple[str, str, str]]) -> str:
    items = "".join(f'<li class="lockin-toc-{level}"><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>' for level, anchor, text in headings)
    return f'<nav class="lockin-toc" id="lockin-contents"><p class="lockin-toc-title">Contents</p><ol>{items}</ol></nav>'


def _offline_url_fetcher():
    import weasyprint.urls

    if hasattr(weasyprint.urls, "URLFetcher"):
        return weasyprint.urls.URLFetcher(allowed_protocols=_OFFLINE_SCHEMES)

    # Older WeasyPrint releases take a plain function instead of a URLFetcher.
    def fetch(url: str, *args, **kwargs):
        if url.split(":", 1)[0].lower() not in _OFFLINE_SCHEMES:
            raise ValueError(f"the report reads nothing from the network: {url}")
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    return fetch
