"""A credential name: an editable list of the saved names (never their values)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from studio.inspector.schema import FieldSpec
from studio.inspector.widgets.base import FormContext
from studio.inspector.widgets.name_combo import NameCombo, NameComboField

__all__ = ["CREDENTIAL_HELP", "CredentialField", "NameCombo"]

CREDENTIAL_HELP = (
    "The name of a saved credential. Its secret stays in the system keyring and is never "
    "written into the flow.\nTo add one, run:  loomwork credentials set NAME"
)


class CredentialField(NameComboField):
    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, ctx.credential_names, parent)
        self.combo.lineEdit().setPlaceholderText("Name of a saved credential" if self.combo.count()
                                                 else "No saved credentials yet")
        self.combo.setToolTip(CREDENTIAL_HELP)
