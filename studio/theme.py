"""Colours and metrics of the editor, for the light and the dark theme."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

__all__ = ["CATEGORY_COLORS", "PORT_COLORS", "Theme", "category_color", "port_color", "system_prefers_dark"]

CATEGORY_COLORS: dict[str, str] = {
    "Flow": "#7c8da6",
    "Data": "#3b82c4",
    "Table": "#0e9f8e",
    "Text": "#c2841a",
    "Web": "#d9622b",
    "Control": "#a25bd6",
    "Files": "#2f9e6b",
    "Network": "#d9822b",
    "Browser": "#e0565b",
    "Documents": "#c98a1b",
    "Spreadsheets": "#1f9d55",
    "AI": "#d6458f",
    "General": "#6b7280",
}

PORT_COLORS: dict[str, str] = {
    "any": "#9ca3af",
    "text": "#f59e0b",
    "number": "#3b82f6",
    "integer": "#2563eb",
    "boolean": "#ef4444",
    "datetime": "#14b8a6",
    "record": "#8b5cf6",
    "list": "#ec4899",
    "table": "#10b981",
    "file": "#a16207",
    "image": "#db2777",
    "document": "#ea580c",
    "workbook": "#15803d",
    "session": "#dc2626",
}


def category_color(category: str) -> QColor:
    return QColor(CATEGORY_COLORS.get(category, CATEGORY_COLORS["General"]))


def port_color(kind: str) -> QColor:
    return QColor(PORT_COLORS.get(kind, PORT_COLORS["any"]))


@dataclass(frozen=True)
class Theme:
    """Colours used by the canvas (the widgets follow the Qt palette)."""

    name: str
    canvas: str
    grid_minor: str
    grid_major: str
    node_body: str
    node_border: str
    node_text: str
    port_text: str
    selection: str
    edge: str
    note_text: str

    @staticmethod
    def light() -> Theme:
        return Theme("light", "#f4f5f7", "#e6e8ec", "#d5d9e0", "#ffffff", "#c9ced6", "#1f2937",
                     "#4b5563", "#2563eb", "#8a94a6", "#1f2937")

    @staticmethod
    def dark() -> Theme:
        return Theme("dark", "#1e2127", "#24282f", "#2f343c", "#2f343d", "#4a515d", "#e5e7eb",
                     "#c3c8d0", "#60a5fa", "#7a8394", "#1f2937")

    def palette(self) -> QPalette:
        """A widget palette matching the theme."""
        pal = QPalette()
        if self.name == "dark":
            base, window, text = QColor("#23272e"), QColor("#2b2f37"), QColor("#e5e7eb")
            pal.setColor(QPalette.ColorRole.Window, window)
            pal.setColor(QPalette.ColorRole.WindowText, text)
            pal.setColor(QPalette.ColorRole.Base, base)
            pal.setColor(QPalette.ColorRole.AlternateBase, window)
            pal.setColor(QPalette.ColorRole.Text, text)
            pal.setColor(QPalette.ColorRole.Button, window)
            pal.setColor(QPalette.ColorRole.ButtonText, text)
            pal.setColor(QPalette.ColorRole.ToolTipBase, base)
            pal.setColor(QPalette.ColorRole.ToolTipText, text)
            pal.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8b929c"))
            pal.setColor(QPalette.ColorRole.Highlight, QColor(self.selection))
            pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#0b0f14"))
            pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6b7280"))
            pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6b7280"))
        return pal


def system_prefers_dark() -> bool:
    """Whether the desktop asks for a dark colour scheme."""
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return scheme is not None and scheme() == Qt.ColorScheme.Dark
