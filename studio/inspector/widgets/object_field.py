"""A nested object: its fields as a sub-form inside a group box."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget

from studio.inspector.schema import FieldSpec, ValidationIssue
from studio.inspector.widgets.base import FieldWidget, FormContext

__all__ = ["ObjectField"]


class ObjectField(FieldWidget):
    """Shows its own title (as a group box) unless it is an item of a list."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        assert ctx.subform is not None
        self.form = ctx.subform(spec.properties, ctx)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if spec.title:
            self.inline_label = True
            box = QGroupBox(spec.title + (" *" if spec.required else ""), self)
            inner = QVBoxLayout(box)
            inner.setContentsMargins(10, 6, 10, 10)
            inner.addWidget(self.form)
            layout.addWidget(box)
        else:
            layout.addWidget(self.form)
        self.form.edited.connect(self._emit)
        self.form.structure_changed.connect(self.structure_changed)

    def value(self) -> Any:
        return self.form.value()

    def show_value(self, value: Any) -> None:
        self.form.set_value(value if isinstance(value, dict) else {})

    def show_issues(self, issues: list[ValidationIssue]) -> list[str]:
        return self.form.show_issues(issues)

    def focus_chain(self) -> list[QWidget]:
        return self.form.focus_chain()
