"""The reading pipeline shared by Read sheet and Find rows: workbook → sheet area → Table.

Formula results: calamine reads the results the file stores. Cells whose formula was never
calculated (files written by libraries) and error cells are found by `scan_sheet`; "cached"
then fails naming those cells, "recalculate" lets LibreOffice recalculate a copy first.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from nodes._shared.offload import Stop
from nodes.spreadsheet._cells import Area, parse_area
from nodes.spreadsheet._libreoffice import LibreOfficeMissing, convert
from nodes.spreadsheet._reader import (
    Grid,
    describe_cells,
    merged_ranges,
    open_workbook,
    pick_sheet,
    read_grid,
)
from nodes.spreadsheet._table import HeaderMode, SheetTable, grid_table
from nodes.spreadsheet._xlsx_parts import SheetScan, defined_names, name_area, scan_sheet
from runtime.api import NodeError

__all__ = ["FormulaMode", "Loaded", "ReadRequest", "load_table"]

FormulaMode = Literal["cached", "recalculate"]
_OOXML = (".xlsx", ".xlsm", ".xltx", ".xltm")


@dataclass(frozen=True)
class ReadRequest:
    """What to read and how (the reading part of a node's config)."""

    sheet: str = ""
    range: str = ""
    table: str = ""
    header: HeaderMode = "auto"
    merged: Literal["first_cell", "fill"] = "first_cell"
    formulas: FormulaMode = "cached"
    skip_empty_rows: bool = True
    dates_as_text: bool = False


@dataclass
class Loaded:
    """A table read from a workbook, with the log lines to write (a worker thread cannot log)."""

    result: SheetTable
    sheet: str
    sheets: list[str]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Target:
    sheet: str
    area: Area | None
    header_names: list[str] | None = None


def _resolve(path: Path, book: Any, request: ReadRequest) -> _Target:
    """Which sheet and cells the request names."""
    if request.table.strip():
        return _named(path, book, request.table.strip())
    area = parse_area(request.range) if request.range.strip() else None
    sheet = pick_sheet(path, book, area.sheet if area is not None and area.sheet else request.sheet)
    kind = next((str(m.typ) for m in book.sheets_metadata if m.name == sheet), "")
    if kind.endswith(("ChartSheet", "DialogSheet", "MacroSheet")):
        what = kind.rsplit(".", 1)[-1].replace("Sheet", "").lower()
        raise NodeError(f"{path.name}: the sheet '{sheet}' is a {what} sheet, not a sheet of cells")
    return _Target(sheet, area)


def _named(path: Path, book: Any, name: str) -> _Target:
    """An Excel table (ListObject) or a defined name, looked up ignoring case."""
    tables = list(book.table_names or [])
    match = next((t for t in tables if t.casefold() == name.casefold()), None)
    if match is not None:
        table = book.get_table_by_name(match)
        if table.start is None or table.end is None:
            raise NodeError(f"{path.name}: the table '{match}' has no cells")
        (top, left), (bottom, right) = table.start, table.end
        return _Target(table.sheet, Area(top + 1, left + 1, bottom + 1, right + 1, table.sheet),
                       [str(c) for c in table.columns])
    names: dict[str, tuple[str, int | None]] = {}
    if path.suffix.lower() in _OOXML:
        try:
            names = defined_names(path)
        except (OSError, ValueError, KeyError) as exc:
            raise NodeError(f"cannot read the named ranges of {path}: {exc}") from None
    found = next((n for n in names if n.casefold() == name.casefold()), None)
    if found is None:
        known = [*tables, *names]
        listed = ", ".join(f"'{n}'" for n in known) if known else "none"
        extra = ("" if path.suffix.lower() in _OOXML
                 else " (named ranges are read from .xlsx/.xlsm files only)")
        raise NodeError(f"{path.name} has no table or named range '{name}'; it has: {listed}{extra}")
    formula, local = names[found]
    try:
        area = name_area(found, formula)
    except ValueError as exc:
        raise NodeError(f"{path.name}: {exc}") from None
    sheet_names = list(book.sheet_names)
    sheet = area.sheet or (sheet_names[local] if local is not None and local < len(sheet_names) else None)
    if sheet is None or sheet not in sheet_names:
        raise NodeError(f"{path.name}: the name '{found}' refers to a sheet that does not exist ({formula})")
    return _Target(sheet, area)


def _scan(path: Path, target: _Target, stop: Stop) -> SheetScan:
    if path.suffix.lower() not in _OOXML:
        return SheetScan()
    try:
        scan = scan_sheet(path, target.sheet, stop)
    except (OSError, ValueError, KeyError):
        return SheetScan()
    if target.area is not None:
        area = target.area
        scan.uncalculated = {k: v for k, v in scan.uncalculated.items() if area.contains(*k)}
        scan.errors = {k: v for k, v in scan.errors.items() if area.contains(*k)}
    return scan


def _put_errors(grid: Grid, errors: dict[tuple[int, int], str]) -> None:
    """Write the error text (#N/A, #DIV/0!) where calamine left the error cells empty."""
    for (row, column), text in errors.items():
        r, c = row - grid.first_row, column - grid.first_column
        if 0 <= r < len(grid.rows) and c >= 0:
            cells = grid.rows[r]
            if c >= len(cells):
                cells.extend([""] * (c - len(cells) + 1))
            if cells[c] in ("", None):
                cells[c] = text


def _recalculated(path: Path, folder: Path, stop: Stop) -> Path:
    try:
        return convert([path], folder, "xlsx", stop)[0]
    except LibreOfficeMissing:
        raise NodeError(f"cannot recalculate {path.name}: LibreOffice is not installed. Install LibreOffice "
                        "(libreoffice.org), or open and save the file in Excel so that it stores the "
                        "results, then read it with 'Formula results' set to 'stored results'") from None
    except (OSError, RuntimeError) as exc:
        raise NodeError(f"cannot recalculate {path.name} with LibreOffice: {exc}") from None


def load_table(path: Path, request: ReadRequest, stop: Stop) -> Loaded:
    """Read the requested cells of a workbook into a table (pure: runs in a worker thread)."""
    book = open_workbook(path, tables=bool(request.table.strip()))
    try:
        target = _resolve(path, book, request)
        sheets = list(book.sheet_names)
        stop.check()
        if request.formulas == "recalculate":
            with tempfile.TemporaryDirectory(prefix="loomwork-recalc-") as folder:
                fresh = _recalculated(path, Path(folder), stop)
                return _read(fresh, target, request, stop, sheets, shown=path)
        return _read(path, target, request, stop, sheets, shown=path, book=book)
    finally:
        book.close()


def _read(path: Path, target: _Target, request: ReadRequest, stop: Stop, sheets: list[str], *,
          shown: Path, book: Any = None) -> Loaded:
    own = book is None
    if own:
        book = open_workbook(path)
    try:
        grid = read_grid(shown, book, target.sheet, target.area)
        stop.check()
        scan = _scan(path, target, stop)
        loaded = Loaded(SheetTable(None, [], [], None), target.sheet, sheets)  # type: ignore[arg-type]
        if scan.uncalculated:
            cells = describe_cells(list(scan.uncalculated), target.sheet)
            if request.formulas == "cached":
                raise NodeError(
                    f"{shown.name}: {len(scan.uncalculated)} formula cell(s) have no calculated result "
                    f"({cells}, e.g. {next(iter(scan.uncalculated.values()))}): the file was saved by a "
                    "program "
                    "that does not calculate formulas. Set 'Formula results' to 'Recalculate with "
                    "LibreOffice', or open and save the file in Excel")
            raise NodeError(f"{shown.name}: LibreOffice left {cells} without a result")
        if scan.errors:
            _put_errors(grid, scan.errors)
            kinds = sorted(set(scan.errors.values()))
            loaded.warnings.append(f"{shown.name}: {len(scan.errors)} cell(s) show an error "
                                   f"({', '.join(kinds)}): "
                                   f"{describe_cells(list(scan.errors), target.sheet)}; "
                                   "they are read as that text")
        merged = None
        if request.merged == "fill":
            merged = merged_ranges(shown, book, target.sheet)
            if merged is None:
                loaded.notes.append(f"{shown.suffix} files do not tell which cells are merged; "
                                    "merged cells were read as they are stored")
        header = "none" if target.header_names is not None else request.header
        loaded.result = grid_table(grid, header, skip_empty_rows=request.skip_empty_rows,
                                   dates_as_text=request.dates_as_text, merged=merged, stop=stop,
                                   header_names=target.header_names)
        return loaded
    finally:
        if own:
            book.close()
