"""The run log: messages of the current run (or of a past run opened from the history),
filterable by level and by node.

Secrets never reach it: node log lines and errors are redacted in the worker before they
are sent, and before they are written to history.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QListView, QVBoxLayout, QWidget

__all__ = ["LogLine", "LogPanel"]

LEVELS = ("debug", "info", "warning", "error")
_COLORS = {"warning": "#b45309", "error": "#dc2626", "debug": "#6b7280"}
MAX_LINES = 20_000

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class LogLine:
    t: float
    level: str
    node_id: str
    node_title: str
    message: str
    run: int = 0
    """Which live run wrote it (see `LogPanel.begin_run`); 0 for lines outside runs."""

    def text(self) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(self.t))
        where = f"{self.node_title}: " if self.node_title else ""
        return f"{stamp}  {self.level:<7} {where}{self.message}"


class _Model(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[LogLine] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        line = self.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return line.text()
        if role == Qt.ItemDataRole.ForegroundRole and line.level in _COLORS:
            return QColor(_COLORS[line.level])
        if role == Qt.ItemDataRole.ToolTipRole:
            return line.message
        return None


class LogPanel(QWidget):
    """A virtualised list of log lines with a level filter and "only the selected node"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._all: list[LogLine] = []
        self._live: list[LogLine] | None = None
        """The live lines while a past run's lines are shown."""
        self._selected: set[str] = set()
        self._run = 0
        self.model = _Model()
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.view.setFont(font)
        self.level = QComboBox(self)
        self.level.addItems(["All levels", "Info and above", "Warnings and errors", "Errors"])
        self.level.setCurrentIndex(1)
        self.only_selected = QCheckBox("Only the selected node", self)
        self.count = QLabel(self)
        self.caption = QLabel(self)
        self.caption.setVisible(False)
        bar = QHBoxLayout()
        bar.addWidget(self.caption)
        bar.addWidget(self.level)
        bar.addWidget(self.only_selected)
        bar.addStretch(1)
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        self.level.currentIndexChanged.connect(self._refilter)
        self.only_selected.toggled.connect(self._refilter)

    def begin_run(self, caption: str) -> int:
        """Start the lines of a new live run with a "— caption —" marker; returns its number."""
        self._run += 1
        self.add("info", f"— {caption} —")
        return self._run

    def add(self, level: str, message: str, node_id: str = "", node_title: str = "") -> None:
        """Append a line of the live run; while a past run is shown it is kept for `show_live`."""
        line = LogLine(time.time(), level, node_id, node_title, message, self._run)
        if self._live is not None:
            self._live.append(line)
            del self._live[: max(0, len(self._live) - MAX_LINES)]
            return
        self._all.append(line)
        if len(self._all) > MAX_LINES:
            del self._all[: len(self._all) - MAX_LINES]
            self._refilter()
            return
        if self._visible(line):
            rows = len(self.model.lines)
            self.model.beginInsertRows(QModelIndex(), rows, rows)
            self.model.lines.append(line)
            self.model.endInsertRows()
            self.view.scrollToBottom()
        self._update_count()

    @property
    def showing_past(self) -> bool:
        return self._live is not None

    def show_past(self, lines: list[LogLine], caption: str) -> None:
        """Show the lines of a past run instead of the live ones (until `show_live`)."""
        if self._live is None:
            self._live = self._all
        self._all = list(lines[-MAX_LINES:])
        self.caption.setText(caption)
        self.caption.setVisible(True)
        self._refilter()

    def show_live(self) -> None:
        """Back to the live run's lines."""
        if self._live is None:
            return
        self._all, self._live = self._live, None
        self.caption.setVisible(False)
        self._refilter()

    def lines_of(self, node_id: str, run: int | None = None) -> list[str]:
        """The lines on show (live, or of the past run shown) written by `node_id` or inside it;
        of live run number `run` only when given."""
        return [line.text() for line in self._all if line.node_id.split("/")[0] == node_id
                and (run is None or line.run == run)]

    def set_selected_nodes(self, node_ids: list[str]) -> None:
        self._selected = set(node_ids)
        if self.only_selected.isChecked():
            self._refilter()

    def clear(self) -> None:
        self._all.clear()
        self._refilter()

    def toPlainText(self) -> str:
        return "\n".join(line.text() for line in self._all)

    def _visible(self, line: LogLine) -> bool:
        minimum = self.level.currentIndex()
        if line.level in LEVELS and LEVELS.index(line.level) < minimum:
            return False
        if self.only_selected.isChecked():
            return line.node_id.split("/")[0] in self._selected
        return True

    def _refilter(self) -> None:
        self.model.beginResetModel()
        self.model.lines = [line for line in self._all if self._visible(line)]
        self.model.endResetModel()
        self.view.scrollToBottom()
        self._update_count()

    def _update_count(self) -> None:
        shown, total = len(self.model.lines), len(self._all)
        self.count.setText(f"{shown:,} of {total:,} lines" if shown != total else f"{total:,} lines")
