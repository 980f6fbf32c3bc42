"""HTML without code or parameters, and the PDF WeasyPrint makes of it."""

import base64
import datetime as dt
import re
import struct
import zlib

import nbformat
import pytest
from pypdf import PdfReader

from lockin.report.render import REPORT_TITLE, _offline_url_fetcher, make_report_document, notebook_html, print_stylesheet, write_pdf

RENDERED_ON = dt.date(2026, 11, 26)


def png(width, height, rgb=(200, 30, 30)):
    """A solid-colour PNG, made with the standard library only."""
    row = b"\x00" + bytes(rgb) * width
    chunks = [(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)), (b"IDAT", zlib.compress(row * height)), (b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data)) for kind, data in chunks)


def executed_notebook(path):
    """A notebook as papermill leaves it: parameters, injected parameters, code with outputs."""
    document = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell("portfolio = 'PARAMETER_DEFAULT_MARKER'")
    parameters.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell("# Parameters\nportfolio = '/srv/INJECTED_PARAMETER_MARKER'")
    injected.metadata["tags"] = ["injected-parameters"]
    injected.outputs = [nbformat.v4.new_output("stream", name="stdout", text="INJECTED_OUTPUT_MARKER\n")]
    code = nbformat.v4.new_code_cell("import secrets_of_the_code_cell\nCODE_SOURCE_MARKER = 1")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="visible stdout line\n"),
        nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(png(30, 20)).decode(), "text/plain": "<Figure>"}),
        nbformat.v4.new_output("execute_result", data={"text/html": "<table><tr><th>project</th></tr><tr><td>llm-trainer</td></tr></table>", "text/plain": "frame"}, execution_count=2),
    ]
    document.cells = [
        parameters,
        injected,
        nbformat.v4.new_markdown_cell("# Executive summary\n\nThe portfolio is rated **C**."),
        code,
        nbformat.v4.new_markdown_cell("## Trend"),
        nbformat.v4.new_code_cell("from IPython.display import HTML", outputs=[nbformat.v4.new_output("display_data", data={"text/html": "<h2>From an output</h2>"})]),
        nbformat.v4.new_markdown_cell("## Trend\n\nA second heading with the same title."),
    ]
    nbformat.write(document, path)
    return path


@pytest.fixture
def exported(tmp_path):
    return notebook_html(executed_notebook(tmp_path / "strategy_report.ipynb"))


def test_code_inputs_are_hidden_and_outputs_kept(exported):
    assert "CODE_SOURCE_MARKER" not in exported and "secrets_of_the_code_cell" not in exported
    assert "visible stdout line" in exported
    assert "llm-trainer" in exported
    assert "The portfolio is rated <strong>C</strong>" in exported


def test_parameter_cells_are_removed_entirely(exported):
    for marker in ("PARAMETER_DEFAULT_MARKER", "INJECTED_PARAMETER_MARKER", "INJECTED_OUTPUT_MARKER"):
        assert marker not in exported


def test_no_prompts_are_shown(exported):
    markup = re.sub(r"<style.*?</style>", "", exported, flags=re.S)
    assert "In&nbsp;[" not in markup and "In [" not in markup
    assert "Out[" not in markup and "Out&nbsp;[" not in markup


def test_images_are_embedded_as_data_urls(exported):
    assert re.search(r'<img[^>]+src="data:image/png;base64,', exported)


def test_front_matter_adds_title_page_contents_and_print_style(exported):
    report = make_report_document(exported, period="2026-11", rendered_on=RENDERED_ON)
    assert REPORT_TITLE in report and "2026-11" in report and "Rendered 2026-11-26" in report
    contents = re.search(r'<nav class="lockin-toc".*?</nav>', report, re.S).group(0)
    titles = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', contents)
    assert [title for _, title in titles] == ["Executive summary", "Trend", "From an output", "Trend"]
    anchors = [anchor for anchor, _ in titles]
    assert len(set(anchors)) == len(anchors), "every contents entry needs its own anchor"
    for anchor in anchors:
        assert f'id="{anchor}"' in report
    assert "@page" in report and "target-counter" in report


def test_front_matter_drops_every_script_and_permalink(exported):
    assert "<script" in exported, "nbconvert's page has scripts to drop (require.js, MathJax)"
    report = make_report_document(exported, period="2026-11", rendered_on=RENDERED_ON)
    assert "<script" not in report
    assert "anchor-link" not in re.sub(r"<style.*?</style>", "", report, flags=re.S)
    assert "https://cdnjs" not in report


def test_the_print_stylesheet_is_package_data():
    css = print_stylesheet()
    assert "size: A4" in css
    assert 'counter(page) " of " counter(pages)' in css
    assert "break-inside: avoid" in css


def sample_report(table_rows=6, filler_paragraphs=0):
    filler = "".join(f"<p>Filler paragraph {number} that takes up room on the page.</p>" for number in range(filler_paragraphs))
    rows = "".join(f"<tr><td>row-{number}</td><td>{number * 1.5}</td></tr>" for number in range(table_rows))
    image = base64.b64encode(png(40, 30)).decode()
    body = (
        "<h1>Executive summary</h1><p>The portfolio is rated C.</p>"
        f"<h2>Scores</h2>{filler}<table><thead><tr><th>project</th><th>ratio</th></tr></thead><tbody>{rows}</tbody></table>"
        f'<h2>Trend</h2><div class="jp-OutputArea-output"><img src="data:image/png;base64,{image}" alt="trend"></div>'
    )
    page = f"<!DOCTYPE html><html><head><title>x</title></head><body>{body}</body></html>"
    return make_report_document(page, period="2026-Q4", rendered_on=RENDERED_ON)


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory):
    target = tmp_path_factory.mktemp("pdf") / "report.pdf"
    write_pdf(sample_report(), target)
    return PdfReader(target)


def page_texts(reader):
    return [page.extract_text() for page in reader.pages]


def test_the_pdf_opens_with_a_title_page_without_page_number(sample_pdf):
    first = page_texts(sample_pdf)[0]
    assert REPORT_TITLE in first and "2026-Q4" in first and "Rendered 2026-11-26" in first
    assert "page 1 of" not in first


def test_the_pdf_is_a4(sample_pdf):
    box = sample_pdf.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


def test_every_page_after_the_title_is_numbered_n_of_m(sample_pdf):
    texts = page_texts(sample_pdf)
    total = len(texts)
    assert total >= 3
    for number, text in enumerate(texts[1:], start=2):
        assert f"page {number} of {total}" in text


def test_the_contents_lists_headings_with_the_pages_they_are_on(sample_pdf):
    texts = page_texts(sample_pdf)
    contents = texts[1]
    assert "Contents" in contents
    for title in ("Executive summary", "Scores", "Trend"):
        entry = re.search(rf"{title}\s*\.*\s*(\d+)", contents)
        assert entry, f"{title} missing from the contents"
        page = int(entry.group(1))
        assert title in texts[page - 1], f"{title} is not on page {page}"


def test_the_running_header_names_the_period(sample_pdf):
    assert "Vendor lock-in strategy report — 2026-Q4" in page_texts(sample_pdf)[1]


def test_the_table_and_the_embedded_image_reach_the_pdf(sample_pdf):
    text = "\n".join(page_texts(sample_pdf))
    assert "row-0" in text and "row-5" in text and "7.5" in text
    # WeasyPrint shares one resource dictionary between pages, so each page
    # lists the same image: what matters is that it is there, at full size.
    assert {image.image.size for page in sample_pdf.pages for image in page.images} == {(40, 30)}


def test_a_table_is_moved_whole_to_the_next_page_rather_than_split(tmp_path):
    # Enough filler that the table would start near the foot of the page.
    target = tmp_path / "report.pdf"
    for filler in (30, 38, 46):
        write_pdf(sample_report(table_rows=25, filler_paragraphs=filler), target)
        texts = page_texts(PdfReader(target))
        holding = [number for number, text in enumerate(texts) if re.search(r"row-\d+\b", text)]
        assert len(holding) == 1, f"table split across pages {holding} with {filler} filler paragraphs"
        assert "row-0" in texts[holding[0]] and "row-24" in texts[holding[0]]


def test_the_pdf_renderer_refuses_network_urls_and_reads_data_urls():
    fetch = _offline_url_fetcher()
    with pytest.raises(ValueError):
        fetch("https://example.invalid/tracker.png")
    response = fetch("data:text/plain;base64," + base64.b64encode(b"inline").decode())
    assert response is not None


def test_a_page_pointing_at_the_network_still_renders(tmp_path):
    page = make_report_document(
        '<html><head></head><body><h1>Offline</h1><img src="https://example.invalid/tracker.png"><link rel="stylesheet" href="https://example.invalid/x.css"></body></html>',
        period="2026-11",
        rendered_on=RENDERED_ON,
    )
    target = write_pdf(page, tmp_path / "offline.pdf")
    assert "Offline" in "".join(page_texts(PdfReader(target)))


def test_column_names_and_long_cell_words_get_break_points():
    page = "<html><head></head><body><table><tr><th>effort_pm_p50</th></tr><tr><td>inference-gateway</td><td>89d9a808c3a6c2df030648ef3167af170de705e5</td><td>deploy/k8s/deployment.yaml</td><td>a&lt;b</td></tr></table></body></html>"
    report = make_report_document(page, period="2026-11", rendered_on=RENDERED_ON)
    assert "effort_<wbr/>pm_<wbr/>p50" in report
    assert "<td>inference-gateway</td>" in report, "ordinary words are left alone"
    assert "89d9a808c3a6c2df030648ef<wbr/>3167af170de705e5" in report
    assert "deploy/<wbr/>k8s/<wbr/>deployment.yaml" in report
    assert "<td>a&lt;b</td>" in report, "text stays escaped"


def test_only_tables_longer_than_a_page_may_break():
    short = "".join(f"<tr><td>{n}</td></tr>" for n in range(10))
    long = "".join(f"<tr><td>{n}</td></tr>" for n in range(80))
    cell = '<div class="jp-Cell"><div class="jp-OutputArea-child"><div class="jp-OutputArea-output"><table id="{id}">{rows}</table></div></div></div>'
    page = f"<html><head></head><body>{cell.format(id='short', rows=short)}{cell.format(id='long', rows=long)}</body></html>"
    report = make_report_document(page, period="2026-11", rendered_on=RENDERED_ON)
    assert re.search(r'<table id="short">', report)
    assert re.search(r'<table class="lockin-long-table" id="long">|<table id="long" class="lockin-long-table">', report)
    assert report.count('class="jp-OutputArea-output lockin-long-table"') == 1
    assert report.count('class="jp-OutputArea-child lockin-long-table"') == 1
    assert report.count('class="jp-Cell lockin-long-table"') == 1


def test_a_long_table_breaks_between_rows_and_repeats_its_header(tmp_path):
    rows = "".join(f"<tr><td>row-{number}</td><td>{number}</td></tr>" for number in range(120))
    page = f"<html><head></head><body><h1>Inputs</h1><table><thead><tr><th>file_name</th><th>bytes</th></tr></thead><tbody>{rows}</tbody></table></body></html>"
    target = write_pdf(make_report_document(page, period="2026-11", rendered_on=RENDERED_ON), tmp_path / "long.pdf")
    texts = page_texts(PdfReader(target))
    holding = [text for text in texts if "row-" in text]
    assert len(holding) >= 2
    assert "Inputs" in holding[0], "the table starts right under its heading"
    assert all("bytes" in text for text in holding), "the header repeats on every page"


def test_a_markdown_cell_ending_in_a_heading_is_kept_with_the_next_cell(exported):
    report = make_report_document(exported, period="2026-11", rendered_on=RENDERED_ON)
    marked = re.findall(r'<div class="([^"]*lockin-keep-with-next[^"]*)"', report)
    assert len(marked) == 1, "only '## Trend' ends its cell; '# Executive summary' has text after it"


def notebook_with_cells(path, *markdown):
    document = nbformat.v4.new_notebook()
    document.cells = [nbformat.v4.new_markdown_cell(text) for text in markdown]
    nbformat.write(document, path)
    return path


def contents_titles(report):
    contents = re.search(r'<nav class="lockin-toc".*?</nav>', report, re.S).group(0)
    return [title for _, title in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', contents)]


def test_a_first_heading_repeating_the_title_is_left_to_the_title_page(tmp_path):
    source = notebook_with_cells(tmp_path / "strategy_report.ipynb", f"# {REPORT_TITLE}", "## Executive summary\n\nThe portfolio rates C.")
    report = make_report_document(notebook_html(source), period="2026-11", rendered_on=RENDERED_ON)
    assert contents_titles(report) == ["Executive summary"]
    body = re.sub(r"<(style|title).*?</\1>", "", report, flags=re.S)
    assert body.count(REPORT_TITLE) == 1, "the title page's title only"
    assert "The portfolio rates C." in report


def test_a_first_heading_that_is_not_the_title_stays(tmp_path):
    source = notebook_with_cells(tmp_path / "other.ipynb", "# Vendor lock-in strategy report for the GPU fleet", "## Scope")
    report = make_report_document(notebook_html(source), period="2026-11", rendered_on=RENDERED_ON)
    assert contents_titles(report) == ["Vendor lock-in strategy report for the GPU fleet", "Scope"]


def test_links_to_tables_beside_the_report_stay_relative_in_html_and_pdf(tmp_path):
    from lockin.report.render import render_strategy_report

    source = notebook_with_cells(tmp_path / "strategy_report.ipynb", "## Roadblocks\n\nEvery row: [roadblocks.csv](roadblocks.csv), and [the inputs](tables/inputs%20all.csv).")
    html_path, pdf_path = tmp_path / "strategy_report.html", tmp_path / "strategy_report.pdf"
    render_strategy_report(source, html_path, pdf_path, period="2026-11", rendered_on=RENDERED_ON)
    html_text = html_path.read_text()
    assert 'href="roadblocks.csv"' in html_text and 'href="tables/inputs%20all.csv"' in html_text
    links = [annotation.get_object()["/A"].get("/URI") for page in PdfReader(pdf_path).pages for annotation in page.get("/Annots", []) if "/A" in annotation.get_object()]
    assert "roadblocks.csv" in links and "tables/inputs%20all.csv" in links
    assert not any(str(link).startswith("file:") for link in links), links
