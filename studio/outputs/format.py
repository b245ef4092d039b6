"""What kind of value a port holds, and how its pieces read as text (no widgets here)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import PurePath
from typing import Any

from runtime.api import DocumentRef, FileRef, ImageRef, SessionRef, Table, WorkbookRef, to_plain_json

__all__ = [
    "EMPTY",
    "IMAGE_SUFFIXES",
    "REFS",
    "count_label",
    "decimals_of",
    "format_cell",
    "format_fixed",
    "format_scalar",
    "human_size",
    "is_image_ref",
    "is_numeric",
    "json_text",
    "kind_of",
    "sort_key",
]

EMPTY = "—"
"""How a missing value (None) reads in cells and previews."""

REFS = (FileRef, ImageRef, DocumentRef, WorkbookRef)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"})
_IMAGE_MEDIA = frozenset({"image/png", "image/jpeg", "image/jpg", "image/gif", "image/bmp", "image/webp"})
_CELL_LIMIT = 300


def is_image_ref(value: Any) -> bool:
    """An ImageRef, or another reference (not a workbook) to a png/jpg/gif/bmp/webp file."""
    if isinstance(value, ImageRef):
        return True
    if not isinstance(value, (FileRef, DocumentRef)):
        return False
    suffix = PurePath(value.name or value.path).suffix.lower()
    return value.media_type.lower() in _IMAGE_MEDIA or suffix in IMAGE_SUFFIXES


def kind_of(value: Any) -> str:
    """The port-type name that describes `value` (text, integer, record, table, image, …)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dict):
        return "record"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Table):
        return "table"
    if is_image_ref(value):
        return "image"
    if isinstance(value, REFS):
        return value.kind
    if isinstance(value, SessionRef):
        return "session"
    return "any"


def count_label(count: int, singular: str, plural: str | None = None) -> str:
    """`1 row`, `100,000 rows`."""
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"


def human_size(size: int) -> str:
    """`812 bytes`, `12.3 KB`, `4.0 MB` (powers of 1024)."""
    if size < 1024:
        return count_label(size, "byte")
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:,.1f} {unit}"
    return f"{size} bytes"  # pragma: no cover


def format_number(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return repr(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".12g")


def decimals_of(value: float) -> int | None:
    """Digits after the point in the shortest form of `value` (None for 1e-07 and the like)."""
    text = repr(float(value))
    if "e" in text or "n" in text:
        return None
    digits = text.split(".", 1)[1] if "." in text else ""
    return 0 if digits == "0" else len(digits)


def format_fixed(value: float, decimals: int) -> str | None:
    """`value` with exactly `decimals` digits, or None when that would hide digits."""
    found = decimals_of(value)
    if found is None or found > decimals or abs(value) >= 1e15:
        return None
    return f"{value:.{decimals}f}"


def format_scalar(value: Any) -> str:
    """A one-line text for a plain value: ISO dates, JSON-style true/false, `—` for None."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if isinstance(value, REFS):
        return value.name or value.path
    if isinstance(value, Table):
        return f"table ({count_label(len(value), 'row')})"
    return json_text(value, indent=None)


def format_cell(value: Any) -> str:
    """A table cell: one line, at most a few hundred characters."""
    text = format_scalar(value)
    if len(text) > _CELL_LIMIT or "\n" in text:
        first = text.split("\n", 1)[0][:_CELL_LIMIT]
        return first + " …"
    return text


def is_numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def json_text(value: Any, indent: int | None = 2) -> str:
    """The value as JSON text for people (tables as columns + rows, dates ISO)."""
    separators = None if indent else (", ", ": ")
    return json.dumps(to_plain_json(value), ensure_ascii=False, indent=indent, separators=separators,
                      default=str)


def sort_key(value: Any) -> tuple[int, Any]:
    """A key that orders any mix of values without failing: numbers, then text, dates, the rest.

    None is not handled here: callers put missing values last in either direction.
    """
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (0, value) if value == value else (1, 0)  # NaN after the numbers
    if isinstance(value, str):
        return (2, value.casefold())
    if isinstance(value, (dt.date, dt.time)):
        return (3, value.isoformat())
    return (4, format_scalar(value))
