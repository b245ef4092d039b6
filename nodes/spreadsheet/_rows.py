"""Working with the rows of a worksheet opened in openpyxl: where the header and the data
are, matching columns by name, writing values, copying the last row's look to new rows."""

from __future__ import annotations

import datetime as dt
import json
import re
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nodes._shared.compare import as_number
from nodes.spreadsheet._cells import cell_name, column_letter
from nodes.spreadsheet._table import find_header, unique_names
from runtime.api import NodeError, Table

__all__ = ["SheetLayout", "cell_value", "copy_row_look", "fill_formula", "grow_tables", "layout",
           "match_columns", "write_cell"]

_SCAN_ROWS = 200
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")
_MAX_TEXT = 32_767


@dataclass
class SheetLayout:
    """Where a worksheet's table is: the header row, its columns, and the last row with data."""

    header_row: int | None
    columns: dict[str, int]
    """Column name → sheet column (1-based), in sheet order."""
    last_row: int
    """The last row holding a value in one of the columns (the header row when there is no data)."""

    @property
    def first_data_row(self) -> int:
        return (self.header_row or 0) + 1

    @property
    def data_rows(self) -> range:
        return range(self.first_data_row, self.last_row + 1)


def cell_value(value: Any) -> Any:
    """A cell's value as the reading nodes give it ("" → None, whole floats → int)."""
    if value == "":
        return None
    if type(value) is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def layout(ws: Any, header_row: int = 0) -> SheetLayout:
    """The sheet's header row (given, or found as Read sheet finds it) and data extent."""
    if header_row:
        found: int | None = header_row
    else:
        top = list(ws.iter_rows(min_row=1, max_row=min(ws.max_row, _SCAN_ROWS), values_only=True))
        index = find_header([[cell_value(v) for v in row] for row in top], "auto")
        found = None if index is None else index + 1
    columns: dict[str, int] = {}
    if found is not None:
        cells = [(c.column, cell_value(c.value)) for c in ws[found] if cell_value(c.value) is not None]
        names = unique_names([v for _, v in cells], [c for c, _ in cells])
        columns = dict(zip(names, [c for c, _ in cells], strict=True))
    wanted = set(columns.values())
    last = found or 0
    for row in range(ws.max_row, last, -1):
        if any(cell.value not in (None, "") for cell in ws[row]
               if not wanted or cell.column in wanted):
            last = row
            break
    return SheetLayout(found, columns, last)


def match_columns(table: Table, sheet_layout: SheetLayout, sheet: str, *, add_missing: bool,
                  ws: Any) -> dict[str, int]:
    """Input column → sheet column, matching names exactly, then ignoring case and spaces.
    Unknown columns are added after the last one when `add_missing`, else a NodeError lists them."""
    exact = sheet_layout.columns
    loose = {name.strip().casefold(): col for name, col in exact.items()}
    mapping: dict[str, int] = {}
    unknown: list[str] = []
    for name in table.column_names:
        col = exact.get(name) or loose.get(name.strip().casefold())
        if col is None:
            unknown.append(name)
        else:
            mapping[name] = col
    if unknown and not add_missing:
        have = ", ".join(f"'{n}'" for n in exact) or "none"
        raise NodeError(f"sheet '{sheet}' has no column {', '.join(repr(n) for n in unknown)}; its "
                        "columns are: "
                        f"{have}. Rename the input columns, or turn on 'Add missing columns'")
    if unknown:
        header = sheet_layout.header_row or 1
        sheet_layout.header_row = header
        next_col = max(exact.values(), default=0) + 1
        style_from = ws.cell(header, next_col - 1) if next_col > 1 else None
        for name in unknown:
            cell = ws.cell(header, next_col, name)
            if style_from is not None and style_from.has_style:
                cell._style = copy(style_from._style)
                width = ws.column_dimensions[column_letter(next_col - 1)].width
                if width:
                    ws.column_dimensions[column_letter(next_col)].width = width
            exact[name] = mapping[name] = next_col
            next_col += 1
    return mapping


def _is_date_format(fmt: str) -> bool:
    from openpyxl.styles.numbers import is_date_format

    return bool(fmt) and is_date_format(fmt)


def write_cell(ws: Any, row: int, column: int, value: Any, *, formulas: bool) -> None:
    """Put a value in a cell, keeping its style. Text starting with "=" is a formula only when
    `formulas`; text that reads as a number or an ISO date becomes one in a cell formatted for
    numbers or dates (codes with leading zeros stay text)."""
    cell = ws.cell(row, column)
    if isinstance(value, Decimal):
        value = float(value)
    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    elif isinstance(value, (dict, list, tuple, Table)):
        value = json.dumps(value.to_dict()["rows"] if isinstance(value, Table) else value, default=str)
    elif isinstance(value, dt.timedelta):
        value = value.total_seconds() / 86400
    elif value is not None and not isinstance(value, (str, int, float, bool, dt.date, dt.time)):
        value = str(value)
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        if len(value) > _MAX_TEXT:
            raise NodeError(f"cell {cell_name(row, column)}: the text is {len(value)} characters long; Excel "
                            f"cells hold at most {_MAX_TEXT}")
        fmt = cell.number_format or "General"
        if value.startswith("=") and len(value) > 1:
            if formulas:
                cell.value = value
                return
            cell.value = value
            cell.data_type = "s"
            return
        if fmt not in ("General", "@"):
            value = _typed_text(value, _is_date_format(fmt))
    cell.value = value


def _typed_text(text: str, date_cell: bool) -> Any:
    stripped = text.strip()
    if date_cell and _ISO_DATE.fullmatch(stripped):
        try:
            when = dt.datetime.fromisoformat(stripped)
        except ValueError:
            return text
        return when.date() if len(stripped) == 10 else when
    if not date_cell:
        number = as_number(stripped, codes=False)
        if number is not None:
            return number
    return text


def copy_row_look(ws: Any, source: int, target: int, columns: list[int]) -> None:
    """Give row `target` the styles (font, fill, borders, number format) and height of `source`."""
    for column in columns:
        origin = ws.cell(source, column)
        if origin.has_style:
            ws.cell(target, column)._style = copy(origin._style)
    height = ws.row_dimensions[source].height
    if height is not None:
        ws.row_dimensions[target].height = height


def column_looks(ws: Any, columns: list[int]) -> dict[int, Any]:
    """The styles given to whole columns (Excel's column formatting) among `columns`: what a cell of a
    new row gets when no row above it can lend its look."""
    wanted = set(columns)
    looks = {}
    for dimension in ws.column_dimensions.values():
        if not dimension.has_style:
            continue
        low, high = dimension.min or 0, dimension.max or dimension.min or 0
        for column in range(low, high + 1):
            if column in wanted:
                looks[column] = dimension._style
    return looks


def fill_formula(ws: Any, source: int, target: int, column: int) -> bool:
    """Copy a formula from row `source` down to row `target`, adjusting its references."""
    from openpyxl.formula.translate import Translator

    origin = ws.cell(source, column)
    if origin.data_type != "f" or not isinstance(origin.value, str):
        return False
    ws.cell(target, column).value = Translator(origin.value, origin=origin.coordinate).translate_formula(
        cell_name(target, column))
    return True


def grow_tables(ws: Any, header_row: int | None, last_row: int) -> list[str]:
    """Make Excel tables (and the sheet's filter) that start at the header row end at `last_row`."""
    from openpyxl.utils.cell import range_boundaries

    if header_row is None:
        return []
    grown = []
    for table in ws.tables.values():
        min_col, min_row, max_col, _max_row = range_boundaries(table.ref)
        if min_row != header_row:
            continue
        totals = table.totalsRowCount or 0
        ref = f"{column_letter(min_col)}{min_row}:{column_letter(max_col)}{last_row + totals}"
        table.ref = ref
        if table.autoFilter is not None:
            table.autoFilter.ref = f"{column_letter(min_col)}{min_row}:{column_letter(max_col)}{last_row}"
        grown.append(table.displayName)
    if ws.auto_filter.ref:
        min_col, min_row, max_col, _max_row = range_boundaries(ws.auto_filter.ref)
        if min_row == header_row:
            ws.auto_filter.ref = f"{column_letter(min_col)}{min_row}:{column_letter(max_col)}{last_row}"
    return grown
