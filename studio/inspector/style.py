"""Small shared pieces of the inspector's look: colours, muted and error labels, headings."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ERROR_COLOR", "REQUIRED_MARK", "ElidedLabel", "MutedLabel", "error_label", "heading_label",
           "muted_label", "small_font"]

ERROR_COLOR = "#d14343"
REQUIRED_MARK = f' <span style="color:{ERROR_COLOR}">*</span>'


def small_font(widget: QWidget, scale: float = 0.9) -> QFont:
    font = QFont(widget.font())
    size = font.pointSizeF()
    if size > 0:
        font.setPointSizeF(max(7.0, size * scale))
    return font


class MutedLabel(QLabel):
    """Secondary text in the palette's placeholder colour, following theme switches."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(text, parent)
        self._follow_palette()

    def _follow_palette(self) -> None:
        wanted = QApplication.palette(self).color(QPalette.ColorRole.PlaceholderText)
        palette = self.palette()
        if palette.color(QPalette.ColorRole.WindowText) != wanted:  # (setting it changes it again)
            palette.setColor(QPalette.ColorRole.WindowText, wanted)
            self.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # e.g. a theme switch
            self._follow_palette()
        super().changeEvent(event)


def muted_label(text: str, parent: QWidget | None = None, *, wrap: bool = True) -> QLabel:
    """Secondary text (help, type ids) in the palette's placeholder colour."""
    label = MutedLabel(text, parent)
    label.setWordWrap(wrap)
    label.setFont(small_font(label))
    return label


def error_label(parent: QWidget | None = None) -> QLabel:
    """A red, wrapped message; hidden until it has text."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setFont(small_font(label, 0.95))
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


def run_error_box(parent: QWidget | None = None) -> QLabel:
    """A red box for the error a step failed with in the last run; hidden until it has text."""
    label = QLabel(parent)
    label.setObjectName("run-error")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(f"QLabel#run-error {{ color: #ffffff; background: {ERROR_COLOR}; "
                        "border-radius: 6px; padding: 6px 8px; }")
    label.hide()
    return label


def heading_label(text: str, parent: QWidget | None = None, scale: float = 1.0, *,
                  elide: bool = False) -> QLabel:
    """Bold text; with `elide`, one line shortened to fit (see `ElidedLabel`)."""
    label = ElidedLabel(text, parent) if elide else QLabel(text, parent)
    font = QFont(label.font())
    font.setBold(True)
    if scale != 1.0 and font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with … to the width it gets (full text as tooltip),
    so a long text never widens the inspector."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:
        return QSize(20, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 20))
        super().setText(shown)


def table_with_buttons(owner: QWidget, table: QTableWidget, add_text: str
                       ) -> tuple[QPushButton, QPushButton, QVBoxLayout]:
    """Lay out `table` with "+ Add …" and "Remove" buttons under it, in `owner`."""
    add_button = QPushButton(add_text, owner)
    remove_button = QPushButton("Remove", owner)
    buttons = QHBoxLayout()
    buttons.setContentsMargins(0, 0, 0, 0)
    for button in (add_button, remove_button):
        button.setAutoDefault(False)
        buttons.addWidget(button)
    buttons.addStretch(1)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    layout.addWidget(table)
    layout.addLayout(buttons)
    return add_button, remove_button, layout
