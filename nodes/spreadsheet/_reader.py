"""Opening workbooks with calamine (python-calamine, MIT: a Rust reader of xlsx, xlsm, xlsb,
xls and ods that is many times faster than openpyxl) and turning its failures into messages
that name the file and the reason. python_calamine is imported inside the functions only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nodes.files._common import os_error
from nodes.spreadsheet._cells import Area, column_letter
from nodes.spreadsheet._columns import duration_text
from nodes.spreadsheet._ooxml_sheet import SheetCells
from runtime.api import NodeError

__all__ = [
    "READABLE",
    "Grid",
    "calamine_sheets",
    "check_readable",
    "clean",
    "describe_cells",
    "grid_cells",
    "merged_ranges",
    "open_workbook",
    "pick_sheet",
    "read_grid",
]

READABLE = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls", ".ods")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PROTECTED = ("is password-protected; remove the password (in Excel: File › Info › Protect Workbook › "
              "Encrypt with Password, clear it) or save an unprotected copy")


@dataclass
class Grid:
    """Cell values of a rectangle of a sheet; `first_row`/`first_column` are 1-based sheet positions."""

    rows: list[list[Any]]
    first_row: int
    first_column: int
    sheet: str


def check_readable(path: Path) -> None:
    """Raise a NodeError naming the file when it cannot be a workbook calamine reads."""
    if path.suffix.lower() == ".csv":
        raise NodeError(f"{path.name} is a CSV file: use the 'Read CSV' node for it")
    if path.suffix.lower() not in READABLE:
        raise NodeError(f"cannot read {path}: Read sheet reads {', '.join(READABLE)} files, not "
                        f"'{path.suffix or 'no extension'}'")
    try:
        info = path.stat()
        if path.is_dir():
            raise IsADirectoryError
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise os_error(exc, path, "read") from None
    if info.st_size == 0:
        raise NodeError(f"cannot read {path}: the file is empty (0 bytes), not a workbook")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xltx", ".xltm") and head == _OLE:
        if _is_encrypted_package(path):
            raise NodeError(f"cannot read {path}: the workbook {_PROTECTED}")
        raise NodeError(f"cannot read {path}: it is an old-style .xls file with the wrong extension; "
                        "rename it to .xls")


def _is_encrypted_package(path: Path) -> bool:
    """An OOXML file encrypted with a password is an OLE container holding 'EncryptedPackage'."""
    try:
        with path.open("rb") as handle:
            data = handle.read(1 << 20)
    except OSError:
        return False
    return "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data


def _failure(path: Path, exc: BaseException) -> NodeError:
    import python_calamine as pc

    if isinstance(exc, pc.PasswordError):
        return NodeError(f"cannot read {path}: the workbook {_PROTECTED}")
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, OSError) and not isinstance(exc, (pc.CalamineError,)) and exc.errno:
        return os_error(exc, path, "read")
    return NodeError(f"cannot read {path}: the file is damaged or not a {path.suffix} workbook ({reason})")


def _guard(path: Path, action: Any) -> Any:
    """Run a calamine call; every failure (a Rust panic too) becomes a NodeError naming the file."""
    try:
        return action()
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except NodeError:
        raise
    except BaseException as exc:  # pyo3 panics derive from BaseException
        raise _failure(path, exc) from None


def open_workbook(path: Path, *, tables: bool = False) -> Any:
    """An open `CalamineWorkbook` (close it when done)."""
    import python_calamine as pc

    check_readable(path)
    load_tables = tables and path.suffix.lower() in (".xlsx", ".xlsm", ".xltx", ".xltm")
    return _guard(path, lambda: pc.CalamineWorkbook.from_path(str(path), load_tables=load_tables))


def calamine_sheets(path: Path, book: Any) -> list[tuple[str, bool, str]]:
    """(name, visible, kind) of each sheet of a calamine workbook; kind as in SheetInfo."""
    found = []
    for meta in _guard(path, lambda: book.sheets_metadata):
        kind = str(meta.typ).rsplit(".", 1)[-1].lower()
        found.append((str(meta.name), str(meta.visible).endswith("Visible"),
                      "worksheet" if kind == "worksheet" else kind))
    return found


def pick_sheet(path: Path, sheets: list[tuple[str, bool, str]], wanted: str) -> str:
    """The sheet name for config text: a name (exact, then ignoring case), a 1-based number,
    or "" for the first visible worksheet. `sheets`: (name, visible, kind) of each sheet."""
    names = [name for name, _, _ in sheets]
    if not names:
        raise NodeError(f"cannot read {path}: the workbook has no sheets")
    wanted = wanted.strip()
    if not wanted:
        return next((name for name, visible, kind in sheets if visible and kind == "worksheet"), names[0])
    if wanted in names:
        return wanted
    folded = [n for n in names if n.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return folded[0]
    if wanted.isdigit() and 1 <= int(wanted) <= len(names):
        return names[int(wanted) - 1]
    listed = ", ".join(f"'{n}'" for n in names)
    raise NodeError(f"{path.name} has no sheet '{wanted}'; its sheets are: {listed} (or give a number "
                    f"from 1 to {len(names)})")


def _whole_float(value: Any) -> Any:
    if type(value) is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def clean(value: Any) -> Any:
    """A calamine value as a Table value: "" → None, whole numbers → int, times → text."""
    if value == "" or value is None:
        return None
    kind = type(value)
    if kind is float:
        return _whole_float(value)
    if kind is dt.time:
        return value.isoformat()
    if kind is dt.timedelta:
        return duration_text(value.total_seconds(), digits=6)
    return value


def read_grid(path: Path, book: Any, sheet: str, area: Area | None) -> Grid:
    """The raw values of `area` (or of the sheet's used area) of a sheet, top-left aligned."""
    ws = _guard(path, lambda: book.get_sheet_by_name(sheet))
    start = ws.start
    if start is None:
        return Grid([], area.first_row if area else 1, area.first_column if area else 1, sheet)
    top, left = start[0] + 1, start[1] + 1
    if area is None:
        rows = _guard(path, lambda: ws.to_python(skip_empty_area=True))
        return Grid(rows, top, left, sheet)
    nrows = None if area.last_row is None else max(0, area.last_row - top + 1)
    if nrows == 0:
        return Grid([], area.first_row, area.first_column, sheet)
    rows = _guard(path, lambda: ws.to_python(skip_empty_area=True, nrows=nrows))
    skip_rows = max(0, area.first_row - top)
    first_col = max(0, area.first_column - left)
    last_col = None if area.last_column is None else area.last_column - left + 1
    picked = [row[first_col:last_col] for row in rows[skip_rows:]]
    pad_rows = max(0, top - area.first_row)
    pad_cols = max(0, left - area.first_column)
    if pad_cols:
        width = None if area.last_column is None else area.last_column - area.first_column + 1
        picked = [([""] * pad_cols + row)[:width] for row in picked]
    if pad_rows:
        picked = [[] for _ in range(pad_rows)] + picked
    if area.last_row is not None:
        picked = picked[:area.last_row - area.first_row + 1]
    return Grid(picked, area.first_row, area.first_column, sheet)


def merged_ranges(path: Path, book: Any, sheet: str) -> list[tuple[int, int, int, int]] | None:
    """Merged areas as 1-based (first_row, first_col, last_row, last_col); None: the format has none."""
    ws = _guard(path, lambda: book.get_sheet_by_name(sheet))
    found = _guard(path, lambda: ws.merged_cell_ranges)
    if found is None:
        return None
    return [(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in found]


def describe_cells(cells: list[tuple[int, int]], sheet: str, limit: int = 6) -> str:
    """"Sheet1!B2, B3 and 4 more" for messages."""
    ordered = sorted(cells)
    shown = ", ".join(f"{column_letter(c)}{r}" for r, c in ordered[:limit])
    more = f" and {len(ordered) - limit} more" if len(ordered) > limit else ""
    return f"'{sheet}'!{shown}{more}"


_MAX_EXACT = 2**53


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


def grid_cells(grid: Grid) -> SheetCells:
    """calamine's rows as the columns the table is built from (rows without values left out)."""
    rows = grid.rows
    width = max((len(r) for r in rows), default=0)
    kept = [i for i, row in enumerate(rows) if any(v != "" and v is not None for v in row)]
    picked = [rows[i] + [""] * (width - len(rows[i])) for i in kept]
    grid.rows = []
    columns = [_clean_column(c) for c in zip(*picked, strict=True)] if picked else []
    del picked
    cells = SheetCells({grid.first_column + i: values for i, values in enumerate(columns)
                        if any(v is not None for v in values)},
                       [grid.first_row + i for i in kept])
    return cells
