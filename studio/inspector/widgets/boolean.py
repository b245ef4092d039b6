"""A check box for a true/false field (its title is the box's text)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget

from studio.inspector.schema import FieldSpec
from studio.inspector.widgets.base import FieldWidget, FormContext

__all__ = ["BooleanField"]


class BooleanField(FieldWidget):
    inline_label = True

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        self.box = QCheckBox(spec.title + (" *" if spec.required else ""), self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addStretch(1)
        self.setFocusProxy(self.box)
        self.box.toggled.connect(lambda _on: self._emit(mergeable=False))

    def value(self) -> Any:
        return self.box.isChecked()

    def show_value(self, value: Any) -> None:
        self.box.setChecked(value is True)

    def focus_chain(self) -> list[QWidget]:
        return [self.box]
