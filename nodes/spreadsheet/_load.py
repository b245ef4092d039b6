"""The reading pipeline shared by Read sheet and Find rows: workbook → sheet area → Table.

.xlsx/.xlsm files are streamed by our own reader (`_ooxml_book`, `_ooxml_sheet`: memory
stays near the size of the values); .xls, .xlsb and .ods go through calamine. Formula
results: both read the results the file stores. Cells whose formula was never calculated
(files written by libraries) and error cells are found while reading; "cached" then fails
naming those cells, "recalculate" lets LibreOffice recalculate a copy first.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

from nodes._shared.offload import Stop
from nodes.files._common import os_error
from nodes.spreadsheet._cells import Area, parse_area
from nodes.spreadsheet._libreoffice import LibreOfficeMissing, convert
from nodes.spreadsheet._ooxml_book import OoxmlBook, name_area
from nodes.spreadsheet._ooxml_sheet import SheetCells, read_cells
from nodes.spreadsheet._reader import (
    calamine_sheets,
    check_readable,
    describe_cells,
    grid_cells,
    merged_ranges,
    open_workbook,
    pick_sheet,
    read_grid,
)
from nodes.spreadsheet._table import HeaderMode, SheetTable, cells_table
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
    empty: bool = False
    """A named table with a header row only: no cells to read."""


_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ElementTree.ParseError, ValueError,
            IndexError, UnicodeError, NotImplementedError, RuntimeError)
"""What reading a damaged package raises (zipfile: RuntimeError for a member with a password,
NotImplementedError for a compression method it lacks)."""


def _damaged(path: Path, exc: BaseException) -> NodeError:
    if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile) and exc.errno:
        return os_error(exc, path, "read")
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return NodeError(f"cannot read {path}: the file is damaged or not a {path.suffix} workbook ({reason})")


def _open_ooxml(path: Path) -> OoxmlBook:
    try:
        return OoxmlBook(path)
    except (*_DAMAGED, OSError) as exc:
        raise _damaged(path, exc) from None


def _choose(path: Path, sheets: list[tuple[str, bool, str]], request: ReadRequest) -> _Target:
    """The sheet and cells a request names by sheet and range."""
    area = parse_area(request.range) if request.range.strip() else None
    sheet = pick_sheet(path, sheets, area.sheet if area is not None and area.sheet else request.sheet)
    kind = next(k for name, _, k in sheets if name == sheet)
    if kind != "worksheet":
        what = kind.replace("sheet", "")
        raise NodeError(f"{path.name}: the sheet '{sheet}' is a {what} sheet, not a sheet of cells")
    return _Target(sheet, area)


def _resolve_ooxml(path: Path, book: OoxmlBook, request: ReadRequest) -> _Target:
    sheets = [(s.name, s.visible, s.kind) for s in book.sheets]
    wanted = request.table.strip()
    if not wanted:
        return _choose(path, sheets, request)
    try:
        tables = book.tables()
    except (*_DAMAGED, OSError) as exc:
        raise _damaged(path, exc) from None
    match = next((t for t in tables if t.name.casefold() == wanted.casefold()), None)
    if match is not None:
        return _Target(match.sheet, match.data, match.columns, empty=match.data is None)
    return _defined_name(path, [t.name for t in tables], book.defined_names, book.sheet_names, wanted)


def _resolve_calamine(path: Path, book: Any, request: ReadRequest) -> _Target:
    wanted = request.table.strip()
    if not wanted:
        return _choose(path, calamine_sheets(path, book), request)
    tables = list(book.table_names or [])
    match = next((t for t in tables if t.casefold() == wanted.casefold()), None)
    if match is not None:
        table = book.get_table_by_name(match)
        if table.start is None or table.end is None:
            return _Target(table.sheet, None, [str(c) for c in table.columns], empty=True)
        (top, left), (bottom, right) = table.start, table.end
        return _Target(table.sheet, Area(top + 1, left + 1, bottom + 1, right + 1, table.sheet),
                       [str(c) for c in table.columns])
    return _defined_name(path, tables, {}, list(book.sheet_names), wanted)


def _defined_name(path: Path, tables: list[str], names: dict[str, tuple[str, int | None]],
                  sheet_names: list[str], name: str) -> _Target:
    """A defined name (looked up ignoring case) as the sheet and cells it refers to."""
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
    sheet = area.sheet or (sheet_names[local] if local is not None and local < len(sheet_names) else None)
    if sheet is None or sheet not in sheet_names:
        raise NodeError(f"{path.name}: the name '{found}' refers to a sheet that does not exist ({formula})")
    return _Target(sheet, area)


def _recalculated(path: Path, folder: Path, stop: Stop) -> Path:
    try:
        return convert([path], folder, "xlsx", stop)[0]
    except LibreOfficeMissing:
        raise NodeError(f"cannot recalculate {path.name}: LibreOffice is not installed. Install LibreOffice "
                        "(libreoffice.org), or open and save the file in Excel so that it stores the "
                        "results, then read it with 'Formula results' set to 'stored results'") from None
    except (OSError, RuntimeError) as exc:
        raise NodeError(f"cannot recalculate {path.name} with LibreOffice: {exc}") from None


def _read_recalculated(path: Path, target: _Target, request: ReadRequest, stop: Stop,
                       sheets: list[str]) -> Loaded:
    """Read `target` from a copy of the workbook that LibreOffice recalculated (as .xlsx)."""
    with tempfile.TemporaryDirectory(prefix="loomwork-recalc-") as folder, \
            _open_ooxml(_recalculated(path, Path(folder), stop)) as fresh:
        return _read_ooxml(fresh, target, request, stop, sheets, shown=path)


def load_table(path: Path, request: ReadRequest, stop: Stop) -> Loaded:
    """Read the requested cells of a workbook into a table (pure: runs in a worker thread)."""
    check_readable(path)
    if path.suffix.lower() in _OOXML:
        with _open_ooxml(path) as book:
            target = _resolve_ooxml(path, book, request)
            sheets = book.sheet_names
            stop.check()
            if request.formulas != "recalculate":
                return _read_ooxml(book, target, request, stop, sheets, shown=path)
        return _read_recalculated(path, target, request, stop, sheets)
    book = open_workbook(path, tables=bool(request.table.strip()))
    try:
        target = _resolve_calamine(path, book, request)
        sheets = list(book.sheet_names)
        stop.check()
        if request.formulas == "recalculate":
            return _read_recalculated(path, target, request, stop, sheets)
        grid = read_grid(path, book, target.sheet, None if target.empty else target.area)
        cells = grid_cells(grid) if not target.empty else SheetCells({})
        merged = merged_ranges(path, book, target.sheet) if request.merged == "fill" else None
        loaded = Loaded(SheetTable(None, [], [], None), target.sheet, sheets)  # type: ignore[arg-type]
        if request.merged == "fill" and merged is None:
            loaded.notes.append(f"{path.suffix} files do not tell which cells are merged; "
                                "merged cells were read as they are stored")
        loaded.result = _table(cells, target, request, merged, stop)
        return loaded
    finally:
        book.close()


def _table(cells: SheetCells, target: _Target, request: ReadRequest,
           merged: list[tuple[int, int, int, int]] | None, stop: Stop) -> SheetTable:
    header = "none" if target.header_names is not None else request.header
    return cells_table(cells, header, first_column=target.area.first_column if target.area else None,
                       skip_empty_rows=request.skip_empty_rows, dates_as_text=request.dates_as_text,
                       merged=merged, stop=stop, header_names=target.header_names)


def _read_ooxml(book: OoxmlBook, target: _Target, request: ReadRequest, stop: Stop, sheets: list[str], *,
                shown: Path) -> Loaded:
    fill = request.merged == "fill"
    try:
        sheet = book.sheet(target.sheet)
    except StopIteration:
        raise NodeError(f"{shown.name}: the recalculated copy has no sheet '{target.sheet}'") from None
    try:
        cells = SheetCells({}) if target.empty else read_cells(book, sheet, target.area, stop, merged=fill)
    except ValueError as exc:
        raise NodeError(f"cannot read {shown.name}, sheet '{target.sheet}': {exc}") from None
    except (*_DAMAGED, OSError) as exc:
        raise _damaged(shown, exc) from None
    loaded = Loaded(SheetTable(None, [], [], None), target.sheet, sheets)  # type: ignore[arg-type]
    if cells.uncalculated:
        where = describe_cells(list(cells.uncalculated), target.sheet)
        if request.formulas == "cached":
            raise NodeError(
                f"{shown.name}: {len(cells.uncalculated)} formula cell(s) have no calculated result "
                f"({where}, e.g. {next(iter(cells.uncalculated.values()))}): the file was saved by a "
                "program that does not calculate formulas. Set 'Formula results' to 'Recalculate with "
                "LibreOffice', or open and save the file in Excel")
        raise NodeError(f"{shown.name}: LibreOffice left {where} without a result")
    if cells.errors:
        kinds = sorted(set(cells.errors.values()))
        loaded.warnings.append(f"{shown.name}: {len(cells.errors)} cell(s) show an error "
                               f"({', '.join(kinds)}): {describe_cells(list(cells.errors), target.sheet)}; "
                               "they are read as that text")
    loaded.result = _table(cells, target, request, cells.merged if fill else None, stop)
    return loaded
