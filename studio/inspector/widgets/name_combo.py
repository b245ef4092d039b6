"""A name chosen from a list that can change (saved credentials, the flow's ports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from studio.inspector.schema import FieldSpec
from studio.inspector.widgets.base import FieldWidget, FormContext, set_line_text

__all__ = ["NameCombo", "NameComboField"]


class NameCombo(QComboBox):
    """An editable combo whose list is refreshed each time it opens."""

    def __init__(self, names: Callable[[], list[str]], parent: QWidget | None = None):
        super().__init__(parent)
        self._names = names
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.refresh()

    def refresh(self) -> None:
        text = self.currentText()
        blocked = self.blockSignals(True)
        self.clear()
        self.addItems(self._names())
        self.setEditText(text)
        self.blockSignals(blocked)

    def showPopup(self) -> None:
        self.refresh()
        super().showPopup()


class NameComboField(FieldWidget):
    """A text field with a drop-down of `names()`; typing a name not listed is allowed."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, names: Callable[[], list[str]],
                 parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        self.combo = NameCombo(names, self)
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
