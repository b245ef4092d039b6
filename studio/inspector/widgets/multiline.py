"""A multi-line text field; monospace for code."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontDatabase, QTextOption
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from studio.inspector.schema import FieldSpec
from studio.inspector.widgets.base import FieldWidget, FormContext, set_plain_text

__all__ = ["MultilineField"]


class MultilineField(FieldWidget):
    """`widget: "multiline"` (wrapped prose, templates) or `"code"` (monospace, no wrapping)."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setTabChangesFocus(True)
        lines = 4
        if spec.kind == "code":
            font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
            self.edit.setFont(font)
            self.edit.setWordWrapMode(QTextOption.WrapMode.NoWrap)
            lines = 8
        height = self.edit.fontMetrics().lineSpacing() * lines + 14
        self.edit.setFixedHeight(height)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(lambda: self._emit())
        self._watch_undo_keys(self.edit)

    def value(self) -> Any:
        text = self.edit.toPlainText()
        return None if text == "" and self.spec.nullable else text

    def show_value(self, value: Any) -> None:
        set_plain_text(self.edit, "" if value is None else str(value))

    def focus_chain(self) -> list[QWidget]:
        return [self.edit]
