"""The small form that asks for a flow's inputs before a run (values typed as text)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from runtime.api import FlowPort

__all__ = ["ask_flow_inputs"]


def ask_flow_inputs(parent: QWidget, declared: dict[str, FlowPort],
                    last: dict[str, str]) -> dict[str, str] | None:
    """A small form for the flow's inputs (values typed as text); None when cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Run with inputs")
    form = QFormLayout(dialog)
    fields: dict[str, QLineEdit] = {}
    for name, port in declared.items():
        edit = QLineEdit(last.get(name, "" if port.default is None else str(port.default)))
        edit.setPlaceholderText(port.type.value + (" (required)" if port.required else ""))
        edit.setToolTip(port.description)
        form.addRow(name, edit)
        fields[name] = edit
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Run")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return {name: edit.text() for name, edit in fields.items() if edit.text() != ""}
