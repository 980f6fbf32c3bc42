"""index.html: every report folder present, newest first, with its links and render date."""

import datetime as dt
import json
import os
import re

from lockin.report.site import INDEX_FILE, MANIFEST_FILE, list_reports, write_index, write_manifest

RENDERED = dt.datetime(2026, 11, 26, 7, 5, tzinfo=dt.UTC)


def report_folder(out_dir, period, notebooks=("01_inventory.ipynb", "strategy_report.ipynb"), rendered_at=RENDERED, files=("strategy_report.html", "strategy_report.pdf")):
    folder = out_dir / period
    folder.mkdir(parents=True)
    for name in (*notebooks, *files):
        (folder / name).write_text("x")
    if rendered_at is not None:
        write_manifest(folder, period=period, rendered_at=rendered_at, notebooks=list(notebooks))
    return folder


def test_the_index_lists_every_period_newest_first_months_and_quarters_together(tmp_path):
    for period in ("2026-09", "2026-Q3", "2026-12", "2026-Q4", "2025-12"):
        report_folder(tmp_path, period)
    page = write_index(tmp_path).read_text()
    rows = re.findall(r'<tr id="period-([^"]+)"', page)
    assert rows == ["2026-Q4", "2026-12", "2026-Q3", "2026-09", "2025-12"]


def test_each_row_links_the_pdf_the_html_and_every_notebook(tmp_path):
    report_folder(tmp_path, "2026-11", notebooks=("01_inventory.ipynb", "02_hardware.ipynb", "strategy_report.ipynb"))
    page = write_index(tmp_path).read_text()
    for target in ("2026-11/strategy_report.pdf", "2026-11/strategy_report.html", "2026-11/01_inventory.ipynb", "2026-11/02_hardware.ipynb", "2026-11/strategy_report.ipynb"):
        assert f'href="{target}"' in page
    assert ">PDF</a>" in page and ">HTML</a>" in page and ">01_inventory</a>" in page


def test_the_render_date_comes_from_the_manifest(tmp_path):
    report_folder(tmp_path, "2026-11", rendered_at=dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    assert "2026-11-26 07:30 UTC" in write_index(tmp_path).read_text()


def test_a_folder_without_manifest_shows_its_report_time_and_notebooks(tmp_path):
    folder = report_folder(tmp_path, "2026-10", rendered_at=None)
    stamp = dt.datetime(2026, 10, 31, 23, 0, tzinfo=dt.UTC).timestamp()
    os.utime(folder / "strategy_report.html", (stamp, stamp))
    [entry] = list_reports(tmp_path)
    assert entry.rendered_at == "2026-10-31 23:00 UTC"
    assert entry.notebooks == ("01_inventory.ipynb", "strategy_report.ipynb")


def test_missing_files_are_not_linked(tmp_path):
    report_folder(tmp_path, "2026-11", files=("strategy_report.html",))
    page = write_index(tmp_path).read_text()
    assert "strategy_report.pdf" not in page and 'href="2026-11/strategy_report.html"' in page


def test_manifest_notebooks_that_are_gone_are_not_linked(tmp_path):
    folder = report_folder(tmp_path, "2026-11")
    (folder / "01_inventory.ipynb").unlink()
    assert list_reports(tmp_path)[0].notebooks == ("strategy_report.ipynb",)


def test_other_folders_and_files_are_not_reports(tmp_path):
    report_folder(tmp_path, "2026-11")
    (tmp_path / "failed" / "2026-11-20261126T070500Z").mkdir(parents=True)
    (tmp_path / ".staging-2026-12-abc").mkdir()
    (tmp_path / "2026-q4").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "history.sqlite").write_text("")
    assert [entry.period for entry in list_reports(tmp_path)] == ["2026-11"]


def test_an_empty_folder_gets_an_index_that_says_so(tmp_path):
    assert "No reports yet." in write_index(tmp_path).read_text()


def test_the_index_is_replaced_atomically_without_leftovers(tmp_path):
    (tmp_path / INDEX_FILE).write_text("old index")
    report_folder(tmp_path, "2026-11")
    write_index(tmp_path)
    assert "2026-11" in (tmp_path / INDEX_FILE).read_text()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["2026-11", INDEX_FILE]
    assert oct((tmp_path / INDEX_FILE).stat().st_mode & 0o777) == "0o644"


def test_the_manifest_records_period_time_and_notebooks(tmp_path):
    path = write_manifest(tmp_path, period="2026-Q4", rendered_at=RENDERED, notebooks=["a.ipynb"], extra={"lockin_version": "0.1.0"})
    assert path.name == MANIFEST_FILE
    assert json.loads(path.read_text()) == {"period": "2026-Q4", "rendered_at": "2026-11-26 07:05 UTC", "notebooks": ["a.ipynb"], "tables": [], "lockin_version": "0.1.0"}


def test_the_generation_time_is_shown(tmp_path):
    page = write_index(tmp_path, generated_at=dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)).read_text()
    assert "Index generated 2026-12-01 06:00 UTC." in page


def test_each_row_links_the_report_folders_csv_tables(tmp_path):
    folder = report_folder(tmp_path, "2026-11", files=("strategy_report.html", "strategy_report.pdf", "roadblocks.csv", "inputs.csv", "notes.txt"))
    page = write_index(tmp_path).read_text()
    assert 'href="2026-11/roadblocks.csv">roadblocks</a>' in page and 'href="2026-11/inputs.csv">inputs</a>' in page
    assert "notes.txt" not in page
    (folder / "inputs.csv").unlink()
    assert list_reports(tmp_path)[0].tables == ("roadblocks.csv",)


def test_the_manifest_lists_the_tables_written_before_it(tmp_path):
    folder = tmp_path / "2026-11"
    folder.mkdir()
    for name in ("scores.csv", "findings.csv"):
        (folder / name).write_text("project\n")
    write_manifest(folder, period="2026-11", rendered_at=RENDERED, notebooks=[])
    assert json.loads((folder / MANIFEST_FILE).read_text())["tables"] == ["findings.csv", "scores.csv"]
