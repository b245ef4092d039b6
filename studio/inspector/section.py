"""A titled section of the inspector that can be folded away."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from studio.inspector.style import small_font

__all__ = ["Section"]


class Section(QWidget):
    """A bold header button with an arrow; the body shows when expanded."""

    toggled = Signal(bool)

    def __init__(self, title: str, body: QWidget, expanded: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.body = body
        self.header = QToolButton(self)
        self.header.setText(title.upper())
        font = small_font(self.header, 0.88)
        font.setBold(True)
        font.setLetterSpacing(font.SpacingType.PercentageSpacing, 106)
        self.header.setFont(font)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setAutoRaise(True)
        self.header.setCheckable(True)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.header.setStyleSheet("QToolButton { border: none; text-align: left; padding: 2px 0; }")
        line = QFrame(self)
        line.setFixedHeight(1)
        line.setStyleSheet("background: rgba(127, 127, 127, 0.35); border: none;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 4)
        layout.setSpacing(6)
        layout.addWidget(line)
        layout.addWidget(self.header)
        layout.addWidget(body)
        self.header.toggled.connect(self._apply)
        self.header.setChecked(expanded)
        self._apply(expanded)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # e.g. a theme switch: restyle the header
            style = self.header.style()
            style.unpolish(self.header)
            style.polish(self.header)
            self.header.update()
        super().changeEvent(event)

    def _apply(self, expanded: bool) -> None:
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)
        self.toggled.emit(expanded)

    @property
    def expanded(self) -> bool:
        return self.header.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        self.header.setChecked(expanded)
