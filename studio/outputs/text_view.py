"""Text values: read-only monospace text with a Copy button; plain values as one large line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.outputs.format import count_label
from studio.outputs.style import monospace_font, muted_label, set_muted

__all__ = ["ScalarViewer", "TextViewer"]


class TextViewer(QWidget):
    """Long text is fine: QPlainTextEdit lays out lazily; lines are not wrapped (except a short
    text of a few long lines, such as an error message; the Wrap button toggles it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setReadOnly(True)
        self.edit.setFont(monospace_font(self))
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.edit.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.caption = muted_label("", self)
        self.wrap_button = QPushButton("Wrap", self)
        self.wrap_button.setCheckable(True)
        self.wrap_button.toggled.connect(self._set_wrap)
        self.copy_button = QPushButton("Copy text", self)
        self.copy_button.setToolTip("Copy the text")
        self.copy_button.clicked.connect(self.copy)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.caption, 1)
        bar.addWidget(self.wrap_button)
        bar.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.edit, 1)

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)
        lines = text.count("\n") + 1 if text else 0
        # A sentence or an error message (a few long lines) reads wrapped; a file's lines do not.
        self.wrap_button.setChecked(0 < lines <= 3 and len(text) <= 4000 and len(text) > 120)
        self.caption.setText(f"{count_label(len(text), 'character')} · {count_label(lines, 'line')}")

    def text(self) -> str:
        return self.edit.toPlainText()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())

    def _set_wrap(self, wrap: bool) -> None:
        mode = QPlainTextEdit.LineWrapMode.WidgetWidth if wrap else QPlainTextEdit.LineWrapMode.NoWrap
        self.edit.setLineWrapMode(mode)


class ScalarViewer(QWidget):
    """A number, boolean, date or empty value: one large, selectable line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        font = QFont(monospace_font(self))
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.6)
        self.label.setFont(font)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.label)
        layout.addStretch(1)

    def set_text(self, text: str, *, dim: bool = False) -> None:
        self.label.setText(text)
        self.label.setPalette(self.palette())
        if dim:
            set_muted(self.label)
