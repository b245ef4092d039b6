"""Shared helpers of If and Switch: reading a field of a record and comparing values.

Comparisons are forgiving the way a spreadsheet is: text that holds a number equals
that number ("100" = 100), text is trimmed, and an empty value never counts as
smaller or larger than anything.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel

from runtime.api import NodeError, Table

__all__ = ["MISSING", "Operator", "check_pattern", "equal", "evaluate", "get_path", "is_empty", "is_true"]

Operator = Literal["is_true", "=", "!=", "<", "<=", ">", ">=", "contains", "is_empty", "not_empty",
                   "matches"]

MISSING: Any = object()
"""Returned by `get_path` when the record has no such field."""

_FALSE_WORDS = frozenset({"false", "no", "0", "off", "n"})
_TRUE_WORDS = frozenset({"true", "yes", "1", "on", "y"})
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


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
    """Nothing, blank text, or an empty list, record or table."""
    if value is None or value is MISSING:
        return True
    if isinstance(value, str):
        return value.strip() == ""
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


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        return float(text) if _NUMBER.match(text) else None
    return None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _pair(a: Any, b: Any, ignore_case: bool) -> tuple[Any, Any] | None:
    """Both values in one comparable kind, or None when they have none in common."""
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None and not (isinstance(a, str) and isinstance(b, str)):
        return na, nb
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return a, b
        other = b if isinstance(a, bool) else a
        if isinstance(other, str) and other.strip().lower() in _FALSE_WORDS | _TRUE_WORDS:
            return is_true(a), is_true(b)
        return None
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        da, db = _as_date(a), _as_date(b)
        if da is None or db is None:
            return None
        if isinstance(da, dt.datetime) != isinstance(db, dt.datetime):
            da = da if isinstance(da, dt.datetime) else dt.datetime.combine(da, dt.time())
            db = db if isinstance(db, dt.datetime) else dt.datetime.combine(db, dt.time())
        return da, db
    if isinstance(a, str) and isinstance(b, str):
        a, b = a.strip(), b.strip()
        if na is not None and nb is not None and a != b:
            return na, nb  # "1.50" = "1.5"
        return (a.casefold(), b.casefold()) if ignore_case else (a, b)
    return a, b


def equal(a: Any, b: Any, ignore_case: bool = False) -> bool:
    """Equality that treats "100" and 100, or " Paid" and "Paid", as the same."""
    if a is MISSING:
        a = None
    if is_empty(a) and is_empty(b):
        return True
    pair = _pair(a, b, ignore_case)
    return pair is not None and pair[0] == pair[1]


def _describe(value: Any) -> str:
    kind = {str: "text", int: "number", float: "number", bool: "true/false", dict: "record",
            list: "list"}.get(type(value), type(value).__name__)
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
    return f"{kind} {shown}"


def _order(a: Any, b: Any, op: str, ignore_case: bool) -> bool:
    if is_empty(a) or is_empty(b):
        return False
    pair = _pair(a, b, ignore_case)
    try:
        if pair is None:
            raise TypeError
        x, y = pair
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
    except TypeError:
        raise NodeError(f"cannot tell whether {_describe(a)} is {op} {_describe(b)}") from None


def _contains(container: Any, needle: Any, ignore_case: bool) -> bool:
    if is_empty(container):
        return False
    if isinstance(container, str):
        text, part = container, "" if needle is None else str(needle)
        if ignore_case:
            text, part = text.casefold(), part.casefold()
        return part in text
    if isinstance(container, Mapping):
        return any(equal(k, needle, ignore_case) for k in container)
    if isinstance(container, (list, tuple, set, frozenset, Table)):
        return any(equal(item, needle, ignore_case) for item in container)
    return equal(container, needle, ignore_case)


def check_pattern(pattern: Any, ignore_case: bool = False) -> re.Pattern[str]:
    """Compile a pattern from config, with a readable error for a bad one."""
    try:
        return re.compile(str(pattern), re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a valid pattern: {exc}") from None


def evaluate(value: Any, op: Operator, constant: Any, ignore_case: bool = False) -> bool:
    """Whether `value` satisfies `op` against `constant`."""
    if op == "is_true":
        return is_true(value)
    if op == "is_empty":
        return is_empty(value)
    if op == "not_empty":
        return not is_empty(value)
    if value is MISSING:
        value = None
    if op == "=":
        return equal(value, constant, ignore_case)
    if op == "!=":
        return not equal(value, constant, ignore_case)
    if op == "contains":
        return _contains(value, constant, ignore_case)
    if op == "matches":
        if value is None:
            return False
        return check_pattern(constant, ignore_case).search(str(value)) is not None
    return _order(value, constant, op, ignore_case)
