"""How If, Switch, Filter rows, Sort rows and Join read and compare values: one rule set.

* **Empty** — nothing, blank text, a missing field (and, for "is empty", an empty list,
  record or table). Empty equals only empty, and is never smaller or larger than
  anything: an order test (<, <=, >, >=) with an empty side simply does not match.
* **Numbers** — numbers, and text that reads as one (" 10", "2.5", "-3e2", "1,234.50"
  with commas grouping thousands), compare as numbers: "10" > "9", "1.50" = 1.5,
  "1,234" = 1234. Text never becomes infinity or "not a number" ("1e400", "nan" stay text).
* **Codes** — text with a leading zero ("00123", "007") stays text for = and !=, so
  "00123" is not 123 and not "123"; in an order test it counts as its number.
* **Dates** — dates, date-times and ISO text ("2024-03-01", "2024-03-01T10:00") compare
  as points in time; a date is its midnight, times with a zone compare in UTC.
* **true/false** — equal to true/false and to the text "true"/"false" in any case.
* **Text** — trimmed; upper/lower case matter unless "ignore case" is on. Text orders
  alphabetically against other text that is neither a number nor a date.
* **Impossible comparisons** — an order test between values of different kinds (text
  "n/a" > 100, a date < 5, true > 1, a record or list) does not match; the node logs a
  warning naming the field and the kinds of the values, and the run goes on.
* contains / starts with / ends with / matches look at the value as text (contains also
  finds an item of a list or a key of a record); an empty value contains nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from nodes._shared.values import as_text, to_jsonable
from runtime.api import Table

__all__ = [
    "MISSING",
    "Operator",
    "as_datetime",
    "as_number",
    "check_pattern",
    "condition",
    "describe",
    "equal",
    "equality_key",
    "evaluate",
    "get_path",
    "is_empty",
    "is_true",
    "sort_key",
]

Operator = Literal["is_true", "=", "!=", "<", "<=", ">", ">=", "contains", "starts_with", "ends_with",
                   "is_empty", "not_empty", "matches"]

_ORDER: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0}

MISSING: Any = object()
"""Returned by `get_path` when the record has no such field; counts as empty."""

_FALSE_WORDS = frozenset({"false", "no", "0", "off", "n"})
_BOOL_WORDS = {"true": True, "false": False}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
_CODE = re.compile(r"[+-]?0\d")
_INTEGER = re.compile(r"[+-]?\d+")
_DATE_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def get_path(value: Any, path: str) -> Any:
    """The value at a dotted path (`customer.address.city`, `lines.0.amount`); `MISSING` if absent."""
    current = value
    for part in (p for p in path.strip().split(".") if p != ""):
        if isinstance(current, Mapping):
            if part not in current:
                return MISSING
            current = current[part]
        elif isinstance(current, (list, tuple, Table)):
            rows = current.rows if isinstance(current, Table) else current
            try:
                current = rows[int(part)]
            except (ValueError, IndexError):
                return MISSING
        elif isinstance(current, BaseModel) and part in type(current).model_fields:
            current = getattr(current, part)
        else:
            return MISSING
    return current


def is_empty(value: Any) -> bool:
    """Nothing, a missing field, blank text, or an empty list, record or table."""
    if value is None or value is MISSING:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set, frozenset, Table)):
        return len(value) == 0
    return False


def is_true(value: Any) -> bool:
    """Spreadsheet truth: false, 0, empty and the words false/no/off count as not true."""
    if is_empty(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_WORDS
    return bool(value)


def as_number(value: Any, *, codes: bool = True) -> int | float | None:
    """The value as a finite number, or None. `codes=False` refuses text with a leading zero."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        number = float(value)
        return number if math.isfinite(number) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    elif not _NUMBER.fullmatch(text):
        return None
    if not codes and _CODE.match(text):
        return None
    try:
        number = int(text) if _INTEGER.fullmatch(text) else float(text)
    except ValueError:  # more digits than Python converts
        return None
    return number if isinstance(number, int) or math.isfinite(number) else None


def as_datetime(value: Any) -> dt.datetime | None:
    """The value as a point in time (naive; zoned values in UTC), or None."""
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


def _number_or_date(value: Any, *, codes: bool = True) -> tuple[str, Any] | None:
    number = as_number(value, codes=codes)
    if number is not None:
        return ("n", number)
    when = as_datetime(value)
    return None if when is None else ("d", when)


def equality_key(value: Any, ignore_case: bool = False) -> Any:
    """A hashable stand-in: two values are equal (=) exactly when their keys are. None for empty."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, str):
        text = value.strip()
        word = _BOOL_WORDS.get(text.lower())
        if word is not None:
            return ("b", word)
        return _number_or_date(text, codes=False) or ("t", text.casefold() if ignore_case else text)
    key = _number_or_date(value)
    if key is not None:
        return key
    if isinstance(value, (dict, list, tuple, Table)):
        return ("o", _frozen(value))
    text = as_text(value)
    return ("t", text.casefold() if ignore_case else text)


def _frozen(value: Any) -> str:
    """Records, lists and tables as canonical text (so that equal contents compare equal)."""
    try:
        return json.dumps(value, sort_keys=True, default=to_jsonable)
    except (TypeError, ValueError):
        return repr(value)


def equal(a: Any, b: Any, ignore_case: bool = False) -> bool:
    """Equality by the rules above ("100" = 100, " Paid" = "Paid", "00123" ≠ 123)."""
    return equality_key(a, ignore_case) == equality_key(b, ignore_case)


def _order_key(value: Any, ignore_case: bool) -> tuple[str, Any] | None:
    if isinstance(value, bool):
        return None
    key = _number_or_date(value)
    if key is None and isinstance(value, str):
        text = value.strip()
        key = ("t", text.casefold() if ignore_case else text)
    return key


def sort_key(value: Any) -> tuple[int, Any, str]:
    """Numbers (also written as text), then dates, then text (A-Z, any case), then true/false,
    then anything else. Empty values are the caller's to put last."""
    if isinstance(value, bool):
        return (3, int(value), "")
    key = _number_or_date(value)
    if key is not None:
        return (0 if key[0] == "n" else 1, key[1], "")
    if isinstance(value, str):
        return (2, value.casefold(), value)
    return (4, as_text(value), "")


def _kind(value: Any) -> str:
    if is_empty(value):
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if as_number(value) is not None:
        return "number"
    if as_datetime(value) is not None:
        return "date"
    if isinstance(value, str):
        return "text"
    kinds = {dict: "record", list: "list", tuple: "list", Table: "table"}
    return kinds.get(type(value), type(value).__name__)


def describe(value: Any) -> str:
    """The kind of a value and a short view of it, for messages: "text 'n/a'", "number 100"."""
    shown = repr(as_text(value)) if isinstance(value, str) else as_text(value)
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return f"{_kind(value)} {shown}".rstrip()


def check_pattern(pattern: Any, ignore_case: bool = False) -> re.Pattern[str]:
    """Compile a pattern from config; raise ValueError with a readable message for a bad one."""
    try:
        return re.compile(str(pattern), re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a valid pattern: {exc}") from None


def _contains(container: Any, needle: Any, ignore_case: bool) -> bool:
    if isinstance(container, Mapping):
        return any(equal(k, needle, ignore_case) for k in container)
    if isinstance(container, (list, tuple, set, frozenset, Table)):
        return any(equal(item, needle, ignore_case) for item in container)
    text, part = as_text(container), as_text(needle)
    if ignore_case:
        text, part = text.casefold(), part.casefold()
    return part in text


def condition(op: Operator, constant: Any, ignore_case: bool = False) -> Callable[[Any], bool | None]:
    """The test `op` against `constant`, prepared once for many values: it returns True or
    False, or None when a value cannot be compared with `constant` (the caller treats that as
    "does not match" and warns). Raises ValueError for a bad "matches" pattern."""
    if op == "is_true":
        return is_true
    if op == "is_empty":
        return is_empty
    if op == "not_empty":
        return lambda value: not is_empty(value)
    if op in ("=", "!="):
        wanted, same = equality_key(constant, ignore_case), op == "="
        return lambda value: (equality_key(value, ignore_case) == wanted) is same
    if op in _ORDER:
        return _order_test(_ORDER[op], constant, ignore_case)
    if op == "contains":
        return lambda value: not is_empty(value) and _contains(value, constant, ignore_case)
    if op == "matches":
        pattern = check_pattern(constant, ignore_case)
        return lambda value: not is_empty(value) and pattern.search(as_text(value)) is not None
    part = as_text(constant).casefold() if ignore_case else as_text(constant)

    def affix(value: Any) -> bool:
        if is_empty(value):
            return False
        text = as_text(value).casefold() if ignore_case else as_text(value)
        return text.startswith(part) if op == "starts_with" else text.endswith(part)

    return affix


def _order_test(passes: Callable[[int], bool], constant: Any,
                ignore_case: bool) -> Callable[[Any], bool | None]:
    if is_empty(constant):
        return lambda value: False
    theirs = _order_key(constant, ignore_case)

    def order(value: Any) -> bool | None:
        if is_empty(value):
            return False
        mine = _order_key(value, ignore_case)
        if theirs is None or mine is None or mine[0] != theirs[0]:
            return None
        return passes((mine[1] > theirs[1]) - (mine[1] < theirs[1]))

    return order


def evaluate(value: Any, op: Operator, constant: Any, ignore_case: bool = False) -> bool | None:
    """Whether `value` passes `op` against `constant` (see `condition`); None: cannot be compared."""
    return condition(op, constant, ignore_case)(value)
