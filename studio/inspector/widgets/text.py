"""A one-line text field (QLineEdit)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from studio.inspector.schema import FieldSpec
from studio.inspector.widgets.base import FieldWidget, FormContext, set_line_text

__all__ = ["TextField", "placeholder_for"]

PLACEHOLDER_MAX = 40


def placeholder_for(spec: FieldSpec) -> str:
    """A description short enough (or an example) to sit inside the empty field."""
    text = spec.description.strip()
    if text.startswith("e.g.") or (text and len(text) <= PLACEHOLDER_MAX and "\n" not in text):
        return text
    return ""


class TextField(FieldWidget):
    """Plain text; an optional field (`str | None`) stores None when left empty."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        self.edit = QLineEdit(self)
        self.edit.setClearButtonEnabled(False)
        placeholder = placeholder_for(spec)
        if placeholder:
            self.edit.setPlaceholderText(placeholder)
            self.uses_placeholder = True
        if spec.schema.get("placeholder"):
            self.edit.setPlaceholderText(str(spec.schema["placeholder"]))
        if isinstance(spec.schema.get("maxLength"), int):
            self.edit.setMaxLength(spec.schema["maxLength"])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(lambda _text: self._emit())
        self._watch_undo_keys(self.edit)

    def value(self) -> Any:
        text = self.edit.text()
        return None if text == "" and self.spec.nullable else text

    def show_value(self, value: Any) -> None:
        set_line_text(self.edit, "" if value is None else str(value))

    def focus_chain(self) -> list[QWidget]:
        return [self.edit]
