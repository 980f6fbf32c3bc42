"""The history database and the period_figures.json contract."""

import copy
import datetime as dt
import json
import math
import sqlite3

import pytest

from lockin.report.figures import SCORE_KEYS, FiguresError, load_figures, validate_figures
from lockin.report.history import HISTORY_COLUMNS, read_history, record_period, recorded_periods


def figures(period, ratio=0.5, projects=("alpha", "beta")):
    scores = [
        {"project": name, "rating": "C", "lockin_ratio": ratio, "roadblocks": 2, "effort_pm_p10": 1.0, "effort_pm_p50": 2.5, "effort_pm_p90": 6.0, "npv_usd": -1000.0, "recommendation": "stay"}
        for name in projects
    ]
    total = {"rating": "B", "lockin_ratio": ratio, "roadblocks": 4, "effort_pm_p10": 2.0, "effort_pm_p50": 5.0, "effort_pm_p90": 12.0, "npv_usd": None, "recommendation": "pilot"}
    return {"period": period, "catalog_version": "2026.11", "params_hash": "abc123", "scores": scores, "portfolio": total}


def rows(path, table):
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT * FROM {table}").fetchall()


def test_a_recorded_period_reads_back_with_all_its_figures(tmp_path):
    db = tmp_path / "history.sqlite"
    record_period(db, figures("2026-11"), rendered_at=dt.datetime(2026, 11, 26, 8, 30, tzinfo=dt.UTC))
    history = read_history(db)
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert list(history["project"]) == ["alpha", "beta", None]
    assert list(history["record"]) == ["project", "project", "portfolio"]
    portfolio = history.iloc[-1]
    assert portfolio["rating"] == "B" and portfolio["roadblocks"] == 4 and portfolio["effort_pm_p90"] == 12.0
    assert math.isnan(portfolio["npv_usd"])
    assert set(history["rendered_at"]) == {"2026-11-26T08:30:00Z"}
    assert set(history["catalog_version"]) == {"2026.11"} and set(history["params_hash"]) == {"abc123"}


def test_rerunning_a_period_replaces_it_and_never_duplicates_it(tmp_path):
    db = tmp_path / "history.sqlite"
    record_period(db, figures("2026-10", ratio=0.4))
    record_period(db, figures("2026-11", ratio=0.5, projects=("alpha", "beta", "gamma")))
    record_period(db, figures("2026-11", ratio=0.7, projects=("alpha",)))
    assert len(rows(db, "periods")) == 2
    november = read_history(db).query("period == '2026-11'")
    assert list(november["project"]) == ["alpha", None]
    assert set(november["lockin_ratio"]) == {0.7}
    assert len(read_history(db).query("period == '2026-10'")) == 3


def test_history_is_ordered_chronologically_with_quarters_after_their_last_month(tmp_path):
    db = tmp_path / "history.sqlite"
    for period in ["2027-01", "2026-Q4", "2026-12", "2026-09", "2026-Q3", "2026-10"]:
        record_period(db, figures(period))
    assert recorded_periods(db) == ["2026-09", "2026-Q3", "2026-10", "2026-12", "2026-Q4", "2027-01"]
    history = read_history(db)
    assert list(dict.fromkeys(history["period"])) == recorded_periods(db)
    assert list(history["project"][:3]) == ["alpha", "beta", None]


def test_a_missing_history_is_empty_and_is_not_created(tmp_path):
    db = tmp_path / "nowhere" / "history.sqlite"
    history = read_history(db)
    assert history.empty
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert history["lockin_ratio"].dtype == "float64"
    assert not db.exists() and not db.parent.exists()


def test_an_empty_file_reads_as_an_empty_history(tmp_path):
    db = tmp_path / "history.sqlite"
    db.touch()
    assert read_history(db).empty


def test_empty_and_filled_histories_have_the_same_column_types(tmp_path):
    db = tmp_path / "history.sqlite"
    empty = read_history(db).dtypes
    record_period(db, figures("2026-11"))
    filled = read_history(db).dtypes
    assert {name: str(kind) for name, kind in empty.items()} == {name: str(kind) for name, kind in filled.items()}


def test_recording_creates_the_folder_and_the_schema(tmp_path):
    db = tmp_path / "deep" / "er" / "history.sqlite"
    record_period(db, figures("2026-Q1"))
    with sqlite3.connect(db) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(scores)")]
        keys = [row[1] for row in connection.execute("PRAGMA table_info(periods)") if row[5]]
    assert columns == ["period", *SCORE_KEYS, "record"]
    assert keys == ["period"]


def test_invalid_figures_are_refused_before_the_database_is_touched(tmp_path):
    db = tmp_path / "history.sqlite"
    record_period(db, figures("2026-10"))
    before = db.read_bytes()
    broken = figures("2026-11")
    del broken["scores"][1]["rating"]
    with pytest.raises(FiguresError, match=r"scores\[1\].*'rating'"):
        record_period(db, broken)
    assert db.read_bytes() == before


def test_a_failed_insert_rolls_the_whole_period_back(tmp_path, monkeypatch):
    db = tmp_path / "history.sqlite"
    record_period(db, figures("2026-11", ratio=0.4))
    duplicate = figures("2026-11", ratio=0.9)
    # Bypass validation to make the insert itself fail half-way (duplicate key).
    monkeypatch.setattr("lockin.report.history.validate_figures", lambda document, source: document)
    duplicate["scores"].append(copy.deepcopy(duplicate["scores"][0]))
    with pytest.raises(sqlite3.IntegrityError):
        record_period(db, duplicate)
    assert set(read_history(db)["lockin_ratio"]) == {0.4}
    assert len(read_history(db)) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.pop("catalog_version"), "missing key.*'catalog_version'"),
        (lambda f: f.pop("scores"), "missing key.*'scores'"),
        (lambda f: f.update(scores={}), "'scores' must be a list"),
        (lambda f: f.pop("portfolio"), "missing key.*'portfolio'"),
        (lambda f: f["portfolio"].pop("rating"), r"portfolio.*'rating'"),
        (lambda f: f.update(period="2026-13"), "neither a month"),
        (lambda f: f["scores"][0].pop("effort_pm_p50"), r"scores\[0\].*'effort_pm_p50'"),
        (lambda f: f["scores"][0].update(lockin_ratio="high"), "'lockin_ratio' must be a number"),
        (lambda f: f["scores"][0].update(lockin_ratio=float("nan")), "'lockin_ratio' is NaN"),
        (lambda f: f["scores"][0].update(roadblocks=2.5), "'roadblocks' must be a whole number"),
        (lambda f: f["scores"][0].update(roadblocks=True), "'roadblocks' must be a whole number"),
        (lambda f: f["scores"][0].update(project=""), "'project' must be a non-empty string"),
        (lambda f: f["scores"][1].update(project="alpha"), "'alpha' appears more than once"),
    ],
)
def test_figures_that_break_the_contract_are_named_precisely(change, message):
    document = figures("2026-11")
    change(document)
    with pytest.raises(FiguresError, match=message):
        validate_figures(document, source="period_figures.json")


def test_figures_are_normalized_for_the_database():
    document = figures("2026-q4")
    document["scores"][0].update(roadblocks=3.0, npv_usd=float("nan"), lockin_ratio=1)
    normalized = validate_figures(document)
    assert normalized["period"] == "2026-Q4"
    assert normalized["scores"][0]["roadblocks"] == 3 and isinstance(normalized["scores"][0]["roadblocks"], int)
    assert normalized["scores"][0]["npv_usd"] is None
    assert normalized["scores"][0]["lockin_ratio"] == 1.0


def test_a_figures_file_error_names_the_file(tmp_path):
    path = tmp_path / "period_figures.json"
    document = figures("2026-11")
    del document["params_hash"]
    path.write_text(json.dumps(document))
    with pytest.raises(FiguresError) as error:
        load_figures(path)
    assert str(path) in str(error.value) and "'params_hash'" in str(error.value)


def test_a_missing_figures_file_says_who_should_have_written_it(tmp_path):
    with pytest.raises(FiguresError, match="strategy notebook must write period_figures.json"):
        load_figures(tmp_path / "period_figures.json")


def test_a_figures_file_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "period_figures.json"
    path.write_text("{not json")
    with pytest.raises(FiguresError, match="cannot be read as JSON"):
        load_figures(path)


def test_figures_for_another_period_are_refused(tmp_path):
    path = tmp_path / "period_figures.json"
    path.write_text(json.dumps(figures("2026-10")))
    with pytest.raises(FiguresError, match="'2026-10', but the report is for '2026-11'"):
        load_figures(path, expected_period="2026-11")


def test_a_project_named_portfolio_is_kept_apart_from_the_totals(tmp_path):
    """Version 1 told the totals by the name 'portfolio', which a project could carry."""
    db = tmp_path / "history.sqlite"
    record_period(db, figures("2026-11", projects=("portfolio", "beta")))
    history = read_history(db)
    assert list(history["record"]) == ["project", "project", "portfolio"]
    assert list(history["project"]) == ["beta", "portfolio", None]
    assert history.iloc[-1]["rating"] == "B" and set(history.iloc[:2]["rating"]) == {"C"}


def test_an_empty_portfolio_records_only_its_totals(tmp_path):
    db = tmp_path / "history.sqlite"
    record_period(db, figures("2026-11", projects=()))
    assert list(read_history(db)["record"]) == ["portfolio"]


def test_a_version_1_history_reads_and_is_migrated_when_next_written(tmp_path):
    db = tmp_path / "history.sqlite"
    with sqlite3.connect(db) as connection:
        connection.executescript(
            "CREATE TABLE periods (period TEXT PRIMARY KEY, rendered_at TEXT, catalog_version TEXT, params_hash TEXT);"
            "CREATE TABLE scores (period TEXT, project TEXT, rating TEXT, lockin_ratio REAL, roadblocks INTEGER, effort_pm_p10 REAL,"
            " effort_pm_p50 REAL, effort_pm_p90 REAL, npv_usd REAL, recommendation TEXT, PRIMARY KEY (period, project));"
            "INSERT INTO periods VALUES ('2026-10', '2026-10-30T00:00:00Z', 'c', 'h');"
            "INSERT INTO scores VALUES ('2026-10', 'alpha', 'C', 0.5, 2, 1, 2, 3, NULL, 'stay');"
            "INSERT INTO scores VALUES ('2026-10', 'portfolio', 'B', 0.4, 2, 1, 2, 3, NULL, 'stay');"
            "PRAGMA user_version = 1;"
        )
    before = read_history(db)
    assert list(before["record"]) == ["project", "portfolio"] and list(before["project"]) == ["alpha", None]
    record_period(db, figures("2026-11"))
    after = read_history(db)
    assert list(after["record"]) == ["project", "portfolio", "project", "project", "portfolio"]
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 2
