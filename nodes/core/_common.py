"""Small helpers shared by the core nodes (stdlib and pydantic only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator

from runtime.api import Column, Table

__all__ = ["Text", "require_columns", "table_from_rows", "to_jsonable"]


def _to_text(value: Any) -> Any:
    """Accept what a text port may receive (numbers, true/false, dates) as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


Text = Annotated[str, BeforeValidator(_to_text)]
"""A text input that also takes numbers, true/false and dates (the port widenings)."""


def to_jsonable(value: Any) -> Any:
    """`json.dumps` default: tables become lists of rows, dates ISO text, refs records."""
    if isinstance(value, Table):
        return value.to_dict()["rows"]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"a {type(value).__name__} value cannot be written as JSON")


def require_columns(table: Table, names: list[str], what: str) -> None:
    """Raise ValueError naming the first of `names` that the table lacks."""
    have = table.column_names
    for name in names:
        if name not in have:
            listed = ", ".join(f"'{c}'" for c in have) or "none"
            raise ValueError(f"{what}: the table has no column '{name}' (its columns: {listed})")


def table_from_rows(names: list[str], rows: list[dict[str, Any]], keep: dict[str, Column]) -> Table:
    """A table with these columns: types from `keep` where given, else inferred from the rows."""
    inferred = Table.from_records(rows, columns=names)
    return Table([keep.get(c.name, c) for c in inferred.columns], inferred.rows)
