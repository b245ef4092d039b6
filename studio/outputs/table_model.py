"""A virtual, sortable Qt model over a runtime `Table`: cells are formatted only when shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from runtime.api import Table
from studio.outputs.format import decimals_of, format_cell, format_fixed, format_scalar, is_numeric, sort_key

__all__ = ["TableModel"]

_Index = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
_DECIMALS_SAMPLE, _MAX_DECIMALS = 200, 6


class TableModel(QAbstractTableModel):
    """Rows are read from the table on demand; sorting reorders a list of row numbers."""

    def __init__(self, table: Table | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._table = table if table is not None else Table([], [])
        self._names = self._table.column_names
        self._order: list[int] | None = None
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None
        self._decimals = _column_decimals(self._table)
        self._dim = _dim_color()

    # -- the table -------------------------------------------------------------------------------

    @property
    def table(self) -> Table:
        return self._table

    def set_table(self, table: Table) -> None:
        self.beginResetModel()
        self._table = table
        self._names = table.column_names
        self._order = None
        self._sorted_by = None
        self._decimals = _column_decimals(table)
        self.endResetModel()

    def row_number(self, row: int) -> int:
        """The table row shown at view row `row` (they differ once sorted)."""
        return self._order[row] if self._order is not None else row

    def record(self, row: int) -> dict[str, Any]:
        return self._table.rows[self.row_number(row)]

    def cell(self, row: int, column: int) -> Any:
        return self._table.value(self.row_number(row), self._names[column])

    @property
    def sorted_by(self) -> tuple[int, Qt.SortOrder] | None:
        return self._sorted_by

    def display(self, row: int, column: int) -> str:
        """The text of a cell: numbers of a column share their count of decimals when exact."""
        value = self.cell(row, column)
        decimals = self._decimals[column]
        if decimals is not None and is_numeric(value):
            fixed = format_fixed(value, decimals)
            if fixed is not None:
                return fixed
        return format_cell(value)

    # -- Qt model --------------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._table)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._names)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            value = self.cell(index.row(), index.column())
            if value is None or isinstance(value, bool):
                return _CENTER
            return _RIGHT if is_numeric(value) else _LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._dim if self.cell(index.row(), index.column()) is None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            value = self.cell(index.row(), index.column())
            text = format_scalar(value)
            return text[:2000] if len(text) > 40 or "\n" in text else None
        if role == Qt.ItemDataRole.EditRole:
            return self.cell(index.row(), index.column())
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(self.row_number(section) + 1)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _RIGHT
            return None
        if not 0 <= section < len(self._names):
            return None
        column = self._table.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{column.name}: {column.type}"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (missing values last either way); a column of -1 restores the order."""
        self.layoutAboutToBeChanged.emit()
        if not 0 <= column < len(self._names):
            self._order = None
            self._sorted_by = None
        else:
            self._order = sorted_rows(self._table, self._names[column],
                                      order == Qt.SortOrder.DescendingOrder)
            self._sorted_by = (column, order)
        self.layoutChanged.emit()


def sorted_rows(table: Table, name: str, descending: bool = False) -> list[int]:
    """Row numbers ordered by one column; None last, ties keep their order (stable)."""
    values = list(table.column_values(name))
    present = [i for i, value in enumerate(values) if value is not None]
    missing = [i for i, value in enumerate(values) if value is None] if len(present) < len(values) else []
    try:
        present.sort(key=_fast_keys(values, present).__getitem__, reverse=descending)
    except TypeError:  # e.g. naive and aware datetimes: fall back to keys that always compare
        keys = [sort_key(v) if v is not None else None for v in values]
        present.sort(key=keys.__getitem__, reverse=descending)
    return present + missing


def _fast_keys(values: list[Any], present: list[int]) -> list[Any]:
    """Sort keys by row number: the values themselves when one simple type fills the column."""
    kinds = {type(values[i]) for i in present}
    if kinds <= {int, float} and not any(v != v for v in values if isinstance(v, float)):
        return values
    if kinds == {str}:
        return [v.casefold() if v is not None else None for v in values]
    if len(kinds) == 1 and kinds <= {dt.date, dt.datetime, dt.time}:
        return values
    return [sort_key(v) if v is not None else None for v in values]


def _column_decimals(table: Table) -> list[int | None]:
    """Per column, the decimals to show numbers with (from the first rows; None: as they are)."""
    sample = table.rows[:_DECIMALS_SAMPLE]
    found: list[int | None] = []
    for column in table.columns:
        values = [row.get(column.name) for row in sample]
        floats = [v for v in values if isinstance(v, float)]
        counts = [decimals_of(v) for v in floats]
        if not floats or None in counts or (column.type != "number" and len(floats) < len(values)):
            found.append(None)
            continue
        found.append(min(_MAX_DECIMALS, max(c or 0 for c in counts)))
    return found


def _dim_color() -> QColor:
    app = QApplication.instance()
    palette = app.palette() if isinstance(app, QApplication) else QPalette()
    return palette.color(QPalette.ColorRole.PlaceholderText)
