"""Small helpers shared by the core nodes (stdlib and pydantic only)."""

from __future__ import annotations

from typing import Any

from runtime.api import Column, Table

__all__ = ["require_columns", "table_from_rows"]


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
