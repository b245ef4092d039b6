"""Text and JSON forms of port values, and file references (shared by every node pack)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator

from runtime.api import FileRef, Table, TableRows

__all__ = ["Text", "as_text", "file_ref", "to_jsonable"]


def as_text(value: Any) -> str:
    """The value as text: "" for nothing, true/false, ISO dates, anything else as `str`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def _widen_to_text(value: Any) -> Any:
    """What a text port accepts besides text: numbers, true/false and dates (the port widenings)."""
    if isinstance(value, (bool, int, float, Decimal, dt.date, dt.datetime, dt.time)):
        return as_text(value)
    return value


Text = Annotated[str, BeforeValidator(_widen_to_text)]
"""A text input that also takes numbers, true/false and dates (the port widenings)."""


def to_jsonable(value: Any) -> Any:
    """`json.dumps` default: tables become lists of rows, dates ISO text, refs records."""
    if isinstance(value, Table):
        return value.to_dict()["rows"]
    if isinstance(value, TableRows):
        return [dict(row) for row in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"a {type(value).__name__} value cannot be written as JSON")


def file_ref(path: Path, media_type: str = "application/octet-stream") -> FileRef:
    """A reference to a file, by its resolved absolute path."""
    resolved = path.resolve()
    return FileRef(path=str(resolved), name=resolved.name, media_type=media_type)
