"""Periods: parsing, auto, and one chronological order for months and quarters."""

import datetime as dt

import pytest

from lockin.report.periods import Period, PeriodError, current_period, is_period, parse_period, period_sort_key, resolve_period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11", Period(2026, "month", 11)),
        ("2026-01", Period(2026, "month", 1)),
        ("2026-Q4", Period(2026, "quarter", 4)),
        ("2026-q1", Period(2026, "quarter", 1)),
        (" 2027-03 ", Period(2027, "month", 3)),
    ],
)
def test_months_and_quarters_are_read(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["2026-11", "2026-01", "2026-Q4"])
def test_a_period_prints_the_way_it_is_written(text):
    assert str(parse_period(text)) == text


def test_a_lower_case_quarter_prints_canonically():
    assert str(parse_period("2026-q2")) == "2026-Q2"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-11-01", "26-11", "2026/11", "November", "", "auto", "2026-1"])
def test_anything_else_is_refused_with_both_forms_named(text):
    with pytest.raises(PeriodError) as error:
        parse_period(text)
    assert "YYYY-MM" in str(error.value) and "YYYY-Qn" in str(error.value)


@pytest.mark.parametrize(
    ("today", "cadence", "expected"),
    [
        (dt.date(2026, 11, 26), "month", "2026-11"),
        (dt.date(2026, 11, 26), "quarter", "2026-Q4"),
        (dt.date(2026, 1, 1), "quarter", "2026-Q1"),
        (dt.date(2026, 3, 31), "quarter", "2026-Q1"),
        (dt.date(2026, 4, 1), "quarter", "2026-Q2"),
        (dt.date(2026, 12, 31), "month", "2026-12"),
    ],
)
def test_auto_names_the_current_month_or_quarter(today, cadence, expected):
    assert str(current_period(cadence, today)) == expected
    assert str(resolve_period("auto", cadence, today)) == expected
    assert str(resolve_period("AUTO", cadence, today)) == expected


def test_an_explicit_period_ignores_the_cadence():
    assert str(resolve_period("2026-07", "quarter", dt.date(2026, 11, 1))) == "2026-07"


def test_an_unknown_cadence_is_refused():
    with pytest.raises(PeriodError, match="cadence"):
        current_period("week", dt.date(2026, 1, 1))


def test_months_and_quarters_sort_chronologically_a_quarter_at_its_last_month():
    shuffled = ["2027-01", "2026-Q4", "2026-09", "2026-12", "2026-Q3", "2025-Q4", "2026-10", "2026-01"]
    assert sorted(shuffled, key=period_sort_key) == ["2025-Q4", "2026-01", "2026-09", "2026-Q3", "2026-10", "2026-12", "2026-Q4", "2027-01"]


def test_a_quarter_sorts_after_every_month_it_covers_and_before_the_next():
    for quarter in range(1, 5):
        key = period_sort_key(f"2026-Q{quarter}")
        for month in range(3 * quarter - 2, 3 * quarter + 1):
            assert period_sort_key(f"2026-{month:02d}") < key
        if quarter < 4:
            assert key < period_sort_key(f"2026-{3 * quarter + 1:02d}")


@pytest.mark.parametrize(("name", "expected"), [("2026-11", True), ("2026-Q4", True), ("2026-q4", False), ("failed", False), (".staging-2026-11-x", False), ("index.html", False)])
def test_only_canonical_period_names_are_report_folders(name, expected):
    assert is_period(name) is expected
