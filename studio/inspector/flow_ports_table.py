"""A small table of a flow's declared inputs or outputs: name, type, required, default, description."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from runtime.api import PortType
from studio.inspector.schema import same
from studio.inspector.style import error_label, table_with_buttons
from studio.inspector.widgets.json_text import parse_json_or_text, show_json_or_text

__all__ = ["FlowPortsTable"]

PORT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")  # as the document checks it
NAME, TYPE, REQUIRED, DEFAULT, DESCRIPTION = range(5)


class FlowPortsTable(QWidget):
    """Emits `changed(ports)` with `{name: {"type", "required", "default", "description"}}`
    when the table holds a valid set of ports; a name problem is shown below instead."""

    changed = Signal(dict)

    def __init__(self, noun: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.noun = noun
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels(["Name", "Type", "Req.", "Default", "Description"])
        self.table.horizontalHeaderItem(REQUIRED).setToolTip("Required: a run must give a value")
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(36)
        header.setHighlightSections(False)
        stretch, fixed = QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.Fixed
        for column, mode in ((NAME, stretch), (TYPE, fixed), (REQUIRED, fixed), (DEFAULT, stretch),
                             (DESCRIPTION, stretch)):
            header.setSectionResizeMode(column, mode)
        self.table.setColumnWidth(TYPE, 92)
        self.table.setColumnWidth(REQUIRED, 40)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTabKeyNavigation(False)
        self.add_button, self.remove_button, layout = table_with_buttons(self, self.table, f"+ Add {noun}")
        self.error = error_label(self)
        layout.addWidget(self.error)
        self.table.itemChanged.connect(lambda _item: self._emit())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.add_button.clicked.connect(self.add_port)
        self.remove_button.clicked.connect(self.remove_current)
        self._quiet = False
        self._fit()
        self._update_buttons()

    # ----- rows --------------------------------------------------------------------

    def _fit(self) -> None:
        rows = max(self.table.rowCount(), 1)
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        height += self.table.verticalHeader().defaultSectionSize() * rows
        if self.table.horizontalScrollBar().isVisible():
            height += self.table.horizontalScrollBar().sizeHint().height()
        self.table.setFixedHeight(height)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.table.currentRow() >= 0)

    def _add_row(self, name: str, port: dict[str, Any]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, NAME, QTableWidgetItem(name))
        combo = QComboBox(self.table)
        combo.addItems([t.value for t in PortType])
        combo.setCurrentText(str(port.get("type", "any")))
        combo.setFrame(False)
        combo.currentIndexChanged.connect(lambda _i: self._emit())
        self.table.setCellWidget(row, TYPE, combo)
        check = QTableWidgetItem()
        check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                       | Qt.ItemFlag.ItemIsSelectable)
        check.setCheckState(Qt.CheckState.Checked if port.get("required") else Qt.CheckState.Unchecked)
        self.table.setItem(row, REQUIRED, check)
        default = port.get("default")
        shown = "" if default is None else show_json_or_text(default)
        self.table.setItem(row, DEFAULT, QTableWidgetItem(shown))
        self.table.setItem(row, DESCRIPTION, QTableWidgetItem(str(port.get("description", ""))))

    def set_ports(self, ports: dict[str, dict[str, Any]]) -> None:
        """Show `ports` unless the table already holds them (keeps an edit in progress)."""
        current, problem = self.ports()
        if problem is None and same(current, ports):
            return
        self._quiet = True
        blocked = self.table.blockSignals(True)
        try:
            self.table.setRowCount(0)
            for name, port in ports.items():
                self._add_row(name, port)
        finally:
            self.table.blockSignals(blocked)
            self._quiet = False
        self._fit()
        self._update_buttons()
        self._show_problem(None)

    def add_port(self) -> None:
        names = {self._text(r, NAME).strip() for r in range(self.table.rowCount())}
        number = 1
        while f"{self.noun}_{number}" in names:
            number += 1
        self._quiet = True
        blocked = self.table.blockSignals(True)
        self._add_row(f"{self.noun}_{number}", {})
        self.table.blockSignals(blocked)
        self._quiet = False
        self._fit()
        self.table.setCurrentCell(self.table.rowCount() - 1, NAME)
        self._emit()

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._fit()
            self._update_buttons()
            self._emit()

    # ----- values ------------------------------------------------------------------

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def ports(self) -> tuple[dict[str, dict[str, Any]], str | None]:
        """What the table holds, and the first problem with its names (or None)."""
        out: dict[str, dict[str, Any]] = {}
        for row in range(self.table.rowCount()):
            name = self._text(row, NAME).strip()
            if not name:
                return out, f"Row {row + 1} needs a name"
            if not PORT_NAME.match(name):
                return out, f"“{name}” is not a valid name: use letters, digits and '_' (no spaces)"
            if name in out:
                return out, f"There are two {self.noun}s called “{name}”"
            combo = self.table.cellWidget(row, TYPE)
            default_text = self._text(row, DEFAULT)
            check = self.table.item(row, REQUIRED)
            out[name] = {
                "type": combo.currentText() if isinstance(combo, QComboBox) else "any",
                "description": self._text(row, DESCRIPTION),
                "required": check is not None and check.checkState() == Qt.CheckState.Checked,
                "default": None if default_text.strip() == "" else parse_json_or_text(default_text),
            }
        return out, None

    def _show_problem(self, problem: str | None) -> None:
        self.error.setText(f"⚠ {problem}" if problem else "")
        self.error.setVisible(bool(problem))

    def _emit(self) -> None:
        if self._quiet:
            return
        ports, problem = self.ports()
        self._show_problem(problem)
        if problem is None:
            self.changed.emit(ports)

    def focus_chain(self) -> list[QWidget]:
        return [self.table, self.add_button, self.remove_button]
