"""The report history: one row set per period in a SQLite database.

``lockin report`` records each period's figures after its notebooks
succeeded; the strategy notebook reads the history back to draw the trend.
The database holds two tables::

    periods(period TEXT PRIMARY KEY, rendered_at TEXT, catalog_version TEXT, params_hash TEXT)
    scores(period TEXT, project TEXT, rating TEXT, lockin_ratio REAL, roadblocks INTEGER,
           effort_pm_p10 REAL, effort_pm_p50 REAL, effort_pm_p90 REAL, npv_usd REAL,
           recommendation TEXT, record TEXT, PRIMARY KEY(period, project))

``scores`` has one row per project (``record`` ``project``) and one for the
whole portfolio (``record`` ``portfolio``, ``project`` the empty string,
which no project can be named). Version 1 files marked the totals only by
the project name ``portfolio``, which a real project could carry; they are
migrated when next written. Recording a period that is already there
replaces it in one transaction, so a re-run never duplicates a period and a
crash never leaves half of one.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from lockin.errors import LockinError
from lockin.records import PORTFOLIO_RECORD, PROJECT_RECORD
from lockin.report.figures import SCORE_KEYS, validate_figures
from lockin.report.periods import period_sort_key

#: ``record`` of the portfolio-wide row (and its project name in version 1
#: files), and of a project's row.
PORTFOLIO, PROJECT = PORTFOLIO_RECORD, PROJECT_RECORD

#: Bumped when the schema changes, so a later version can migrate old files.
SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS periods (
    period TEXT PRIMARY KEY,
    rendered_at TEXT,
    catalog_version TEXT,
    params_hash TEXT
);
CREATE TABLE IF NOT EXISTS scores (
    period TEXT,
    project TEXT,
    rating TEXT,
    lockin_ratio REAL,
    roadblocks INTEGER,
    effort_pm_p10 REAL,
    effort_pm_p50 REAL,
    effort_pm_p90 REAL,
    npv_usd REAL,
    recommendation TEXT,
    record TEXT NOT NULL DEFAULT 'project',
    PRIMARY KEY (period, project)
);
"""

#: The columns each table must have for a file to be a lockin history
#: (version 1 files have no ``record`` column yet; they are migrated when written).
TABLE_COLUMNS = {
    "periods": ("period", "rendered_at", "catalog_version", "params_hash"),
    "scores": ("period", *SCORE_KEYS),
}

#: Columns of :func:`read_history`'s frame: the period's, the record's kind, then the score's.
HISTORY_COLUMNS = ("period", "rendered_at", "catalog_version", "params_hash", "record", *SCORE_KEYS)

_NUMBER_DTYPES = {
    "project": "object",
    "lockin_ratio": "float64",
    "roadblocks": "Int64",
    "effort_pm_p10": "float64",
    "effort_pm_p50": "float64",
    "effort_pm_p90": "float64",
    "npv_usd": "float64",
}

# A concurrent writer (another output folder sharing the history) holds the
# database only for the few milliseconds of one transaction.
_BUSY_TIMEOUT_SECONDS = 30


class HistoryError(LockinError, ValueError):
    """A history database lockin cannot use: not SQLite, someone else's, or not writable."""


def check_history(path: str | Path) -> None:
    """Check, without changing anything, that ``path`` can be a history database.

    A missing file is fine (the first record creates it). An existing one
    must be a file lockin can write, an SQLite database, and either empty
    or a lockin history: ``periods`` and ``scores`` tables with their
    columns, at a schema version this lockin knows. It is opened read-only,
    so a foreign database is never touched.

    Parameters
    ----------
    path : path

    Raises
    ------
    HistoryError
        Naming ``path`` and the problem.
    """
    path = Path(path)
    if not path.exists():
        return
    if not path.is_file():
        raise HistoryError(f"history {path}: not a file")
    try:
        # Opening for writing changes nothing, and answers for ACLs, read-only
        # mounts and immutable files alike, which the mode bits do not.
        with path.open("r+b"):
            pass
    except OSError as error:
        raise HistoryError(f"history {path}: cannot be written ({error.strerror or error})") from error
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_SECONDS)) as connection:
            problem = _schema_problem(connection)
    except sqlite3.DatabaseError as error:
        raise HistoryError(f"history {path}: not an SQLite database ({error})") from error
    if problem:
        raise HistoryError(f"history {path}: {problem}")


def _schema_problem(connection: sqlite3.Connection) -> str:
    """What keeps an SQLite database from being a lockin history; empty if nothing."""
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return ""
    missing = sorted(set(TABLE_COLUMNS) - tables)
    if missing:
        return f"an SQLite database but not a lockin history (no table {', '.join(missing)}; it has {', '.join(sorted(tables))})"
    for table, expected in TABLE_COLUMNS.items():
        columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        absent = [column for column in expected if column not in columns]
        if absent:
            return f"an SQLite database but not a lockin history (table {table} lacks {', '.join(absent)})"
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        return f"written by a newer lockin (schema version {version}; this one knows {SCHEMA_VERSION})"
    return ""


def record_period(path: str | Path, figures: dict[str, Any], rendered_at: dt.datetime | None = None) -> None:
    """Record one period's figures, replacing the period if it is there.

    Parameters
    ----------
    path : path
        The SQLite file; created, with its folder, when missing.
    figures : dict
        A figures document (see :mod:`lockin.report.figures`); checked
        before anything is written.
    rendered_at : datetime.datetime, optional
        When the report was rendered; defaults to now (UTC).

    Raises
    ------
    lockin.report.figures.FiguresError
        If ``figures`` breaks the contract; the database is not touched.
    """
    figures = validate_figures(figures, source="figures")
    rendered_at = rendered_at or dt.datetime.now(dt.UTC)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _connect(path) as connection, _transaction(connection):
        _ensure_schema(connection)
        connection.execute("DELETE FROM scores WHERE period = ?", (figures["period"],))
        connection.execute("DELETE FROM periods WHERE period = ?", (figures["period"],))
        connection.execute(
            "INSERT INTO periods (period, rendered_at, catalog_version, params_hash) VALUES (?, ?, ?, ?)",
            (figures["period"], _timestamp(rendered_at), figures["catalog_version"], figures["params_hash"]),
        )
        rows = [(PROJECT, *(score[key] for key in SCORE_KEYS)) for score in figures["scores"]]
        rows.append((PORTFOLIO, "", *(figures["portfolio"][key] for key in SCORE_KEYS[1:])))
        connection.executemany(
            f"INSERT INTO scores (period, record, {', '.join(SCORE_KEYS)}) VALUES (?, ?, {', '.join('?' for _ in SCORE_KEYS)})",
            [(figures["period"], *row) for row in rows],
        )


def read_history(path: str | Path) -> pd.DataFrame:
    """Every recorded period's scores, oldest period first.

    Parameters
    ----------
    path : path
        The SQLite file. A missing file is an empty history (the first
        report has no trend yet), and reading never creates it.

    Returns
    -------
    pandas.DataFrame
        One row per period and project, with columns :data:`HISTORY_COLUMNS`;
        sorted chronologically by period (a quarter right after its last
        month), then by project with the totals (``record`` ``portfolio``,
        ``project`` None) last.

    Notes
    -----
    During ``lockin report`` the period being rendered is recorded only
    after all notebooks succeeded, so a notebook reading the history sees
    the earlier periods and adds its own figures to the trend itself. When
    a period is rendered again, the history still holds that period's
    previous figures: drop the rows of the current ``period`` before
    appending the new ones.
    """
    path = Path(path)
    if not path.is_file():
        return _empty_history()
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_SECONDS)) as connection:
        if not _has_tables(connection):
            return _empty_history()
        # Version 1 files have no record column: their totals are the rows named portfolio.
        record = "s.record" if _schema_version(connection) >= 2 else f"CASE WHEN s.project = '{PORTFOLIO}' THEN '{PORTFOLIO}' ELSE '{PROJECT}' END"
        frame = pd.read_sql_query(
            f"SELECT p.period, p.rendered_at, p.catalog_version, p.params_hash, {record} AS record, {', '.join('s.' + key for key in SCORE_KEYS)} "
            "FROM scores AS s JOIN periods AS p ON p.period = s.period",
            connection,
        )
    frame = frame.astype(_NUMBER_DTYPES)
    # Object dtype, so the totals' project is None rather than a NaN.
    frame["project"] = frame["project"].astype(object).where(frame["record"] == PROJECT, None)
    return _sorted(frame)


def recorded_periods(path: str | Path) -> list[str]:
    """The periods in the history, oldest first."""
    history = read_history(path)
    return sorted(set(history["period"]), key=period_sort_key)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    order = frame.assign(
        _period=frame["period"].map(period_sort_key),
        _portfolio=frame["record"] == PORTFOLIO,
        _name=frame["project"].fillna(""),
    ).sort_values(["_period", "_portfolio", "_name"], kind="stable")
    return order.drop(columns=["_period", "_portfolio", "_name"]).reset_index(drop=True)


def _empty_history() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=_NUMBER_DTYPES.get(column, str)) for column in HISTORY_COLUMNS})


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    # isolation_level=None: transactions are begun explicitly, so the delete
    # and the inserts of one period are certainly in one of them.
    connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


@contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    # IMMEDIATE takes the write lock up front, so two writers queue instead
    # of both reading and then one failing to upgrade its lock.
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _ensure_schema(connection: sqlite3.Connection) -> None:
    existed = _has_tables(connection)
    for statement in SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)
    if existed and _schema_version(connection) < 2:
        _migrate_to_version_2(connection)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _schema_version(connection: sqlite3.Connection) -> int:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    columns = {row[1] for row in connection.execute("PRAGMA table_info(scores)")}
    # A file written before user_version was set is version 1 if it has no record column.
    return version if "record" in columns else min(version, 1)


def _migrate_to_version_2(connection: sqlite3.Connection) -> None:
    """Give version 1 rows their ``record``: the rows named ``portfolio`` were the totals."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(scores)")}
    if "record" not in columns:
        connection.execute(f"ALTER TABLE scores ADD COLUMN record TEXT NOT NULL DEFAULT '{PROJECT}'")
    connection.execute(f"UPDATE scores SET record = '{PORTFOLIO}', project = '' WHERE project = '{PORTFOLIO}'")


def _has_tables(connection: sqlite3.Connection) -> bool:
    names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"periods", "scores"} <= names


def _timestamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
