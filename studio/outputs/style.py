"""Shared looks of the output viewers: muted labels, monospace and small fonts."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QLabel, QWidget

__all__ = ["monospace_font", "muted_label", "set_muted", "small_font"]


def small_font(widget: QWidget, scale: float = 0.9) -> QFont:
    font = QFont(widget.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(max(7.0, font.pointSizeF() * scale))
    return font


def monospace_font(widget: QWidget) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if widget.font().pointSizeF() > 0:
        font.setPointSizeF(widget.font().pointSizeF())
    return font


def set_muted(label: QLabel) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText))
    label.setPalette(palette)


def muted_label(text: str, parent: QWidget | None = None) -> QLabel:
    """Secondary text (captions, paths) in the palette's placeholder colour, a little smaller."""
    label = QLabel(text, parent)
    label.setFont(small_font(label))
    set_muted(label)
    return label
