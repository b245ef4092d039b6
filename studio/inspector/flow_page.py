"""The inspector page shown when nothing is selected: the flow's name, description and ports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from runtime.api import SetFlowInfo
from studio.inspector.flow_ports_table import FlowPortsTable
from studio.inspector.form import chain_tab_order
from studio.inspector.node_page import Pusher
from studio.inspector.section import Section
from studio.inspector.style import heading_label, muted_label
from studio.inspector.widgets.base import FormContext, set_line_text, set_plain_text

if TYPE_CHECKING:
    from studio.editor import FlowEditor

__all__ = ["FlowPage"]


class FlowPage(QWidget):
    """Edits the flow of `editor` (SetFlowInfo edits through the undo stack)."""

    def __init__(self, editor: FlowEditor, ctx: FormContext, push: Pusher, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.push = push
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 14)
        layout.setSpacing(10)
        layout.addWidget(heading_label("Flow", self, 1.2))
        hint = muted_label("Select a step on the canvas to edit its settings. Inputs are the values a "
                           "run is given; outputs are the results it hands back (also to a flow that "
                           "uses this one as a subflow).", self)
        layout.addWidget(hint)
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("Untitled")
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText("What the flow does, for whoever opens it next")
        self.description_edit.setFixedHeight(self.description_edit.fontMetrics().lineSpacing() * 4 + 14)
        if ctx.undo_keys is not None:
            self.name_edit.installEventFilter(ctx.undo_keys)
            self.description_edit.installEventFilter(ctx.undo_keys)
        for text, widget in (("Name", self.name_edit), ("Description", self.description_edit)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            layout.addWidget(label)
            layout.addWidget(widget)
        self.inputs = FlowPortsTable("input", self)
        self.outputs = FlowPortsTable("output", self)
        inputs_section, outputs_section = Section("Inputs", self.inputs), Section("Outputs", self.outputs)
        layout.addWidget(inputs_section)
        layout.addWidget(outputs_section)
        layout.addStretch(1)
        self.name_edit.textChanged.connect(lambda text: self._push("name", text, True))
        self.description_edit.textChanged.connect(
            lambda: self._push("description", self.description_edit.toPlainText(), True))
        self.inputs.changed.connect(lambda ports: self._push("inputs", ports, False))
        self.outputs.changed.connect(lambda ports: self._push("outputs", ports, False))
        self.refresh()
        chain_tab_order([self.name_edit, self.description_edit, inputs_section.header,
                         *self.inputs.focus_chain(), outputs_section.header, *self.outputs.focus_chain()])

    def refresh(self, fields: tuple[str, ...] = ("name", "description", "inputs", "outputs")) -> None:
        """Show the flow's `fields` (a table with a refused name keeps it until its ports change)."""
        flow = self.editor.document.flow
        if "name" in fields:
            set_line_text(self.name_edit, flow.name)
        if "description" in fields:
            set_plain_text(self.description_edit, flow.description)
        if "inputs" in fields:
            self.inputs.set_ports({n: p.model_dump(mode="json") for n, p in flow.inputs.items()})
        if "outputs" in fields:
            self.outputs.set_ports({n: p.model_dump(mode="json") for n, p in flow.outputs.items()})

    def _push(self, field: str, value: Any, mergeable: bool) -> None:
        flow = self.editor.document.flow
        current = getattr(flow, field)
        if field in ("inputs", "outputs"):
            if {n: p.model_dump(mode="json") for n, p in current.items()} == value:
                return
        elif current == value:
            return
        labels = {"name": "flow name", "description": "flow description", "inputs": "flow inputs",
                  "outputs": "flow outputs"}
        key = ("flow", field) if mergeable else None
        self.push(SetFlowInfo(**{field: value}), f"Edit {labels[field]}", key)
