"""What every inspector field widget offers, and the context it is built in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from studio.inspector.schema import MISSING, FieldSpec, ValidationIssue, empty_value, same

__all__ = ["DocumentUndoKeys", "FieldWidget", "FormContext", "set_line_text", "set_plain_text"]


@dataclass(slots=True)
class FormContext:
    """What field widgets may consult: the flow's folder and ports, saved credential names,
    and the factory that builds widgets for nested fields."""

    flow_dir: Callable[[], Path | None] = lambda: None
    flow_inputs: Callable[[], list[str]] = lambda: []
    flow_outputs: Callable[[], list[str]] = lambda: []
    credential_names: Callable[[], list[str]] = lambda: []
    page_url: Callable[[], str] = lambda: ""
    """The web page the node being edited works on ("" when unknown), for "Pick element"."""
    build: Callable[[FieldSpec, FormContext], FieldWidget] | None = None
    subform: Callable[[list[FieldSpec], FormContext], Any] | None = None
    undo_keys: QObject | None = field(default=None)

    def make(self, spec: FieldSpec) -> FieldWidget:
        assert self.build is not None
        return self.build(spec, self)


class DocumentUndoKeys(QObject):
    """Event filter: Ctrl+Z / Ctrl+Shift+Z in a text field undo the *document*, not the
    field's private history, so that one merged undo step covers the typing."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and (
                event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)):
            event.ignore()
            return True
        return False


def set_line_text(edit: QLineEdit, text: str) -> None:
    """Show `text` without emitting edits, keeping the cursor where it was when focused."""
    if edit.text() == text:
        return
    position = edit.cursorPosition()
    blocked = edit.blockSignals(True)
    edit.setText(text)
    edit.blockSignals(blocked)
    if edit.hasFocus():
        edit.setCursorPosition(min(position, len(text)))


def set_plain_text(edit: QPlainTextEdit, text: str) -> None:
    """Like `set_line_text`, for multi-line fields."""
    if edit.toPlainText() == text:
        return
    position = edit.textCursor().position()
    blocked = edit.blockSignals(True)
    edit.setPlainText(text)
    edit.blockSignals(blocked)
    if edit.hasFocus():
        cursor = edit.textCursor()
        cursor.setPosition(min(position, len(text)))
        edit.setTextCursor(cursor)


class FieldWidget(QWidget):
    """Edits one value of a config.

    `edited(sub_path, mergeable)`: the user changed the value ("" for this field itself,
    "2.label" for a part of a list or object); `mergeable` when consecutive changes (typing)
    may merge into one undo step. `structure_changed`: rows were added or removed (tab order).
    """

    edited = Signal(str, bool)
    structure_changed = Signal()

    inline_label = False
    """True when the widget shows its own title (check box, group box)."""
    uses_placeholder = False
    """True when the widget shows a short description as its placeholder."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.ctx = ctx
        self._quiet = False

    def value(self) -> Any:
        raise NotImplementedError

    def show_value(self, value: Any) -> None:
        """Display `value` (called only when it differs from what is shown)."""
        raise NotImplementedError

    def update_value(self, value: Any) -> None:
        """Show `value` unless the widget already holds it (no edit is emitted)."""
        if value is MISSING:
            value = empty_value(self.spec)
        if same(self.value(), value):
            return
        self._quiet = True
        try:
            self.show_value(value)
        finally:
            self._quiet = False

    def show_issues(self, issues: list[ValidationIssue]) -> list[str]:
        """Show the problems this widget can place itself; return the rest for its row."""
        return list(dict.fromkeys(i.message for i in issues))

    def focus_chain(self) -> list[QWidget]:
        """The focusable widgets inside, in tab order."""
        return [self]

    def release(self) -> None:
        """Let go of what the widget started outside the studio (a helper program): its page is
        going away (another node was selected, the window closes)."""

    def _emit(self, sub_path: str = "", mergeable: bool = True) -> None:
        if not self._quiet:
            self.edited.emit(sub_path, mergeable)

    def _watch_undo_keys(self, *widgets: QWidget) -> None:
        if self.ctx.undo_keys is not None:
            for widget in widgets:
                widget.installEventFilter(self.ctx.undo_keys)
