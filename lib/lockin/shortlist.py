"""The top rows a printed report shows, and the sentence about the rest.

A report on 300 projects cannot list 300 projects in every table and
figure and stay readable (it ran to 236 pages). Body tables and figures
show the top ``n`` by effort or risk; the full tables are CSV files beside
the report and stay in the executed notebooks.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["DEFAULT_TOP", "top_projects", "top_rows", "more_line"]

#: How many rows a report's body table or figure shows by default.
DEFAULT_TOP = 25

#: The order a project list is cut in: most migration effort, then most
#: roadblocks, then the worst lock-in ratio, then the name (stable output).
PROJECT_ORDER = (("effort_pm_p50", False), ("roadblocks", False), ("lockin_ratio", False), ("project", True))


def top_projects(projects: pd.DataFrame, n: int | None = DEFAULT_TOP) -> pd.DataFrame:
    """The ``n`` projects with the most effort (then roadblocks, then ratio).

    Parameters
    ----------
    projects : DataFrame
        Score rows of projects (``Scores.projects``).
    n : int or None
        None or 0: all of them, in that order.

    Returns
    -------
    DataFrame
    """
    columns = [c for c, _ in PROJECT_ORDER if c in projects.columns]
    ascending = [a for c, a in PROJECT_ORDER if c in projects.columns]
    ordered = projects.sort_values(columns, ascending=ascending, kind="stable") if columns else projects
    return ordered if not n else ordered.head(n)


def top_rows(frame: pd.DataFrame, n: int | None = DEFAULT_TOP) -> pd.DataFrame:
    """The first ``n`` rows of a frame already in priority order (None or 0: all)."""
    return frame if not n else frame.head(n)


def more_line(shown: int, total: int, what: str, where: str = "") -> str:
    """The sentence under a cut table: how many more there are and where they are.

    Parameters
    ----------
    shown, total : int
    what : str
        Plural noun of the rows ("projects", "roadblocks").
    where : str
        Where the full table is (a CSV file name), if anywhere.

    Returns
    -------
    str
        Empty when nothing was cut.

    Examples
    --------
    >>> more_line(25, 300, "projects", "scores.csv")
    'Showing 25 of 300 projects; the other 275 are in [scores.csv](scores.csv).'
    """
    if total <= shown:
        return ""
    text = f"Showing {shown:,} of {total:,} {what}; the other {total - shown:,}"
    return text + (f" are in [{where}]({where})." if where else " are in the executed notebooks.")
