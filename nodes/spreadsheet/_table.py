"""From a grid of cell values to a Table: header row detection, column names, typed values."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from nodes._shared.offload import Stop
from nodes._shared.values import as_text
from nodes.spreadsheet._cells import column_letter
from nodes.spreadsheet._reader import Grid, clean
from runtime.api import Column, Table

__all__ = ["HeaderMode", "SheetTable", "find_header", "grid_table", "unique_names"]

HeaderMode = Literal["auto", "first_row", "none"]
_LOOK_AHEAD = 50


@dataclass
class SheetTable:
    """A table read from a sheet and where each of its rows came from."""

    table: Table
    row_numbers: list[int]
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


def _fill_merged(grid: Grid, merged: list[tuple[int, int, int, int]]) -> None:
    """Copy each merged area's top-left value into all of its cells (within the grid)."""
    rows = grid.rows
    for top, left, bottom, right in merged:
        r0, c0 = top - grid.first_row, left - grid.first_column
        if not 0 <= r0 < len(rows) or c0 < 0 or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(max(r0, 0), min(bottom - grid.first_row + 1, len(rows))):
            row = rows[r]
            for c in range(max(c0, 0), right - grid.first_column + 1):
                if c < len(row):
                    row[c] = value
                else:
                    row.extend([""] * (c - len(row)) + [value])


_MAX_EXACT = 2**53
_KINDS: dict[frozenset[type], str] = {  # the kinds of value in a column → its Table type
    frozenset({bool}): "boolean", frozenset({int}): "integer", frozenset({float}): "number",
    frozenset({int, float}): "number", frozenset({str}): "text", frozenset({dt.date}): "date",
    frozenset({dt.datetime}): "datetime", frozenset({dt.date, dt.datetime}): "datetime", frozenset(): "any",
}


def _clean_column(column: Sequence[Any]) -> list[Any]:
    """One column's calamine values as Table values ("" → None, whole floats → int, times → text),
    with a fast path for the common single-kind columns."""
    kinds = set(map(type, column))
    if kinds <= {str}:
        if len(set(column[:1000])) * 4 < min(len(column), 1000):  # many repeats: share one object each
            seen: dict[str, str] = {}
            return [seen.setdefault(v, v) if v else None for v in column]
        return [v or None for v in column]
    if kinds == {float}:
        return [int(v) if v.is_integer() and -_MAX_EXACT < v < _MAX_EXACT else v for v in column]
    if kinds <= {str, float, int}:
        return [None if v == "" else (int(v) if type(v) is float and v.is_integer()
                                      and -_MAX_EXACT < v < _MAX_EXACT else v) for v in column]
    if kinds <= {str, bool, dt.date, dt.datetime, int}:
        return [None if v == "" else v for v in column]
    return [clean(v) for v in column]


def _kind(column: list[Any]) -> str:
    kinds = frozenset(map(type, column)) - {type(None)}
    return _KINDS.get(kinds, "any")


def _as_datetimes(column: list[Any]) -> list[Any]:
    """A date beside date-times is that day at midnight."""
    return [dt.datetime(v.year, v.month, v.day) if type(v) is dt.date else v for v in column]


def grid_table(grid: Grid, mode: HeaderMode, *, skip_empty_rows: bool, dates_as_text: bool,
               merged: list[tuple[int, int, int, int]] | None, stop: Stop,
               header_names: Sequence[str] | None = None) -> SheetTable:
    """The grid as a table, column by column (fast: each column is cleaned and typed in one
    comprehension). `header_names`: names known beforehand (an Excel table's columns); the
    grid then holds data rows only."""
    if merged:
        _fill_merged(grid, merged)
    rows = grid.rows
    width = max(max((len(r) for r in rows), default=0), len(header_names or ()))
    if any(len(r) < width for r in rows):
        rows = [r + [""] * (width - len(r)) for r in rows]
    skipped: list[int] = []
    if header_names is not None:
        header_index, header, start = None, [*header_names, *[None] * (width - len(header_names))], 0
    else:
        head = [[clean(v) for v in r] for r in rows[:_LOOK_AHEAD * 4]]
        header_index = find_header(head, mode)
        header = head[header_index] if header_index is not None else [None] * width
        start = 0 if header_index is None else header_index + 1
        if header_index is not None:
            skipped = [grid.first_row + i for i in range(header_index) if _width(head[i])]
    stop.check()
    body = rows[start:]
    filled = [i for i, r in enumerate(body) if r.count("") != width]
    if not skip_empty_rows:
        filled = list(range(filled[-1] + 1)) if filled else []
    if len(filled) != len(body):
        body = [body[i] for i in filled]
    row_numbers = [grid.first_row + start + i for i in filled]
    columns = [_clean_column(c) for c in zip(*body, strict=True)] if body else [[] for _ in range(width)]
    del body, rows
    grid.rows = []  # the row lists are no longer needed: free them before the records are built
    stop.check()
    used = [c for c in range(width) if header[c] is not None or columns[c].count(None) != len(columns[c])]
    sheet_columns = [grid.first_column + c for c in used]
    names = unique_names([header[c] for c in used], sheet_columns)
    kinds: list[str] = []
    for c in used:
        kind = _kind(columns[c])
        if kind == "datetime":
            columns[c] = _as_datetimes(columns[c])
        if dates_as_text and kind in ("date", "datetime"):
            columns[c] = [v.isoformat() if v is not None else None for v in columns[c]]
            kind = "text"
        kinds.append(kind)
    stop.check()
    picked = [columns[c] for c in used]
    records = [dict(zip(names, values, strict=True)) for values in zip(*picked, strict=True)]
    table = Table([Column(name=n, type=k) for n, k in zip(names, kinds, strict=True)], [])  # type: ignore[arg-type]
    table.rows = records  # built here, no need for Table's defensive copy of every row
    return SheetTable(table, row_numbers, sheet_columns,
                      None if header_index is None else grid.first_row + header_index, skipped)
