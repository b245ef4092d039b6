"""A1 references: column letters, cells ("B2"), ranges ("B2:F100", "A:C", "2:10", "Data!A1:B5")."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "MAX_COLUMNS",
    "MAX_ROWS",
    "Area",
    "cell_name",
    "column_index",
    "column_letter",
    "parse_area",
    "parse_cell",
    "quote_sheet",
]

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384

_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_COLUMN = re.compile(r"\$?([A-Za-z]{1,3})")
_ROW = re.compile(r"\$?(\d{1,7})")


def column_index(letters: str) -> int:
    """1-based column number of "A", "AB", … (raises ValueError beyond XFD)."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    if not 1 <= number <= MAX_COLUMNS:
        raise ValueError(f"column {letters} is beyond the last column XFD")
    return number


def column_letter(index: int) -> str:
    """Letters of a 1-based column number (1 → A, 28 → AB)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, column: int) -> str:
    """"B2" for row 2, column 2 (both 1-based)."""
    return f"{column_letter(column)}{row}"


def quote_sheet(name: str) -> str:
    """The sheet name as it is written in a reference: quoted unless it is a plain word."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) and not _CELL.fullmatch(name):
        return name
    return "'" + name.replace("'", "''") + "'"


def parse_cell(text: str) -> tuple[int, int]:
    """(row, column), both 1-based, of a cell reference such as "B2" or "$B$2"."""
    match = _CELL.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a cell reference (write it like B2)")
    row = int(match.group(2))
    if not 1 <= row <= MAX_ROWS:
        raise ValueError(f"row {row} in '{text}' is beyond the last row {MAX_ROWS}")
    return row, column_index(match.group(1))


@dataclass(frozen=True)
class Area:
    """A rectangle of cells, 1-based and inclusive; None means "to the edge of the data"."""

    first_row: int
    first_column: int
    last_row: int | None
    last_column: int | None
    sheet: str | None = None

    def contains(self, row: int, column: int) -> bool:
        return (self.first_row <= row <= (self.last_row or MAX_ROWS)
                and self.first_column <= column <= (self.last_column or MAX_COLUMNS))

    def __str__(self) -> str:
        def end(row: int | None, column: int | None) -> str:
            return f"{column_letter(column) if column else 'XFD'}{row or MAX_ROWS}"
        return f"{cell_name(self.first_row, self.first_column)}:{end(self.last_row, self.last_column)}"


def _split_sheet(text: str) -> tuple[str | None, str]:
    if "!" not in text:
        return None, text
    sheet, _, ref = text.rpartition("!")
    sheet = sheet.strip()
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    return sheet or None, ref


def parse_area(text: str) -> Area:
    """A range such as "B2:F100", "B2" (one cell), "A:C" (whole columns), "2:10" (whole rows),
    "B5:F" or "B5:" (down to the last row with data), optionally with "Sheet!" in front."""
    sheet, ref = _split_sheet(text.strip())
    ref = ref.strip()
    start, colon, end = ref.partition(":")
    start, end = start.strip(), end.strip()
    try:
        if _CELL.fullmatch(start):
            first_row, first_column = parse_cell(start)
            if not colon:
                return Area(first_row, first_column, first_row, first_column, sheet)
            if not end:
                return Area(first_row, first_column, None, None, sheet)
            if _CELL.fullmatch(end):
                last_row, last_column = parse_cell(end)
            elif _COLUMN.fullmatch(end):
                last_row, last_column = None, column_index(_COLUMN.fullmatch(end).group(1))  # type: ignore[union-attr]
            else:
                raise ValueError
        elif colon and _COLUMN.fullmatch(start) and _COLUMN.fullmatch(end):
            first_row, last_row = 1, None
            first_column = column_index(_COLUMN.fullmatch(start).group(1))  # type: ignore[union-attr]
            last_column = column_index(_COLUMN.fullmatch(end).group(1))  # type: ignore[union-attr]
        elif colon and _ROW.fullmatch(start) and _ROW.fullmatch(end):
            first_column, last_column = 1, None
            first_row, last_row = int(start.strip("$")), int(end.strip("$"))
            if not 1 <= first_row <= MAX_ROWS or not 1 <= last_row <= MAX_ROWS:
                raise ValueError(f"a row in '{text}' is outside 1 to {MAX_ROWS}")
        else:
            raise ValueError
    except ValueError as exc:
        reason = str(exc) or "write it like B2:F100, A:C, 2:10 or B2"
        raise ValueError(f"'{text}' is not a range: {reason}") from None
    if last_row is not None and last_row < first_row:
        first_row, last_row = last_row, first_row
    if last_column is not None and last_column < first_column:
        first_column, last_column = last_column, first_column
    return Area(first_row, first_column, last_row, last_column, sheet)
