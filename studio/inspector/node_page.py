"""The inspector page of one node: identity, title, config form, run settings, ports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from runtime.api import Edit, NodeSettings, NodeType, SetConfig, SetNodeProps, resolve_node_ports
from studio.inspector.form import SchemaForm, chain_tab_order
from studio.inspector.ports_view import PortsView
from studio.inspector.schema import fill_hidden, object_fields, same, validation_issues
from studio.inspector.section import Section
from studio.inspector.style import error_label, heading_label, muted_label, run_error_box
from studio.inspector.widgets.base import FormContext, set_line_text, set_plain_text
from studio.theme import category_color

if TYPE_CHECKING:
    from studio.canvas.items.run_mark import RunMark
    from studio.editor import FlowEditor

__all__ = ["CAPABILITY_LABELS", "NodePage", "Pusher"]

ALL_FIELDS = ("title", "description", "config", "settings", "pinned")
Pusher = Callable[[Edit, str, "tuple[Any, ...] | None"], bool]
"""Pushes an edit on the undo stack: (edit, undo text, merge key or None for its own step)."""

CAPABILITY_LABELS = {
    "network": "Uses the network", "files_read": "Reads files", "files_write": "Writes files",
    "browser": "Drives a browser", "model": "Uses the AI model", "credentials": "Uses credentials",
    "runs_code": "Runs code",
}
CHIP_STYLE = ("QLabel { background: rgba(127, 127, 127, 0.16); border-radius: 8px; padding: 1px 8px; }")


def _settings_specs() -> list[Any]:
    specs = object_fields(NodeSettings.model_json_schema())
    for spec in specs:
        if spec.name == "timeout_s":
            spec.schema["placeholder"] = "No limit"
    return specs


class NodePage(QWidget):
    """Edits node `node_id` of `editor`'s document; every change is an undo step."""

    def __init__(self, editor: FlowEditor, node_id: str, ctx: FormContext, push: Pusher,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.node_id = node_id
        self.push = push
        inst = editor.document.flow.nodes[node_id]
        self.node_type: NodeType | None = editor.registry.get(inst.type)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 14)
        layout.setSpacing(10)
        layout.addLayout(self._header(inst.type))
        self.run_error = run_error_box(self)
        layout.addWidget(self.run_error)
        item = editor.scene.nodes.get(node_id)
        self.show_run(item.run if item is not None else None)

        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText(self.node_type.title if self.node_type else inst.type)
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText("What this step is for (optional)")
        self.description_edit.setFixedHeight(self.description_edit.fontMetrics().lineSpacing() * 3 + 14)
        if ctx.undo_keys is not None:
            self.title_edit.installEventFilter(ctx.undo_keys)
            self.description_edit.installEventFilter(ctx.undo_keys)
        for label_text, widget in (("Title", self.title_edit), ("Description", self.description_edit)):
            label = QLabel(label_text, self)
            label.setBuddy(widget)
            layout.addWidget(label)
            layout.addWidget(widget)
            layout.addSpacing(2)
        self.title_edit.textChanged.connect(lambda text: self._push_props("title", text))
        self.description_edit.textChanged.connect(
            lambda: self._push_props("description", self.description_edit.toPlainText()))

        self.banner = error_label(self)
        self.form: SchemaForm | None = None
        self.raw_view: QPlainTextEdit | None = None
        config_body = QWidget(self)
        body = QVBoxLayout(config_body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(8)
        body.addWidget(self.banner)
        if self.node_type is None:
            body.addWidget(self._missing_view(inst.type, inst.config))
        else:
            self.config_specs = object_fields(self.node_type.Config.model_json_schema())
            self.form = SchemaForm(self.config_specs, ctx, config_body)
            if not self.form.rows:
                body.addWidget(muted_label("This step has no settings.", config_body))
            body.addWidget(self.form)
            self.form.edited.connect(self._config_edited)
            self.form.structure_changed.connect(self.update_tab_order)
        self.config_section = Section("Settings", config_body)
        layout.addWidget(self.config_section)

        self.settings_form = SchemaForm(_settings_specs(), ctx, self)
        self.settings_form.edited.connect(self._settings_edited)
        self.run_section = Section("Run settings", self.settings_form, expanded=False)
        layout.addWidget(self.run_section)

        self.ports = PortsView(self)
        self._ports: tuple[list[Any], list[Any]] | None = None
        self.ports_section = Section("Ports", self.ports)
        layout.addWidget(self.ports_section)
        layout.addStretch(1)
        self.refresh()
        self.update_tab_order()

    # ----- building ----------------------------------------------------------------

    def _header(self, type_id: str) -> QVBoxLayout:
        node_type = self.node_type
        box = QVBoxLayout()
        box.setSpacing(4)
        top = QHBoxLayout()
        top.setSpacing(8)
        chip = QLabel(self)
        chip.setFixedSize(12, 12)
        color = category_color(node_type.category).name() if node_type else "#9ca3af"
        chip.setStyleSheet(f"background: {color}; border-radius: 3px;")
        top.addWidget(chip)
        self.type_title = heading_label(node_type.title if node_type else "Missing node type", self, 1.2)
        top.addWidget(self.type_title, 1)
        box.addLayout(top)
        version = f" · version {node_type.version}" if node_type else ""
        category = f"{node_type.category} · " if node_type else ""
        ident = muted_label(f"{category}{type_id}{version}", self)
        ident.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(ident)
        if node_type and node_type.description:
            first, _dot, rest = node_type.description.partition(". ")
            short = first.rstrip(".") + "." if rest and len(first) >= 24 else node_type.description
            about = QLabel(short, self)
            about.setWordWrap(True)
            about.setToolTip(node_type.description)
            box.addSpacing(2)
            box.addWidget(about)
        if node_type and node_type.capabilities:
            chips = QHBoxLayout()
            chips.setContentsMargins(0, 4, 0, 0)
            chips.setSpacing(6)
            for capability in sorted(c.value for c in node_type.capabilities):
                label = QLabel(CAPABILITY_LABELS.get(capability, capability), self)
                label.setStyleSheet(CHIP_STYLE)
                label.setToolTip(f"capability: {capability}")
                chips.addWidget(label)
            chips.addStretch(1)
            box.addLayout(chips)
        return box

    def _missing_view(self, type_id: str, config: dict[str, Any]) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        note = QLabel(f"The node type “{type_id}” is not installed, so its settings cannot be edited "
                      "here. They are kept exactly as they are and saved with the flow; install the "
                      "node pack that provides it to edit them.", box)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.raw_view = QPlainTextEdit(box)
        self.raw_view.setReadOnly(True)
        self.raw_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw_view.setPlainText(json.dumps(config, indent=2, ensure_ascii=False, sort_keys=True))
        lines = min(max(self.raw_view.toPlainText().count("\n") + 2, 4), 16)
        self.raw_view.setFixedHeight(self.raw_view.fontMetrics().lineSpacing() * lines + 14)
        layout.addWidget(self.raw_view)
        return box

    def update_tab_order(self) -> None:
        chain: list[QWidget] = [self.title_edit, self.description_edit, self.config_section.header]
        if self.form is not None:
            chain += self.form.focus_chain()
        elif self.raw_view is not None:
            chain.append(self.raw_view)
        chain += [self.run_section.header, *self.settings_form.focus_chain(), self.ports_section.header]
        chain_tab_order(chain)

    # ----- following the document ----------------------------------------------------

    def show_run(self, mark: RunMark | None) -> None:
        """Show the error of the node's run mark when the step failed or crashed."""
        failed = mark is not None and mark.state in ("FAILED", "CRASHED")
        if failed:
            self.run_error.setText(f"✕ This step {mark.state.lower()}: {mark.message or 'no message'}")
        self.run_error.setVisible(failed)

    def refresh(self, fields: tuple[str, ...] = ALL_FIELDS) -> None:
        """Show the document's `fields` of the node (only widgets that differ change), their
        problems, and the ports. A settings value that was refused stays until they change."""
        doc = self.editor.document
        inst = doc.flow.nodes.get(self.node_id)
        if inst is None:
            return
        if "title" in fields:
            set_line_text(self.title_edit, inst.title)
        if "description" in fields:
            set_plain_text(self.description_edit, inst.description)
        if "settings" in fields:
            self.settings_form.set_value(inst.settings.model_dump(mode="json"))
            self.settings_form.show_issues([])
        if "config" in fields and self.form is not None:
            self.form.set_value(inst.config)
            self._show_config_issues(inst.config)
        self.refresh_ports()

    def refresh_ports(self) -> None:
        doc = self.editor.document
        resolved = resolve_node_ports(doc.flow, self.node_id, self.editor.registry,
                                      flow_path=doc.path if isinstance(doc.path, Path) else None)
        if resolved is not None:
            inputs, outputs = list(resolved.inputs.values()), list(resolved.outputs.values())
        else:  # a missing type: the ports its connections use, as the canvas shows them
            item = self.editor.scene.nodes.get(self.node_id)
            inputs, outputs = (item.look.inputs, item.look.outputs) if item is not None else ([], [])
        if (inputs, outputs) != self._ports:
            self._ports = (inputs, outputs)
            self.ports.set_ports(inputs, outputs)

    def _show_config_issues(self, config: dict[str, Any]) -> None:
        assert self.node_type is not None and self.form is not None
        issues = validation_issues(self.node_type.Config, self._migrated(config))
        general = self.form.show_issues(issues)
        self.banner.setText("\n".join(f"⚠ {m}" for m in general))
        self.banner.setVisible(bool(general))

    def _migrated(self, config: dict[str, Any]) -> dict[str, Any]:
        assert self.node_type is not None
        inst = self.editor.document.flow.nodes[self.node_id]
        if inst.type_version != self.node_type.version:
            return self.node_type.migrate_config(inst.type_version, dict(config))
        return config

    # ----- pushing edits -------------------------------------------------------------

    def _key(self, kind: str, path: str, mergeable: bool) -> tuple[Any, ...] | None:
        return (kind, self.node_id, path) if mergeable else None

    def _config_edited(self, path: str, mergeable: bool) -> None:
        assert self.form is not None and self.node_type is not None
        inst = self.editor.document.flow.nodes.get(self.node_id)
        if inst is None:
            return
        name = path.split(".", 1)[0]
        config = {**inst.config, name: self.form.field_value(name)}
        try:
            valid = self.node_type.Config.model_validate(self._migrated(config))
            config = fill_hidden(config, valid.model_dump(mode="json", by_alias=True), self.config_specs)
        except Exception:  # invalid: shown by _show_config_issues below
            pass
        self._show_config_issues(config)
        if same(config, inst.config):
            return
        row = self.form.rows.get(name)
        what = row.spec.title if row is not None else name
        self.push(SetConfig(self.node_id, config), f"Edit “{what}”",
                               self._key("config", path, mergeable))

    def _settings_edited(self, path: str, mergeable: bool) -> None:
        inst = self.editor.document.flow.nodes.get(self.node_id)
        if inst is None:
            return
        name = path.split(".", 1)[0]
        settings = {**inst.settings.model_dump(mode="json"), name: self.settings_form.field_value(name)}
        issues = validation_issues(NodeSettings, settings)
        self.settings_form.show_issues(issues)
        if issues or same(settings, inst.settings.model_dump(mode="json")):
            return  # the engine's settings are checked by the document: only valid ones are stored
        title = self.settings_form.rows[name].spec.title
        self.push(SetNodeProps(self.node_id, settings=settings), f"Edit “{title}”",
                               self._key("settings", name, mergeable))

    def _push_props(self, field: str, text: str) -> None:
        inst = self.editor.document.flow.nodes.get(self.node_id)
        if inst is None or getattr(inst, field) == text:
            return
        edit = SetNodeProps(self.node_id, title=text) if field == "title" else \
            SetNodeProps(self.node_id, description=text)
        self.push(edit, f"Edit node {field}", self._key("props", field, True))
