"""A form generated from an object's fields: one labelled row per field, errors inline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStyle, QVBoxLayout, QWidget

from studio.inspector.schema import MISSING, FieldSpec, ValidationIssue, errors_by_field
from studio.inspector.style import REQUIRED_MARK, error_label, muted_label
from studio.inspector.widgets.base import FieldWidget, FormContext
from studio.inspector.widgets.boolean import BooleanField
from studio.inspector.widgets.choice import ChoiceField
from studio.inspector.widgets.credential import CredentialField
from studio.inspector.widgets.flow_port import FlowPortField
from studio.inspector.widgets.json_text import JsonTextField
from studio.inspector.widgets.key_value import KeyValueField
from studio.inspector.widgets.list_field import ListField
from studio.inspector.widgets.locator import LocatorField
from studio.inspector.widgets.multiline import MultilineField
from studio.inspector.widgets.number import NumberField
from studio.inspector.widgets.object_field import ObjectField
from studio.inspector.widgets.path import PathField
from studio.inspector.widgets.text import TextField

__all__ = ["WIDGETS", "FieldRow", "SchemaForm", "chain_tab_order", "create_field", "form_context"]

WIDGETS: dict[str, type[FieldWidget]] = {
    "text": TextField,
    "multiline": MultilineField,
    "code": MultilineField,
    "number": NumberField,
    "integer": NumberField,
    "boolean": BooleanField,
    "enum": ChoiceField,
    "list": ListField,
    "object": ObjectField,
    "file": PathField,
    "folder": PathField,
    "flow_file": PathField,
    "credential": CredentialField,
    "key_value": KeyValueField,
    "json": JsonTextField,
    "flow_input": FlowPortField,
    "flow_output": FlowPortField,
    "locator": LocatorField,
}
"""Widget kind (see `schema.parse_field`) -> the widget that edits it."""


BLOCK_KINDS = frozenset({"list", "key_value"})


def create_field(spec: FieldSpec, ctx: FormContext) -> FieldWidget:
    """The widget for `spec` (JSON text for anything unusual, so nothing is uneditable)."""
    cls = WIDGETS.get(spec.kind, JsonTextField)
    if spec.kind == "list" and spec.items is None:
        cls = JsonTextField
    return cls(spec, ctx)


def form_context(**callbacks: Any) -> FormContext:
    """A `FormContext` whose nested fields are built by this module."""
    return FormContext(build=create_field, subform=SchemaForm, **callbacks)


class FieldRow(QWidget):
    """Title (with a red * when required), the widget, help text, and the field's problems."""

    def __init__(self, spec: FieldSpec, widget: FieldWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.widget = widget
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        self.label: QLabel | None = None
        if not widget.inline_label and spec.title:
            self.label = QLabel(spec.title + (REQUIRED_MARK if spec.required else ""), self)
            self.label.setTextFormat(Qt.TextFormat.RichText)
            self.label.setBuddy(widget.focus_chain()[0] if widget.focus_chain() else widget)
            layout.addWidget(self.label)
        self.help: QLabel | None = None
        if spec.description and not widget.uses_placeholder:
            self.help = muted_label(spec.description, self)
            self.help.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            if widget.inline_label and spec.kind == "boolean":  # align with the check box's text
                style = self.style()
                indent = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + \
                    style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing)
                self.help.setContentsMargins(indent, 0, 0, 0)
        if self.help is not None and spec.kind in BLOCK_KINDS:  # read before a list, not after it
            layout.addWidget(self.help)
        layout.addWidget(widget)
        if self.help is not None and spec.kind not in BLOCK_KINDS:
            layout.addWidget(self.help)
        if spec.description:
            for target in [self.label, *widget.focus_chain()]:
                if target is not None and not target.toolTip():
                    target.setToolTip(spec.description)
        self.error = error_label(self)
        layout.addWidget(self.error)

    def set_messages(self, messages: Sequence[str]) -> None:
        self.error.setText("\n".join(f"⚠ {m}" for m in messages))
        self.error.setVisible(bool(messages))

    @property
    def message(self) -> str:
        return self.error.text() if self.error.isVisibleTo(self) else ""


class SchemaForm(QWidget):
    """Rows for `specs`; hidden fields and keys the form does not know are kept as they are.

    `edited(path, mergeable)`: the user changed the field at `path` ("url", "cases.1.label").
    """

    edited = Signal(str, bool)
    structure_changed = Signal()

    def __init__(self, specs: list[FieldSpec], ctx: FormContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.specs = specs
        self.ctx = ctx
        self.rows: dict[str, FieldRow] = {}
        self._base: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        for spec in specs:
            if spec.kind == "hidden":
                continue
            widget = create_field(spec, ctx) if ctx.build is None else ctx.make(spec)
            row = FieldRow(spec, widget, self)
            layout.addWidget(row)
            self.rows[spec.name] = row
            widget.edited.connect(lambda sub, merge, name=spec.name:
                                  self.edited.emit(f"{name}.{sub}" if sub else name, merge))
            widget.structure_changed.connect(self.structure_changed)

    def widget(self, name: str) -> FieldWidget:
        return self.rows[name].widget

    def field_value(self, name: str) -> Any:
        return self.rows[name].widget.value()

    def value(self) -> dict[str, Any]:
        out = dict(self._base)
        for name, row in self.rows.items():
            out[name] = row.widget.value()
        return out

    def set_value(self, value: dict[str, Any]) -> None:
        """Show `value`, touching only the widgets whose value differs."""
        self._base = dict(value)
        for name, row in self.rows.items():
            row.widget.update_value(value.get(name, MISSING))

    def show_issues(self, issues: list[ValidationIssue]) -> list[str]:
        """Show each problem beside its field; return the ones that concern the whole object."""
        by_field, general = errors_by_field(issues)
        for name, row in self.rows.items():
            row.set_messages(row.widget.show_issues(by_field.pop(name, [])))
        for key, rest in by_field.items():  # a field the form does not show (hidden, unknown)
            for issue in rest:
                general.append(f"{key}: {issue.message}")
        return general

    def messages(self) -> dict[str, str]:
        """The problem shown beside each field (for tests)."""
        return {name: row.message for name, row in self.rows.items() if row.message}

    def focus_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for row in self.rows.values():
            chain += row.widget.focus_chain()
        return chain


def chain_tab_order(widgets: Sequence[QWidget]) -> None:
    """Make Tab visit `widgets` in this order."""
    previous: QWidget | None = None
    for widget in widgets:
        if previous is not None:
            QWidget.setTabOrder(previous, widget)
        previous = widget
