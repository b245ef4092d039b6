"""The Run history panel: a filterable list of a flow's past runs (a view only; the
history feature fills it and acts on its signals)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.canvas.items.node_item import RUN_COLORS

__all__ = ["STATUS_FILTERS", "HistoryPanel", "format_duration", "format_time"]

STATUS_FILTERS = ("All", "Completed", "Failed", "Cancelled", "Crashed")
RUN_ID_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("Status", "Started", "Duration", "Trigger")


def format_time(epoch: float | None) -> str:
    """Seconds since the epoch as local time."""
    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S") if epoch else "—"


def format_duration(ms: float | None) -> str:
    if ms is None:
        return "—"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s" if ms < 60_000 else \
        f"{int(ms // 60_000)} min {ms % 60_000 / 1000:.0f} s"


class _RunList(QTreeWidget):
    """The runs; Enter opens the current one like a double-click."""

    activated_run = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderLabels(list(COLUMNS))
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.itemDoubleClicked.connect(lambda item, _col: self._activate(item))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self._activate(self.currentItem())
            return
        super().keyPressEvent(event)

    def _activate(self, item: QTreeWidgetItem) -> None:
        self.activated_run.emit(item.data(0, RUN_ID_ROLE))


class HistoryPanel(QWidget):
    """Lists runs (newest first as given), with a status filter and "Back to current".

    Signals: `filter_changed(str)` (an upper-case status, "" for all), `open_requested(run_id)`,
    `back_requested()`.
    """

    filter_changed = Signal(str)
    open_requested = Signal(str)
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.status_filter = QComboBox()
        self.status_filter.addItems(list(STATUS_FILTERS))
        self.status_filter.setToolTip("Show only runs that ended this way")
        self.status_filter.currentIndexChanged.connect(lambda _i: self.filter_changed.emit(self.status()))
        self.back_button = QPushButton("Back to current")
        self.back_button.setToolTip("Hide the opened run's states on the canvas")
        self.back_button.setEnabled(False)
        self.back_button.clicked.connect(self.back_requested.emit)
        self.caption = QLabel()
        self.list = _RunList()
        self.list.activated_run.connect(self.open_requested.emit)
        top = QHBoxLayout()
        top.addWidget(QLabel("Status:"))
        top.addWidget(self.status_filter)
        top.addWidget(self.caption, 1)
        top.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.list)

    def status(self) -> str:
        """The chosen status filter ("" for all)."""
        text = self.status_filter.currentText()
        return "" if text == "All" else text.upper()

    def set_runs(self, runs: list[dict[str, Any]], caption: str = "") -> None:
        """Show `runs` (history rows) in the given order."""
        self.caption.setText(caption)
        self.list.clear()
        for run in runs:
            status = str(run.get("status") or "")
            item = QTreeWidgetItem([status.capitalize(), format_time(run.get("started")),
                                    format_duration(run.get("duration_ms")), str(run.get("trigger") or "")])
            item.setData(0, RUN_ID_ROLE, run["id"])
            item.setForeground(0, QColor(RUN_COLORS.get(status, "#9ca3af")))
            item.setToolTip(0, f"run {run['id']}" + (f"\n{run['error']}" if run.get("error") else ""))
            self.list.addTopLevelItem(item)
        if self.list.topLevelItemCount():
            self.list.setCurrentItem(self.list.topLevelItem(0))

    def run_ids(self) -> list[str]:
        return [self.list.topLevelItem(i).data(0, RUN_ID_ROLE) for i in range(self.list.topLevelItemCount())]
