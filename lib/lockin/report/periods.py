"""Report periods: months (``2026-11``) and quarters (``2026-Q4``).

A period names what a report covers and is the name of its folder under
``reports/``. Months and quarters can be mixed in one history (a team may
switch cadence), so they need one chronological order: a quarter sorts at
its last month, just after that month (``2026-09`` < ``2026-Q3`` <
``2026-10``), because a quarterly report is complete only once its last
month is.

Only years from :data:`FIRST_YEAR` to :data:`LAST_YEAR` are periods: a
year such as 0000 or 9999 is a typing slip, and accepting it would put a
report before or after every real one in the trend and the index for good.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lockin.errors import LockinError

#: The cadences ``--period auto`` understands.
CADENCES = ("month", "quarter")

#: The first and last year a period may fall in. 1990 predates any
#: project's version control worth back-filling from; 2100 is far beyond
#: any report a schedule will render.
FIRST_YEAR = 1990
LAST_YEAR = 2100

_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")
_QUARTER = re.compile(r"^(?P<year>\d{4})-[Qq](?P<quarter>\d)$")


class PeriodError(LockinError, ValueError):
    """A period that is neither ``YYYY-MM`` nor ``YYYY-Qn``."""


@dataclass(frozen=True)
class Period:
    """One month or one quarter.

    Attributes
    ----------
    year : int
    kind : {"month", "quarter"}
    number : int
        The month (1-12) or the quarter (1-4).
    """

    year: int
    kind: str
    number: int

    def __str__(self) -> str:
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}-{self.number:02d}"

    @property
    def last_month(self) -> int:
        """The last calendar month the period covers (1-12)."""
        return self.number * 3 if self.kind == "quarter" else self.number

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Chronological key: a quarter right after its last month."""
        return (self.year, self.last_month, 1 if self.kind == "quarter" else 0)


def parse_period(text: str) -> Period:
    """Read ``YYYY-MM`` or ``YYYY-Qn``.

    Parameters
    ----------
    text : str

    Returns
    -------
    Period

    Raises
    ------
    PeriodError
        If ``text`` is neither form, names a month or quarter that does
        not exist, or a year outside :data:`FIRST_YEAR`..:data:`LAST_YEAR`.
    """
    text = text.strip()
    period = None
    if month := _MONTH.match(text):
        number = int(month["month"])
        if 1 <= number <= 12:
            period = Period(int(month["year"]), "month", number)
    elif quarter := _QUARTER.match(text):
        number = int(quarter["quarter"])
        if 1 <= number <= 4:
            period = Period(int(quarter["year"]), "quarter", number)
    if period is not None:
        _require_sane_year(period, text)
        return period
    raise PeriodError(f"period {text!r} is neither a month (YYYY-MM, e.g. 2026-11) nor a quarter (YYYY-Qn, e.g. 2026-Q4)")


def _require_sane_year(period: Period, text: str) -> None:
    if not FIRST_YEAR <= period.year <= LAST_YEAR:
        raise PeriodError(f"period {text!r} is outside the years lockin reports on ({FIRST_YEAR} to {LAST_YEAR})")


def current_period(cadence: str = "month", today: dt.date | None = None) -> Period:
    """The month or quarter that ``today`` falls in.

    Parameters
    ----------
    cadence : {"month", "quarter"}
    today : datetime.date, optional
        Defaults to the local date.

    Returns
    -------
    Period
    """
    if cadence not in CADENCES:
        raise PeriodError(f"cadence {cadence!r} is not one of {', '.join(CADENCES)}")
    today = today or dt.date.today()
    if cadence == "quarter":
        return Period(today.year, "quarter", (today.month - 1) // 3 + 1)
    return Period(today.year, "month", today.month)


def resolve_period(text: str, cadence: str = "month", today: dt.date | None = None) -> Period:
    """The period ``--period`` names: an explicit one, or ``auto``.

    Parameters
    ----------
    text : str
        ``YYYY-MM``, ``YYYY-Qn`` or ``auto``.
    cadence : {"month", "quarter"}
        What ``auto`` means; ignored for an explicit period.
    today : datetime.date, optional

    Returns
    -------
    Period
    """
    if text.strip().lower() == "auto":
        return current_period(cadence, today)
    return parse_period(text)


def period_sort_key(text: str) -> tuple[int, int, int]:
    """Chronological sort key of a period written as text."""
    return parse_period(text).sort_key


def is_period(text: str) -> bool:
    """Whether ``text`` is a period written the way lockin writes it.

    Report folders are told apart from everything else in the output folder
    (``failed/``, staging folders) by this test, so only the canonical
    spelling counts: ``2026-Q4``, not ``2026-q4`` or `` 2026-Q4``.
    """
    try:
        return str(parse_period(text)) == text
    except PeriodError:
        return False
