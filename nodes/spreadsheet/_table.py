"""From a grid of cell values to a Table: header row detection, column names, typed values."""

from __future__ import annotations

import datetime as dt
import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from nodes._shared.offload import Stop
from nodes._shared.values import as_text
from nodes.spreadsheet._cells import column_letter
from nodes.spreadsheet._columns import SegmentedColumn
from nodes.spreadsheet._ooxml_sheet import SheetCells
from runtime.api import Column, Table

__all__ = ["HeaderMode", "SheetTable", "cells_table", "find_header", "unique_names"]

HeaderMode = Literal["auto", "first_row", "none"]
_LOOK_AHEAD = 50


@dataclass
class SheetTable:
    """A table read from a sheet and where each of its rows came from."""

    table: Table
    row_numbers: Sequence[int]
    """The sheet row (1-based) of each table row."""
    columns: list[int]
    """The sheet column (1-based) of each table column."""
    header_row: int | None
    skipped: list[int] = field(default_factory=list)
    """Rows above the header that were skipped (titles, notes)."""


def _width(row: Sequence[Any]) -> int:
    return sum(1 for v in row if v is not None)


def _all_text(row: Sequence[Any]) -> bool:
    return all(isinstance(v, str) for v in row if v is not None)


def find_header(rows: list[list[Any]], mode: HeaderMode) -> int | None:
    """Index of the header row in `rows` (cleaned values), or None when there is none.

    "auto" skips empty rows and title rows (a row with fewer filled cells than half the table's
    width, such as "Sales report 2024" above the table) and takes the first row whose filled
    cells are all text; when that first wide row holds numbers or dates, the sheet has no header.
    """
    filled = [i for i, row in enumerate(rows[:_LOOK_AHEAD * 4]) if _width(row)]
    if mode == "none" or not filled:
        return None
    if mode == "first_row":
        return filled[0]
    sample = filled[:_LOOK_AHEAD]
    width = max(_width(rows[i]) for i in sample)
    needed = max(1, math.ceil(width / 2))
    for i in sample[:10]:
        row = rows[i]
        if _width(row) < needed:
            continue
        return i if _all_text(row) else None
    return None


def unique_names(raw: Sequence[Any], sheet_columns: Sequence[int]) -> list[str]:
    """Column names from header cells: trimmed text; an empty cell is named by its column letter;
    repeats get " (2)", " (3)"."""
    names: list[str] = []
    taken: set[str] = set()
    for value, column in zip(raw, sheet_columns, strict=True):
        base = as_text(value).strip() if value is not None else ""
        base = base.replace("\r\n", " ").replace("\n", " ") or column_letter(column)
        name, n = base, 2
        while name.casefold() in taken:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
        taken.add(name.casefold())
    return names


def _spread(rows: Sequence[int], every: Sequence[int], columns: list[Sequence[Any]]) -> list[list[Any]]:
    """Columns whose values belong to `rows`, laid out over `every` row (empty where none)."""
    where = {row: i for i, row in enumerate(rows)}
    picks = [where.get(row) for row in every]
    return [[values[i] if i is not None else None for i in picks] for values in columns]


def _add_merged_rows(cells: SheetCells, merged: list[tuple[int, int, int, int]]) -> None:
    """Rows a filled merged area covers that hold no value of their own (within the rows read)."""
    rows = cells.row_numbers
    if not rows:
        return
    present = set(rows)
    wanted = set()
    for top, left, bottom, _ in merged:
        if top in present and left in cells.columns:
            wanted.update(range(top + 1, min(bottom, rows[-1]) + 1))
    missing = wanted - present
    if not missing:
        return
    every = sorted(present | missing)
    columns = _spread(rows, every, list(cells.columns.values()))
    cells.columns = dict(zip(cells.columns, columns, strict=True))
    cells.row_numbers = array("i", every)


def _fill_merged(cells: SheetCells, merged: list[tuple[int, int, int, int]]) -> None:
    """Copy each merged area's top-left value into all of its cells (the rows that are read)."""
    _add_merged_rows(cells, merged)
    rows, columns = cells.row_numbers, cells.columns
    for top, left, bottom, right in merged:
        first = bisect_left(rows, top)
        if first == len(rows) or rows[first] != top or left not in columns:
            continue
        value = columns[left][first]
        if value is None:
            continue
        last = bisect_right(rows, bottom)
        for column in range(left, right + 1):
            values = columns.get(column)
            if not isinstance(values, list):
                values = columns[column] = list(values) if values is not None else [None] * len(rows)
            values[first:last] = [value] * (last - first)


def _plain_kind(column: list[Any]) -> str:
    kinds = frozenset(map(type, column)) - {type(None)}
    return _KINDS.get(kinds, "any")


_KINDS: dict[frozenset[type], str] = {  # the kinds of value in a column → its Table type
    frozenset({bool}): "boolean", frozenset({int}): "integer", frozenset({float}): "number",
    frozenset({int, float}): "number", frozenset({str}): "text", frozenset({dt.date}): "date",
    frozenset({dt.datetime}): "datetime", frozenset({dt.date, dt.datetime}): "datetime", frozenset(): "any",
}


def _typed(values: Sequence[Any]) -> tuple[Sequence[Any], str]:
    """A column and its Table type; dates beside date-times become that day at midnight."""
    if isinstance(values, SegmentedColumn):
        return values, values.table_type()
    kind = _plain_kind(values)  # type: ignore[arg-type]
    if kind == "datetime":
        values = [dt.datetime(v.year, v.month, v.day) if type(v) is dt.date else v for v in values]
    return values, kind


def _drop_first(values: Sequence[Any], count: int) -> Sequence[Any]:
    if count:
        if isinstance(values, SegmentedColumn):
            values.drop_first(count)
        else:
            del values[:count]  # type: ignore[attr-defined]
    return values


def _with_empty_rows(cells: SheetCells, start: int, data: list[Sequence[Any]]) -> tuple[list[int], list[Any]]:
    """Rows from the first to the last read, the ones without values included (as empty)."""
    rows = cells.row_numbers[start:]
    if not rows or rows[-1] - rows[0] + 1 == len(rows):
        return rows, data
    every = list(range(rows[0], rows[-1] + 1))
    return every, _spread(rows, every, data)


def cells_table(cells: SheetCells, mode: HeaderMode, *, first_column: int | None, skip_empty_rows: bool,
                dates_as_text: bool, merged: list[tuple[int, int, int, int]] | None, stop: Stop,
                header_names: Sequence[str] | None = None) -> SheetTable:
    """The cells as a table, column by column. `first_column`: where the area read begins
    (None: the first column with a value); `header_names`: names known beforehand (an Excel
    table's columns), the cells then hold data rows only."""
    if merged:
        _fill_merged(cells, merged)
    present = sorted(cells.columns)
    count = len(cells.row_numbers)
    first = first_column if first_column is not None else (present[0] if present else 1)
    last = max(present[-1] if present else first, first + len(header_names or ()) - 1)
    sources = [cells.columns.get(c) for c in range(first, last + 1)]
    skipped: list[int] = []
    if header_names is not None:
        header_index = None
        header: list[Any] = [*header_names, *[None] * (len(sources) - len(header_names))]
    else:
        head = [[values[i] if values is not None else None for values in sources]
                for i in range(min(count, _LOOK_AHEAD * 4))]
        header_index = find_header(head, mode)
        header = head[header_index] if header_index is not None else [None] * len(sources)
        if header_index is not None:
            skipped = [cells.row_numbers[i] for i in range(header_index) if _width(head[i])]
    stop.check()
    start = 0 if header_index is None else header_index + 1
    data = [_drop_first(values, start) if values is not None else [None] * (count - start)
            for values in sources]
    if not skip_empty_rows:
        row_numbers, data = _with_empty_rows(cells, start, data)
    else:
        row_numbers = cells.row_numbers[start:]
    stop.check()
    used = [i for i, values in enumerate(data)
            if header[i] is not None or any(v is not None for v in values)]
    sheet_columns = [first + i for i in used]
    names = unique_names([header[i] for i in used], sheet_columns)
    picked, kinds = [], []
    for i in used:
        values, kind = _typed(data[i])
        if dates_as_text and kind in ("date", "datetime"):
            values, kind = [v.isoformat() if v is not None else None for v in values], "text"
        picked.append(values)
        kinds.append(kind)
    stop.check()
    table = Table.from_columns([Column(name=n, type=k) for n, k in zip(names, kinds, strict=True)],  # type: ignore[arg-type]
                               picked)
    return SheetTable(table, row_numbers, sheet_columns,
                      None if header_index is None else cells.row_numbers[header_index], skipped)
