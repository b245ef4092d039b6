"""Reading numbers and dates as people print them: amounts with currency marks and either
decimal separator, and dates in numeric, ISO or written-out form.

Used by the pattern extraction step on text from PDFs, OCR and web pages, where values look
like "EUR 1.290,56", "(1,234.50)", "3 415,00 €", "18 Nov 2026" or "November 5, 2026" — and
OCR sometimes drops the spaces ("18Nov2026", "EUR3,415.00").

Own code rather than a library: python-dateutil reads written dates but not squashed OCR text
and guesses silently; babel and price-parser need a locale or still guess the decimal mark.
Here every guess is a stated rule (see `find_number` and `find_date`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["DateOrder", "DecimalMark", "Found", "find_date", "find_number", "find_numbers"]

DecimalMark = Literal["auto", ".", ","]
DateOrder = Literal["day_first", "month_first"]

_CURRENCY = r"(?:[A-Z]{3}|[€$£¥₹]|Fr\.)"
_CURRENCY_MARK = re.compile(_CURRENCY)
_NUMBER = re.compile(
    rf"""(?<![\w.,])(?=[(\-+−€$£¥₹A-Z\d.,])  # starts at a bracket, sign, currency or digit, not mid-word
    (?P<open>\()?[ \t]*+(?P<sign>[-+−])?[ \t]*+(?:{_CURRENCY}[ \t]?)?(?P<sign2>[-+−])?[ \t]*+
    (?P<digits>(?>
        [1-9]\d{{0,2}}(?P<sep>[,.'’\u00a0\u202f ])\d{{3}}(?:(?P=sep)\d{{3}})*+(?:[.,]\d+)?
      | \d++(?:[.,]\d++)?
      | [.,]\d++
    ))(?![\d%]|[ \t]%)  # not a percentage
    (?:[ \t]?{_CURRENCY})?(?P<close>\))?(?P<trail>-(?!\d))?""",
    re.VERBOSE)

_MONTHS: dict[str, int] = {}
for _month, _names in enumerate((
        "january jan januar jänner jaenner janv janvier enero ene gennaio gen januari",
        "february feb februar feber fevr février fév fev febrero febbraio februari",
        "march mar märz maerz mär mars marzo maart mrt",
        "april apr avril avr abril abr aprile",
        "may mai mayo maggio mei",
        "june jun juni juin junio giugno giu",
        "july jul juli juillet juil julio luglio lug",
        "august aug august août aout agosto ago augustus",
        "september sep sept septembre septiembre settembre set",
        "october oct oktober okt octobre octubre ottobre ott",
        "november nov novembre noviembre",
        "december dec dezember dez décembre déc decembre diciembre dic dicembre"), start=1):
    for _name in _names.split():
        _MONTHS[_name] = _month
_MONTH_WORD = ("(?<![^\\W\\d_])(?:" + "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
               + ")(?![^\\W\\d_])")
"""A month's name or abbreviation as a whole word (digits may touch it: OCR's "18Nov2026")."""
_DATE = re.compile(
    rf"""(?<![\d.,])(?:
        (?P<iso>(?P<iy>\d{{4}})[-/.](?P<im>\d{{1,2}})[-/.](?P<id>\d{{1,2}}))
      | (?P<num>(?P<n1>\d{{1,2}})(?P<ns>[./-])(?P<n2>\d{{1,2}})(?P=ns)(?P<ny>\d{{4}}|\d{{2}}))
      | (?P<dmy>(?P<dd>\d{{1,2}})(?:st|nd|rd|th|er)?\.?[ \t/-]*+(?:of[ \t]+)?(?P<dm>{_MONTH_WORD})\.?
              [ \t/-]*+,?[ \t]*+(?P<dy>\d{{4}}|\d{{2}}))
      | (?P<mdy>(?P<mm>{_MONTH_WORD})\.?[ \t]*+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?[ \t]*+,?[ \t]*+
              (?P<my>\d{{4}}))
    )(?![\d])""",
    re.VERBOSE | re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Found:
    """A value read from text, with the text it was read from."""

    value: int | float | dt.date
    text: str
    marked: bool = False
    """A number written as an amount: with a currency mark or decimals."""
    ambiguous: bool = False
    """A numeric date whose day and month could be swapped (03/11/2026)."""


def find_number(text: str, decimal: DecimalMark = "auto") -> Found | None:
    """The first number in `text`, or None.

    Currency codes and symbols around it are skipped; "(12.50)", "-12.50" and "12.50-" are
    negative. With `decimal="auto"`: when both "." and "," appear, the last one is the decimal
    mark; a single mark followed by exactly three digits groups thousands ("1,234", "1.234");
    otherwise it is the decimal mark ("4,90", "0.5"). Spaces and apostrophes group thousands
    ("3 415,00", "1'234.50"). A whole number without decimals is an int.
    """
    found = find_numbers(text, decimal, limit=1)
    return found[0] if found else None


def find_numbers(text: str, decimal: DecimalMark = "auto", *, limit: int | None = None) -> list[Found]:
    """The numbers in `text` (see `find_number`), at most `limit`; numbers inside dates are skipped."""
    dates: list[tuple[int, int]] | None = None
    found: list[Found] = []
    for match in _NUMBER.finditer(text):
        if dates is None:  # "due by 30.11.2026: EUR 1.290,56" — 30.11 is part of a date, not the amount
            dates = [m.span() for m in _DATE.finditer(text)]
        if any(a <= match.start("digits") < b for a, b in dates):
            continue
        value = _number(match, decimal)
        if value is None:
            continue
        written = match.group(0).strip()
        marked = isinstance(value, float) or bool(_CURRENCY_MARK.search(written))
        found.append(Found(value, written, marked=marked))
        if limit is not None and len(found) >= limit:
            break
    return found


_GROUPED = re.compile(r"\d{1,3}(?:[,.'’\u00a0\u202f ]\d{3})*|\d+")


def _number(match: re.Match[str], decimal: DecimalMark) -> int | float | None:
    digits = match["digits"]
    if decimal == "auto":
        last = max(digits.rfind("."), digits.rfind(","))
        grouping = match["sep"]
        if last >= 0 and digits[last] != grouping:
            whole, fraction = digits[:last], digits[last + 1:]
        else:
            whole, fraction = digits, ""
    else:
        if digits.count(decimal) > 1:
            return None
        whole, _, fraction = digits.partition(decimal)
    if (whole and not _GROUPED.fullmatch(whole)) or (fraction and not fraction.isdigit()):
        return None
    whole = re.sub(r"\D", "", whole) or "0"
    signs = (match["sign"] or "") + (match["sign2"] or "")
    negative = bool(match["open"] and match["close"]) or "-" in signs or "−" in signs or bool(match["trail"])
    value: int | float = float(f"{whole}.{fraction}") if fraction else int(whole)
    return -value if negative else value


def find_date(text: str, order: DateOrder = "day_first") -> Found | None:
    """The first valid date in `text`, or None.

    Reads ISO dates (2026-11-12), numeric ones (03.11.2026, 11/03/26 — day or month first as
    `order` says; two-digit years are 2000-2069 or 1970-1999) and written ones in English,
    German, French, Spanish, Italian and Dutch (5 November 2026, Nov 5th, 2026, 18Nov2026,
    3. März 2026). Impossible dates (31.02.2026) are skipped.
    """
    for match in _DATE.finditer(text):
        value = _date(match, order)
        if value is not None:
            swappable = bool(match["num"]) and int(match["n1"]) <= 12 and int(match["n2"]) <= 12 \
                and match["n1"].lstrip("0") != match["n2"].lstrip("0")
            return Found(value, match.group(0).strip(), ambiguous=swappable)
    return None


def _date(match: re.Match[str], order: DateOrder) -> dt.date | None:
    if match["iso"]:
        parts = int(match["iy"]), int(match["im"]), int(match["id"])
    elif match["num"]:
        first, second, year = int(match["n1"]), int(match["n2"]), int(match["ny"])
        if len(match["ny"]) == 2:
            year += 2000 if year < 70 else 1900
        day, month = (first, second) if order == "day_first" else (second, first)
        parts = year, month, day
    elif match["dmy"]:
        year = int(match["dy"])
        if len(match["dy"]) == 2:
            year += 2000 if year < 70 else 1900
        parts = year, _MONTHS[match["dm"].lower()], int(match["dd"])
    else:
        parts = int(match["my"]), _MONTHS[match["mm"].lower()], int(match["md"])
    try:
        return dt.date(*parts)
    except ValueError:
        return None
