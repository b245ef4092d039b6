"""The name of one of the flow's declared inputs or outputs (editable drop-down)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QWidget

from studio.inspector.schema import FieldSpec
from studio.inspector.widgets.base import FieldWidget, FormContext, set_line_text
from studio.inspector.widgets.credential import NameCombo

__all__ = ["FlowPortField"]


class FlowPortField(FieldWidget):
    """`widget: "flow_input"` / `"flow_output"`: lists the names declared on the flow
    (select nothing on the canvas to edit them)."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        names = ctx.flow_inputs if spec.kind == "flow_input" else ctx.flow_outputs
        self.combo = NameCombo(names, self)
        where = "inputs" if spec.kind == "flow_input" else "outputs"
        self.combo.lineEdit().setPlaceholderText(f"One of the flow's {where}")
        self.combo.setToolTip(f"The flow's declared {where}; click an empty spot of the canvas "
                              f"to declare more")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        self.setFocusProxy(self.combo)
        self.combo.editTextChanged.connect(lambda _text: self._emit())
        self._watch_undo_keys(self.combo.lineEdit())

    def value(self) -> Any:
        text = self.combo.currentText()
        return None if text == "" and self.spec.nullable else text

    def show_value(self, value: Any) -> None:
        set_line_text(self.combo.lineEdit(), "" if value is None else str(value))

    def focus_chain(self) -> list[QWidget]:
        return [self.combo]
