"""The name of one of the flow's declared inputs or outputs (editable drop-down)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from studio.inspector.schema import FieldSpec
from studio.inspector.widgets.base import FormContext
from studio.inspector.widgets.name_combo import NameComboField

__all__ = ["FlowPortField"]


class FlowPortField(NameComboField):
    """`widget: "flow_input"` / `"flow_output"`: lists the names declared on the flow
    (select nothing on the canvas to edit them)."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        names = ctx.flow_inputs if spec.kind == "flow_input" else ctx.flow_outputs
        super().__init__(spec, ctx, names, parent)
        where = "inputs" if spec.kind == "flow_input" else "outputs"
        self.combo.lineEdit().setPlaceholderText(f"One of the flow's {where}")
        self.combo.setToolTip(f"The flow's declared {where}; click an empty spot of the canvas "
                              f"to declare more")
