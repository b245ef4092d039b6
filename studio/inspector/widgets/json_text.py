"""A field that takes JSON or plain text (for `Any` values such as "Compare with")."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from studio.inspector.schema import FieldSpec
from studio.inspector.widgets.base import FieldWidget, FormContext, set_line_text
from studio.inspector.widgets.text import placeholder_for

__all__ = ["JsonTextField", "parse_json_or_text", "show_json_or_text"]

HINT = "Text, or JSON such as 42, true, [1, 2] or {\"a\": 1}. Put text that looks like JSON in quotes."


def parse_json_or_text(text: str) -> Any:
    """JSON when `text` is valid JSON (`42`, `true`, `[1]`), else the text as written."""
    if text.strip():
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def show_json_or_text(value: Any) -> str:
    """The inverse of `parse_json_or_text`: text stays bare unless it would read as JSON."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if parse_json_or_text(value) != value else value
    return json.dumps(value, ensure_ascii=False)


class JsonTextField(FieldWidget):
    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        self.edit = QLineEdit(self)
        placeholder = placeholder_for(spec)
        self.uses_placeholder = bool(placeholder)
        self.edit.setPlaceholderText(placeholder or "Text or JSON")
        self.edit.setToolTip(HINT)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(lambda _text: self._emit())
        self._watch_undo_keys(self.edit)

    def value(self) -> Any:
        return parse_json_or_text(self.edit.text())

    def show_value(self, value: Any) -> None:
        set_line_text(self.edit, show_json_or_text(value))

    def focus_chain(self) -> list[QWidget]:
        return [self.edit]
