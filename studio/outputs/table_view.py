"""A table value: a caption with its size and a virtual, sortable QTableView."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from runtime.api import Table
from studio.outputs.format import count_label, format_cell
from studio.outputs.style import muted_label
from studio.outputs.table_model import TableModel

__all__ = ["TableViewer"]

_WIDTH_SAMPLE = 60
_MIN_WIDTH, _MAX_WIDTH = 56, 320


class TableViewer(QWidget):
    """Shows a `Table`; click a header to sort (ascending, descending, original order)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TableModel(parent=self)
        self.caption: QLabel = muted_label("", self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.view.horizontalHeader()
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        self.view.setSortingEnabled(True)
        rows = self.view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        rows.setMinimumSectionSize(self.fontMetrics().height() + 4)
        copy = QAction("Copy cells", self.view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        self.view.addAction(copy)
        self.model.layoutChanged.connect(self._update_caption)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)

    def set_table(self, table: Table) -> None:
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.model.set_table(table)
        self._fit_columns()
        self._update_caption()
        self.view.scrollToTop()

    def sort_by(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """As clicking a header: sort by `column` (-1: the table's own order)."""
        self.view.sortByColumn(column, order)

    def copy_selection(self) -> str:
        """Copy the selected cells as tab-separated text (rows in view order)."""
        indexes = sorted(self.view.selectedIndexes(), key=lambda i: (i.row(), i.column()))
        lines: dict[int, list[str]] = {}
        for index in indexes:
            cell = self.model.cell(index.row(), index.column())
            lines.setdefault(index.row(), []).append(format_cell(cell))  # exact, not padded
        text = "\n".join("\t".join(cells) for cells in lines.values())
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def _update_caption(self) -> None:
        table = self.model.table
        text = f"{count_label(len(table), 'row')} × {count_label(len(table.columns), 'column')}"
        if self.model.sorted_by is not None:
            column, order = self.model.sorted_by
            arrow = "↑" if order == Qt.SortOrder.AscendingOrder else "↓"
            text += f"  ·  sorted by {table.columns[column].name} {arrow}"
        self.caption.setText(text)

    def _fit_columns(self) -> None:
        """Widths from the header and the first rows only, so big tables open at once."""
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        for column, spec in enumerate(self.model.table.columns):
            widest = metrics.horizontalAdvance(spec.name) + 28  # room for the sort arrow
            for row in range(min(_WIDTH_SAMPLE, self.model.rowCount())):
                widest = max(widest, metrics.horizontalAdvance(self.model.display(row, column)) + 16)
            header.resizeSection(column, max(_MIN_WIDTH, min(_MAX_WIDTH, widest)))
