"""`ValueViewer`: shows the value of one node port (or switches between a node's ports)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from runtime.api import SessionRef, Table
from studio.outputs.file_card import FileCard
from studio.outputs.format import REFS, format_scalar, is_image_ref, json_text, kind_of
from studio.outputs.image_view import ImageViewer
from studio.outputs.json_tree import type_label
from studio.outputs.json_view import JsonViewer
from studio.outputs.opener import Opener, open_path
from studio.outputs.style import muted_label
from studio.outputs.table_view import TableViewer
from studio.outputs.text_view import ScalarViewer, TextViewer
from studio.theme import port_color

__all__ = ["LOG_TAB", "ValueViewer", "page_for"]

_PORT_KIND = {"date": "datetime", "null": "any"}
LOG_TAB = "Log"


def page_for(value: Any) -> str:
    """Which page shows `value`: text, scalar, json, table, image, file."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, (dict, list, tuple, SessionRef)):
        return "json"
    if isinstance(value, Table):
        return "table"
    if is_image_ref(value):
        return "image"
    if isinstance(value, REFS):
        return "file"
    return "scalar"


class ValueViewer(QWidget):
    """A header (port, type, Copy), tabs when there are several ports, and a page per kind."""

    port_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, opener: Opener = open_path) -> None:
        super().__init__(parent)
        self._ports: dict[str, Any] = {}
        self._log: list[str] = []
        self._current = ""
        self.title = QLabel(self)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.dot = QLabel("●", self)
        self.type_label = muted_label("", self)
        self.copy_button = QPushButton("Copy JSON", self)
        self.copy_button.setToolTip("Copy the value as JSON")
        self.copy_button.clicked.connect(self.copy)
        self.tabs = QTabBar(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setExpanding(False)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.tabs.hide()

        self.empty = muted_label("No value", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_view = TextViewer(self)
        self.scalar_view = ScalarViewer(self)
        self.json_view = JsonViewer(self)
        self.table_view = TableViewer(self)
        self.image_view = ImageViewer(self, opener=opener)
        self.file_card = FileCard(self, opener=opener)
        self.pages: dict[str, QWidget] = {
            "empty": self.empty, "text": self.text_view, "scalar": self.scalar_view, "json": self.json_view,
            "table": self.table_view, "image": self.image_view, "file": self.file_card,
        }
        self.stack = QStackedWidget(self)
        for page in self.pages.values():
            self.stack.addWidget(page)

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(6)
        header.addWidget(self.title)
        header.addWidget(self.dot)
        header.addWidget(self.type_label)
        header.addStretch(1)
        header.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.tabs)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        self.clear()

    # -- public API --------------------------------------------------------------------------------

    @property
    def opener(self) -> Opener:
        return self.file_card.opener

    @opener.setter
    def opener(self, opener: Opener) -> None:
        self.file_card.opener = opener
        self.image_view.opener = opener

    def set_value(self, value: Any, *, title: str = "") -> None:
        """Show one value; `title` names the port."""
        self._ports = {title: value}
        self._log = []
        self._set_tabs([])
        self._show(title, value)

    def set_values(self, ports: dict[str, Any], log: list[str] | None = None) -> None:
        """Show a node's outputs (port → value) with tabs to switch, and its log lines in a
        last "Log" tab; keeps the current tab if it is there."""
        if not ports and not log:
            self.clear()
            return
        self._ports = dict(ports)
        self._log = list(log or [])
        names = list(self._ports) + ([LOG_TAB] if self._log else [])
        keep = self._current if self._current in names else names[0]
        self._set_tabs(names, names.index(keep))
        self._show_tab(keep)

    def show_port(self, name: str) -> None:
        """Switch to one of the ports given to `set_values` (or to its "Log" tab)."""
        names = list(self._ports) + ([LOG_TAB] if self._log else [])
        if name not in names:
            raise KeyError(name)
        if self.tabs.count():
            self.tabs.setCurrentIndex(names.index(name))  # shows it through _tab_changed
        else:
            self._show_tab(name)

    def clear(self) -> None:
        self._ports = {}
        self._log = []
        self._set_tabs([])
        self._current = ""
        self.title.setText("")
        self.dot.hide()
        self.type_label.setText("")
        self.copy_button.setEnabled(False)
        self.stack.setCurrentWidget(self.empty)

    @property
    def ports(self) -> list[str]:
        return list(self._ports)

    def ports_and_log(self) -> list[str]:
        """The tabs on offer: the ports, then "Log" when the step wrote log lines."""
        return list(self._ports) + ([LOG_TAB] if self._log else [])

    @property
    def current_port(self) -> str:
        return self._current

    def current_value(self) -> Any:
        if self._current == LOG_TAB and self._log and LOG_TAB not in self._ports:
            return "\n".join(self._log)
        return self._ports.get(self._current)

    @property
    def current_page(self) -> str:
        """The name of the page on show (empty, text, scalar, json, table, image, file)."""
        widget = self.stack.currentWidget()
        return next(name for name, page in self.pages.items() if page is widget)

    def copy(self) -> str:
        """Put the current value on the clipboard as JSON and return that text."""
        if self._current == LOG_TAB and LOG_TAB not in self._ports:
            text = self.current_value() or ""  # log lines as they read
        else:
            text = json_text(self.current_value()) if self._ports else ""
        QGuiApplication.clipboard().setText(text)
        return text

    # -- internals ---------------------------------------------------------------------------------

    def _set_tabs(self, names: list[str], current: int = 0) -> None:
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        for name in names:
            index = self.tabs.addTab(name)
            tip = type_label(self._ports[name]) if name in self._ports else "what the step wrote to the log"
            self.tabs.setTabToolTip(index, tip)
        if names:
            self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)
        self.tabs.setVisible(len(names) > 1)

    def _tab_changed(self, index: int) -> None:
        if 0 <= index < len(self._ports):
            self._show_tab(list(self._ports)[index])
        elif index == len(self._ports) and self._log:
            self._show_tab(LOG_TAB)

    def _show_tab(self, name: str) -> None:
        if name in self._ports:
            self._show(name, self._ports[name])
            return
        changed = name != self._current
        self._current = name
        self.title.setText(name)
        self.title.setVisible(True)
        self.dot.hide()
        count = len(self._log)
        self.type_label.setText(f"{count} line{'s' if count != 1 else ''}")
        self.copy_button.hide()  # the text view has its own "Copy text"
        self.text_view.set_text("\n".join(self._log))
        self.stack.setCurrentWidget(self.text_view)
        if changed:
            self.port_changed.emit(name)

    def _show(self, title: str, value: Any) -> None:
        changed = title != self._current
        self._current = title
        kind = kind_of(value)
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.dot.setStyleSheet(f"color: {port_color(_PORT_KIND.get(kind, kind)).name()};")
        self.dot.show()
        self.type_label.setText(type_label(value))
        self.copy_button.show()
        self.copy_button.setEnabled(True)
        page = page_for(value)
        if page == "text":
            self.text_view.set_text(value)
        elif page == "json":
            self.json_view.set_json(value.model_dump() if isinstance(value, SessionRef) else value)
        elif page == "table":
            self.table_view.set_table(value)
        elif page == "image":
            self.image_view.set_image(value)
        elif page == "file":
            self.file_card.set_ref(value)
        else:
            self.scalar_view.set_text(format_scalar(value), dim=value is None)
        self.stack.setCurrentWidget(self.pages[page])
        if changed:
            self.port_changed.emit(title)

