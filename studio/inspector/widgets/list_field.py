"""An editable list: add, remove and reorder items; each object item is a nested form."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QToolButton, QVBoxLayout, QWidget

from studio.inspector.schema import FieldSpec, ValidationIssue, empty_value, item_noun
from studio.inspector.style import error_label, heading_label, muted_label
from studio.inspector.widgets.base import FieldWidget, FormContext

__all__ = ["ListField"]

_SUMMARY_KEYS = ("label", "name", "title", "column", "field", "from")


def _tool(text: str, tip: str, parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.setFixedSize(24, 24)
    return button


class _ItemRow(QFrame):
    """One item: its editor, the move/remove buttons and the item's own problems."""

    def __init__(self, widget: FieldWidget, is_object: bool, parent: QWidget):
        super().__init__(parent)
        self.widget = widget
        self.is_object = is_object
        self.up = _tool("↑", "Move up", self)
        self.down = _tool("↓", "Move down", self)
        self.remove = _tool("✕", "Remove", self)
        self.error = error_label(self)
        self.heading = heading_label("", self, 0.92, elide=True)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        buttons = QHBoxLayout()
        buttons.setSpacing(0)
        if is_object:
            self.setObjectName("listItem")
            self.setFrameShape(QFrame.Shape.StyledPanel)
            layout.setContentsMargins(10, 4, 6, 10)
            buttons.addWidget(self.heading, 1)
            for button in (self.up, self.down, self.remove):
                buttons.addWidget(button)
            layout.addLayout(buttons)
            layout.addWidget(widget)
        else:
            self.heading.hide()
            layout.setContentsMargins(0, 0, 0, 0)
            buttons.setSpacing(2)
            buttons.addWidget(widget, 1)
            for button in (self.up, self.down, self.remove):
                buttons.addWidget(button)
            layout.addLayout(buttons)
        layout.addWidget(self.error)

    def set_messages(self, messages: list[str]) -> None:
        self.error.setText("\n".join(f"⚠ {m}" for m in messages))
        self.error.setVisible(bool(messages))


class ListField(FieldWidget):
    """A list of scalars (one field per row) or of objects (a framed sub-form per item)."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        assert spec.items is not None
        self.item_spec = spec.items
        self.is_object = spec.items.kind == "object"
        self.rows: list[_ItemRow] = []
        self.box = QVBoxLayout()
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(6 if self.is_object else 4)
        self.noun = item_noun(spec.title)
        self.add_button = QPushButton(f"+ Add {self.noun}", self)
        self.add_button.setAutoDefault(False)
        self.empty = muted_label("Nothing yet", self)
        footer = QHBoxLayout()
        footer.setContentsMargins(0, 0, 0, 0)
        footer.addWidget(self.add_button)
        footer.addWidget(self.empty)
        footer.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(self.box)
        layout.addLayout(footer)
        self.add_button.clicked.connect(self.add_item)
        self._refresh_buttons()

    # ----- rows --------------------------------------------------------------------

    def _make_row(self, value: Any) -> _ItemRow:
        widget = self.ctx.make(self.item_spec)
        widget.update_value(value)
        row = _ItemRow(widget, self.is_object, self)
        widget.edited.connect(lambda sub, merge, r=row: self._item_edited(r, sub, merge))
        widget.structure_changed.connect(self.structure_changed)
        row.up.clicked.connect(lambda _c=False, r=row: self.move(self.rows.index(r), -1))
        row.down.clicked.connect(lambda _c=False, r=row: self.move(self.rows.index(r), +1))
        row.remove.clicked.connect(lambda _c=False, r=row: self.remove_item(self.rows.index(r)))
        return row

    def _item_edited(self, row: _ItemRow, sub: str, merge: bool) -> None:
        index = self.rows.index(row)
        self._refresh_headings()
        self._emit(f"{index}.{sub}" if sub else str(index), merge)

    def _refresh_buttons(self) -> None:
        for index, row in enumerate(self.rows):
            row.up.setEnabled(index > 0)
            row.down.setEnabled(index < len(self.rows) - 1)
        self.empty.setVisible(not self.rows)
        self._refresh_headings()

    def _refresh_headings(self) -> None:
        if not self.is_object:
            return
        for index, row in enumerate(self.rows):
            value = row.widget.value()
            summary = ""
            if isinstance(value, dict):
                preferred = self.spec.items.schema.get("x-summary") if self.spec.items else None
                keys = (preferred, *_SUMMARY_KEYS) if isinstance(preferred, str) else _SUMMARY_KEYS
                summary = next((str(value[k]) for k in keys
                                if isinstance(value.get(k), str) and value[k].strip()), "")
            heading = f"{self.noun.capitalize()} {index + 1}"
            row.heading.setText(heading + (f"  ·  {summary}" if summary else ""))

    def _set_count(self, values: list[Any]) -> None:
        for row in self.rows:
            self.box.removeWidget(row)
            row.deleteLater()
        self.rows = []
        for value in values:
            row = self._make_row(value)
            self.rows.append(row)
            self.box.addWidget(row)
        self._refresh_buttons()
        self.structure_changed.emit()

    # ----- user actions ------------------------------------------------------------

    def add_item(self) -> None:
        row = self._make_row(empty_value(self.item_spec))
        self.rows.append(row)
        self.box.addWidget(row)
        self._refresh_buttons()
        self.structure_changed.emit()
        self._emit(str(len(self.rows) - 1), mergeable=False)
        focus = row.widget.focus_chain()
        if focus:
            focus[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_item(self, index: int) -> None:
        row = self.rows.pop(index)
        self.box.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._refresh_buttons()
        self.structure_changed.emit()
        self._emit("", mergeable=False)

    def move(self, index: int, delta: int) -> None:
        target = index + delta
        if not 0 <= target < len(self.rows):
            return
        values = self.value()
        values[index], values[target] = values[target], values[index]
        self._quiet = True
        try:
            for row, value in zip(self.rows, values, strict=True):
                row.widget.update_value(value)
        finally:
            self._quiet = False
        self._refresh_headings()
        self._emit("", mergeable=False)
        button = self.rows[target].up if delta < 0 else self.rows[target].down
        (button if button.isEnabled() else self.rows[target].remove).setFocus()

    # ----- FieldWidget -------------------------------------------------------------

    def value(self) -> Any:
        return [row.widget.value() for row in self.rows]

    def show_value(self, value: Any) -> None:
        values = list(value) if isinstance(value, list) else []
        if len(values) != len(self.rows):
            self._set_count(values)
            return
        for row, item in zip(self.rows, values, strict=True):
            row.widget.update_value(item)
        self._refresh_headings()

    def show_issues(self, issues: list[ValidationIssue]) -> list[str]:
        per_row: dict[int, list[ValidationIssue]] = {}
        own: list[str] = []
        for issue in issues:
            if issue.loc and isinstance(issue.loc[0], int) and 0 <= issue.loc[0] < len(self.rows):
                per_row.setdefault(issue.loc[0], []).append(ValidationIssue(issue.loc[1:], issue.message))
            elif issue.message not in own:
                own.append(issue.message)
        for index, row in enumerate(self.rows):
            row.set_messages(row.widget.show_issues(per_row.get(index, [])))
        return own

    def focus_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for row in self.rows:
            if self.is_object:
                chain += [row.up, row.down, row.remove]
            chain += row.widget.focus_chain()
            if not self.is_object:
                chain += [row.up, row.down, row.remove]
        return [*chain, self.add_button]
