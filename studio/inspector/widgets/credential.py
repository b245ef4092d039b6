"""A credential name: an editable list of the saved names (never their values)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from studio.inspector.schema import FieldSpec
from studio.inspector.widgets.base import FieldWidget, FormContext, set_line_text

__all__ = ["CREDENTIAL_HELP", "CredentialField", "NameCombo"]

CREDENTIAL_HELP = (
    "The name of a saved credential. Its secret stays in the system keyring and is never "
    "written into the flow.\nTo add one, run:  loomwork credentials set NAME"
)


class NameCombo(QComboBox):
    """An editable combo whose list is refreshed each time it opens."""

    def __init__(self, names: Any, parent: QWidget | None = None):
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


class CredentialField(FieldWidget):
    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        self.combo = NameCombo(ctx.credential_names, self)
        line = self.combo.lineEdit()
        line.setPlaceholderText("Name of a saved credential" if self.combo.count()
                                else "No saved credentials yet")
        self.combo.setToolTip(CREDENTIAL_HELP)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        self.setFocusProxy(self.combo)
        self.combo.editTextChanged.connect(lambda _text: self._emit())
        self._watch_undo_keys(line)

    def value(self) -> Any:
        text = self.combo.currentText()
        return None if text == "" and self.spec.nullable else text

    def show_value(self, value: Any) -> None:
        set_line_text(self.combo.lineEdit(), "" if value is None else str(value))

    def focus_chain(self) -> list[QWidget]:
        return [self.combo]
