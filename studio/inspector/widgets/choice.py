"""A drop-down for an enum / Literal field."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from studio.inspector.schema import FieldSpec, same
from studio.inspector.widgets.base import FieldWidget, FormContext

__all__ = ["ChoiceField"]

NONE_LABEL = "(none)"


class ChoiceField(FieldWidget):
    """One of the allowed values; a value outside them (an old or hand-edited file) is
    shown as an extra, marked entry so that nothing is silently replaced."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        self.combo = QComboBox(self)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMinimumWidth(120)
        self._values: list[Any] = ([None] if spec.nullable else []) + list(spec.enum)
        labels = spec.schema.get("x-enum-labels")
        labels = labels if isinstance(labels, dict) else {}
        for value in self._values:  # readable names where the node gives them ("x-enum-labels")
            self.combo.addItem(NONE_LABEL if value is None else str(labels.get(str(value), value)))
        self._extra: Any = None
        self._has_extra = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addStretch(1)
        self.setFocusProxy(self.combo)
        self.combo.currentIndexChanged.connect(self._changed)

    def _changed(self, _index: int) -> None:
        if self._has_extra and self.combo.currentIndex() < len(self._values):
            self._drop_extra()
        self._emit(mergeable=False)

    def _drop_extra(self) -> None:
        blocked = self.combo.blockSignals(True)
        self.combo.removeItem(len(self._values))
        self.combo.blockSignals(blocked)
        self._has_extra = False

    def value(self) -> Any:
        index = self.combo.currentIndex()
        if index < len(self._values):
            return self._values[index] if index >= 0 else None
        return self._extra

    def show_value(self, value: Any) -> None:
        blocked = self.combo.blockSignals(True)
        try:
            if self._has_extra:
                self._drop_extra()
            index = next((i for i, v in enumerate(self._values) if same(v, value)), -1)
            if index < 0:
                self._extra, self._has_extra = value, True
                self.combo.addItem(f"{value} (not a valid choice)")
                index = len(self._values)
            self.combo.setCurrentIndex(index)
        finally:
            self.combo.blockSignals(blocked)

    def focus_chain(self) -> list[QWidget]:
        return [self.combo]
