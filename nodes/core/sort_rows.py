"""Sort rows: orders a table by one or more columns (stable; empty cells last)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from nodes._shared.compare import is_empty, sort_key
from nodes._shared.offload import Stop, checked, offload
from nodes.core._common import require_columns
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


def _sorted(table: Table, keys: list[SortKey], stop: Stop) -> list[int]:
    """The positions of the rows sorted by `keys` (stable; empty cells last whichever the direction)."""
    rows = list(range(len(table)))
    for key in reversed(keys):
        column = list(table.column_values(key.column))
        present, empty, order = [], [], []
        for row in checked(rows, stop):
            value = column[row]
            if is_empty(value):
                empty.append(row)
            else:
                present.append(row)
                order.append(sort_key(value))
        stop.check()
        if len({rank for rank, _, _ in order}) == 1:  # one kind of value: compare the bare values (faster)
            order = [value for _, value, _ in order] if order[0][0] != 2 else order
        ranked = sorted(range(len(present)), key=order.__getitem__, reverse=key.descending)
        rows = [present[i] for i in ranked] + empty
    return rows


class SortRows(NodeType):
    type_id = "core.sort_rows"
    title = "Sort rows"
    category = "Table"
    description = ("Puts the rows of a table in order by one or more columns. Numbers (also written "
                   "as text, such as '10' or '1,234.50') sort as numbers, dates as dates, then text "
                   "A to Z; empty cells always come last.")
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
        result = await offload(lambda stop: table.take(_sorted(table, config.keys, stop)), size=len(table))
        return SortRowsOutputs(table=result)
