"""The quick-add popup: a search line over a list of node types, driven by the keyboard.

Type to filter, Up/Down to move, Enter (or a click) to choose, Esc to close. It opens at
a screen position, stays on screen and closes when it loses focus. It knows nothing of
flows: `chosen(type_id)` tells its owner what to add.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QGuiApplication, QHideEvent, QIcon, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.icons import icon
from studio.palette import TYPE_ROLE, NodeRowDelegate, mix, row_data, search

__all__ = ["QuickAddPopup"]

WIDTH = 400
MAX_ROWS = 8  # rows shown before the list scrolls


class QuickAddPopup(QFrame):
    """A frameless popup listing node types; emits `chosen(type_id)`, then closes."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("QuickAddPopup")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self._specs: list[dict[str, Any]] = []
        self._prefer: Callable[[dict[str, Any]], int] | None = None
        self._watching = False
        self._anchor = QPoint()
        self.hint = QLabel(self)
        self.hint.setObjectName("QuickAddHint")
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.hint.setContentsMargins(4, 0, 4, 0)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Add a node…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumHeight(30)
        self._search_icon = self.search.addAction(QIcon(), QLineEdit.ActionPosition.LeadingPosition)
        self._tint_search_icon()
        self.search.installEventFilter(self)
        self.results = QListWidget(self)
        self.results.setFrameShape(QFrame.Shape.NoFrame)
        self.results.viewport().setAutoFillBackground(False)  # the popup paints one background
        self.results.setItemDelegate(NodeRowDelegate(self.results))
        self.results.setMouseTracking(True)
        self.results.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover, True)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setWordWrap(True)
        self.empty.setContentsMargins(8, 20, 8, 20)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.footer = QLabel("↑↓ to move · Enter to add · Esc to close", self)
        self.footer.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.footer.setAlignment(Qt.AlignmentFlag.AlignRight)
        font = self.footer.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        self.footer.setFont(font)
        self.hint.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(self.hint)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.empty)
        layout.addWidget(self.footer)
        self.search.textChanged.connect(self._refresh)
        self.results.itemClicked.connect(self._choose_item)
        self.setFixedWidth(WIDTH)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        pal = self.palette()
        base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        painter.fillRect(self.rect(), base)
        painter.setPen(mix(base, text, 0.28))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))

    def _tint_search_icon(self) -> None:
        self._search_icon.setIcon(icon("search", self.palette().color(QPalette.ColorRole.PlaceholderText)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "_search_icon"):  # theme changed
            self._tint_search_icon()
        super().changeEvent(event)

    # ----- opening ------------------------------------------------------------------

    def open_at(self, global_pos: QPoint, specs: Sequence[dict[str, Any]], hint: str = "",
                prefer: Callable[[dict[str, Any]], int] | None = None) -> None:
        """Show `specs` (ranked by `prefer`, lower first, when the search is empty) with the
        popup's top-left at `global_pos`, moved as needed to stay on that screen."""
        self._specs = list(specs)
        self._prefer = prefer
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._anchor = QPoint(global_pos)
        self._refresh("")
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus(Qt.FocusReason.PopupFocusReason)
        app = QApplication.instance()
        if isinstance(app, QApplication) and not self._watching:
            app.focusChanged.connect(self._focus_changed)
            self._watching = True

    def _placed(self, pos: QPoint) -> QPoint:
        screen = QGuiApplication.screenAt(pos) or QGuiApplication.primaryScreen()
        area: QRect = screen.availableGeometry() if screen else QRect(pos, self.size())
        x, y = pos.x(), pos.y()
        if y + self.height() > area.bottom():  # below the cursor does not fit: above it, or on the edge
            above = pos.y() - self.height()
            y = above if above >= area.top() else area.bottom() - self.height() + 1
        x = min(max(x, area.left()), area.right() - self.width() + 1)
        y = max(y, area.top())
        return QPoint(x, y)

    # ----- content ------------------------------------------------------------------

    def type_ids(self) -> list[str]:
        """The node types listed now, in order."""
        return [self.results.item(i).data(TYPE_ROLE) for i in range(self.results.count())]

    def _fit(self) -> None:
        """Height for the rows shown (up to MAX_ROWS), placed at the anchor and on screen."""
        rows = min(self.results.count(), MAX_ROWS)
        if rows:
            self.results.setFixedHeight(sum(self.results.sizeHintForRow(i) for i in range(rows)) + 2)
        layout = self.layout()
        layout.activate()
        self.setFixedHeight(layout.sizeHint().height())
        self.move(self._placed(self._anchor))

    def _refresh(self, text: str) -> None:
        self.results.clear()
        for spec in search(self._specs, text, self._prefer):
            item = QListWidgetItem(self.results)
            for role, value in row_data(spec, show_category=True).items():
                item.setData(role, value)
        found = self.results.count() > 0
        if found:
            self.results.setCurrentRow(0)
        self.results.setVisible(found)
        self.empty.setVisible(not found)
        if not self._specs:
            self.empty.setText("No node type fits here.")
        else:
            self.empty.setText(f"No node matches “{text.strip()}”." if not found else "")
        self._fit()

    # ----- keyboard -----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose_item(self.results.currentItem())
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
            steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 6, Qt.Key.Key_PageUp: -6}
            if key in steps and self.results.count():
                row = self.results.currentRow() + steps[key]
                row = min(max(row, 0), self.results.count() - 1)
                self.results.setCurrentRow(row)
                self.results.scrollToItem(self.results.currentItem())
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def _choose_item(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        type_id = item.data(TYPE_ROLE)
        self.close()
        if type_id:
            self.chosen.emit(type_id)

    # ----- closing ------------------------------------------------------------------

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self.isVisible() and new is not None and new is not self and not self.isAncestorOf(new):
            self.close()

    def hideEvent(self, event: QHideEvent) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication) and self._watching:
            app.focusChanged.disconnect(self._focus_changed)
            self._watching = False
        super().hideEvent(event)
