"""How cell values are read as numbers, dates and text when filtering and sorting.

Text that looks like a number compares as a number ("10" > "9"); text with leading
zeros ("00123", an account code) stays text when compared for equality.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

__all__ = ["as_datetime", "as_number", "as_text", "is_empty"]

_STRICT_NUMBER = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|[+-]?\.\d+")
_LOOSE_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_empty(value: Any) -> bool:
    """None, empty text or text of only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_number(value: Any, *, strict: bool = True) -> int | float | None:
    """The value as a number, or None. `strict` refuses text with leading zeros."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        pattern = _STRICT_NUMBER if strict else _LOOSE_NUMBER
        if not pattern.fullmatch(text):
            return None
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        return float(text)
    return None


def as_datetime(value: Any) -> dt.datetime | None:
    """The value as a (naive, UTC for zoned values) datetime, or None."""
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and _DATE_START.match(value.strip()):
        try:
            result = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if result.tzinfo is not None:
        result = result.astimezone(dt.UTC).replace(tzinfo=None)
    return result


def as_text(value: Any) -> str:
    """The value as text: "" for nothing, true/false, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)
