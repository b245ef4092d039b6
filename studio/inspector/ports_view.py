"""A read-only list of a node's input and output ports, with their type colours."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from runtime.api import PortSpec
from studio.inspector.style import ERROR_COLOR, muted_label, small_font
from studio.theme import port_color

__all__ = ["PortsView"]


class PortsView(QWidget):
    """Inputs, then outputs: a coloured dot, the port's title and its type."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._content: QWidget | None = None
        self.rows: list[tuple[bool, PortSpec]] = []

    def set_ports(self, inputs: list[PortSpec], outputs: list[PortSpec], problem: str | None = None) -> None:
        if self._content is not None:
            self._layout.removeWidget(self._content)
            self._content.deleteLater()
        content = QWidget(self)
        grid = QGridLayout(content)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        self.rows = []
        row = 0
        for is_output, ports in ((False, inputs), (True, outputs)):
            heading = muted_label("Outputs" if is_output else "Inputs", content, wrap=False)
            grid.addWidget(heading, row, 0, 1, 3)
            row += 1
            if not ports:
                grid.addWidget(muted_label("none", content), row, 1)
                row += 1
            for spec in ports:
                self.rows.append((is_output, spec))
                dot = QLabel(f'<span style="color:{port_color(spec.type.value).name()}">●</span>', content)
                dot.setTextFormat(Qt.TextFormat.RichText)
                name = QLabel(escape(spec.title) + (f' <span style="color:{ERROR_COLOR}">*</span>'
                                                    if spec.required and not is_output else ""), content)
                name.setTextFormat(Qt.TextFormat.RichText)
                tip = f"{spec.id} · {spec.type.value}"
                if spec.required and not is_output:
                    tip += " · required"
                if spec.description:
                    tip += f"\n{spec.description}"
                name.setToolTip(tip)
                kind = muted_label(spec.type.value + (" list" if spec.is_list else ""), content, wrap=False)
                kind.setFont(small_font(kind))
                grid.addWidget(dot, row, 0)
                grid.addWidget(name, row, 1)
                grid.addWidget(kind, row, 2, Qt.AlignmentFlag.AlignRight)
                row += 1
            grid.setRowMinimumHeight(row, 4)
            row += 1
        if problem:
            note = QLabel(f"⚠ {problem}", content)
            note.setWordWrap(True)
            note.setStyleSheet(f"color: {ERROR_COLOR};")
            grid.addWidget(note, row, 0, 1, 3)
        self._layout.addWidget(content)
        self._content = content
