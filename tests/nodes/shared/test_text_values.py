"""Numbers and dates as suppliers print them (nodes/_shared/text_values)."""

from __future__ import annotations

import datetime as dt

import pytest

from nodes._shared.text_values import find_date, find_number


@pytest.mark.parametrize(("text", "value"), [
    ("Total due: EUR 1.290,56", 1290.56),
    ("Amount due: $12,480.00", 12480.0),
    ("Invoice total EUR 9 869,40", 9869.4),
    ("Totaldue:EUR3,415.00", 3415.0),  # OCR without spaces
    ("Grand total: 640.00 EUR", 640.0),
    ("1'234.50 CHF", 1234.5),
    ("1.234.567,89", 1234567.89),
    ("1,234,567.89", 1234567.89),
    ("unit price 4,90", 4.9),
    ("rate 0.5", 0.5),
    ("1,084", 1084),  # one mark and exactly three digits: thousands
    ("1.234", 1234),
    ("42 pieces", 42),
    ("credit (1,234.50)", -1234.5),
    ("balance -12.5", -12.5),
    ("balance 12.50-", -12.5),
    ("€ -45", -45),
    ("Total incl. 19% VAT: 1.290,56", 1290.56),  # a percentage is not the amount
    ("due by 30.11.2026: EUR 1.290,56", 1290.56),  # nor a date's day and month
    ("Customer no. KD-12345", 12345),  # a code's hyphen is not a minus
    ("0,125", 0.125),  # a leading 0 does not group thousands
    ("0.500", 0.5),
    ("€.50", 0.5),
])
def test_amounts_in_either_convention(text: str, value: float) -> None:
    found = find_number(text)
    assert found is not None and found.value == value
    assert type(found.value) is type(value)


def test_an_explicit_decimal_mark_settles_ambiguous_numbers() -> None:
    assert find_number("1,084", ",").value == 1.084  # type: ignore[union-attr]
    assert find_number("1.084", ".").value == 1.084  # type: ignore[union-attr]
    assert find_number("1.234,50", ",").value == 1234.5  # type: ignore[union-attr]
    assert find_number("12,480.00", ",") is None  # not a number written with a decimal comma


def test_no_number() -> None:
    assert find_number("no digits here") is None
    assert find_number("") is None


@pytest.mark.parametrize(("text", "day_first", "month_first"), [
    ("Invoice date: 03.11.2026", dt.date(2026, 11, 3), dt.date(2026, 3, 11)),
    ("11/03/26", dt.date(2026, 3, 11), dt.date(2026, 11, 3)),
    ("Issued 2026-11-12", dt.date(2026, 11, 12), dt.date(2026, 11, 12)),
    ("Date: November 5, 2026", dt.date(2026, 11, 5), dt.date(2026, 11, 5)),
    ("Nov 5th, 2026", dt.date(2026, 11, 5), dt.date(2026, 11, 5)),
    ("24 November 2026", dt.date(2026, 11, 24), dt.date(2026, 11, 24)),
    ("5th of November 2026", dt.date(2026, 11, 5), dt.date(2026, 11, 5)),
    ("Date:18Nov2026", dt.date(2026, 11, 18), dt.date(2026, 11, 18)),  # OCR without spaces
    ("3. März 2026", dt.date(2026, 3, 3), dt.date(2026, 3, 3)),
    ("le 2 déc. 2026", dt.date(2026, 12, 2), dt.date(2026, 12, 2)),
    ("31.02.2026, corrected 01.03.2026", dt.date(2026, 3, 1), dt.date(2026, 1, 3)),  # impossible skipped
    ("18-Nov-2026", dt.date(2026, 11, 18), dt.date(2026, 11, 18)),
    ("18-Nov-26", dt.date(2026, 11, 18), dt.date(2026, 11, 18)),
    ("1er mars 2026", dt.date(2026, 3, 1), dt.date(2026, 3, 1)),
    ("5. Jänner 2026", dt.date(2026, 1, 5), dt.date(2026, 1, 5)),
])
def test_dates_numeric_iso_and_written(text: str, day_first: dt.date, month_first: dt.date) -> None:
    assert find_date(text).value == day_first  # type: ignore[union-attr]
    assert find_date(text, "month_first").value == month_first  # type: ignore[union-attr]


def test_no_date() -> None:
    assert find_date("Payment terms: 30 days net") is None
    assert find_date("Marathon 2026") is None
    assert find_date("Rechnungen 3 2026") is None  # month names only as whole words
    assert find_date("Offset 12 2026") is None


def test_long_runs_of_spaces_stay_fast() -> None:
    assert find_number(" " * 5000 + "x") is None  # took seconds with a backtracking pattern
