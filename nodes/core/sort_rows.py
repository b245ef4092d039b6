"""Sort rows: orders a table by one or more columns (stable; empty cells last)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from nodes.core._common import require_columns
from nodes.core._compare import as_datetime, as_number, as_text, is_empty
from runtime.api import NodeContext, NodeError, NodeType, Table


class SortKey(BaseModel):
    column: str = Field(min_length=1, title="Column")
    descending: bool = Field(default=False, title="Largest first (Z to A)")


class SortRowsConfig(BaseModel):
    keys: list[SortKey] = Field(min_length=1, title="Sort by",
                                description="The first column decides; the next ones break ties.")


class SortRowsInputs(BaseModel):
    table: Table = Field(title="Table")


class SortRowsOutputs(BaseModel):
    table: Table | None = Field(default=None, title="Table")


def _mixed_key(value: Any) -> tuple[int, Any, str]:
    """Numbers (also written as text), then dates, then text, then true/false, then the rest."""
    if isinstance(value, bool):
        return (3, int(value), "")
    number = as_number(value, strict=False)
    if number is not None:
        return (0, number, "")
    when = as_datetime(value)
    if when is not None:
        return (1, when, "")
    if isinstance(value, str):
        return (2, value.casefold(), value)
    return (4, as_text(value), "")


class SortRows(NodeType):
    type_id = "core.sort_rows"
    title = "Sort rows"
    category = "Table"
    description = ("Puts the rows of a table in order by one or more columns. Numbers sort as "
                   "numbers, dates as dates; empty cells always come last.")
    keywords = ("order by", "sort", "arrange", "rank")
    icon = "sort"
    Config = SortRowsConfig
    Inputs = SortRowsInputs
    Outputs = SortRowsOutputs

    async def run(self, ctx: NodeContext, config: SortRowsConfig,
                  inputs: SortRowsInputs) -> SortRowsOutputs:
        table = inputs.table
        try:
            require_columns(table, [k.column for k in config.keys], "Sort by")
        except ValueError as exc:
            raise NodeError(str(exc)) from None
        rows = list(table.rows)
        for sort_key in reversed(config.keys):
            name = sort_key.column
            present = [r for r in rows if not is_empty(r.get(name))]
            empty = [r for r in rows if is_empty(r.get(name))]
            present.sort(key=lambda r, name=name: _mixed_key(r.get(name)), reverse=sort_key.descending)
            rows = present + empty
        return SortRowsOutputs(table=Table(table.columns, rows))
