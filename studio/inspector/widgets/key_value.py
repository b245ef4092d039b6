"""A name → value table for `dict[str, str]` fields (headers, query parameters)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from studio.inspector.schema import FieldSpec
from studio.inspector.style import table_with_buttons
from studio.inspector.widgets.base import FieldWidget, FormContext

__all__ = ["KeyValueField"]

MIN_ROWS = 1


class KeyValueField(FieldWidget):
    """Two columns, Name and Value; rows without a name are not stored."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels(["Name", "Value"])
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTabKeyNavigation(False)
        self.add_button, self.remove_button, _layout = table_with_buttons(self, self.table, "+ Add")
        self.setFocusProxy(self.table)
        self.table.itemChanged.connect(lambda _item: self._emit())
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_current)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._fit()
        self._update_buttons()

    def _fit(self) -> None:
        rows = max(self.table.rowCount(), MIN_ROWS)
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        height += self.table.verticalHeader().defaultSectionSize() * (rows - self.table.rowCount())
        self.table.setFixedHeight(height)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.table.currentRow() >= 0 and self.table.rowCount() > 0)

    def _set_rows(self, pairs: list[tuple[str, str]]) -> None:
        blocked = self.table.blockSignals(True)
        self.table.setRowCount(len(pairs))
        for row, (name, value) in enumerate(pairs):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(value))
        self.table.blockSignals(blocked)
        self._fit()
        self._update_buttons()

    def add_row(self) -> None:
        row = self.table.rowCount()
        blocked = self.table.blockSignals(True)
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(""))
        self.table.setItem(row, 1, QTableWidgetItem(""))
        self.table.blockSignals(blocked)
        self._fit()
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))
        self.structure_changed.emit()

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        had_name = bool(self._cell(row, 0).strip())
        self.table.removeRow(row)
        self._fit()
        self._update_buttons()
        if had_name:
            self._emit(mergeable=False)
        self.structure_changed.emit()

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def value(self) -> Any:
        out: dict[str, str] = {}
        for row in range(self.table.rowCount()):
            name = self._cell(row, 0).strip()
            if name:
                out[name] = self._cell(row, 1)
        return out

    def show_value(self, value: Any) -> None:
        items = value.items() if isinstance(value, dict) else []
        pairs = [(str(k), "" if v is None else str(v)) for k, v in items]
        self._set_rows(pairs)

    def focus_chain(self) -> list[QWidget]:
        return [self.table, self.add_button, self.remove_button]
