"""A number field that steps within the schema's bounds but never refuses what is typed."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QValidator, QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QHBoxLayout, QWidget

from studio.inspector.schema import FieldSpec, format_number
from studio.inspector.widgets.base import FieldWidget, FormContext, set_line_text
from studio.inspector.widgets.text import placeholder_for

__all__ = ["NumberBox", "NumberField", "parse_number", "step_for"]

_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def parse_number(text: str, integer: bool) -> Any:
    """The number in `text`; the text itself when it is not one (validation explains why)."""
    stripped = text.strip().replace("\u202f", "").replace(" ", "")
    if _DECIMAL_COMMA.match(stripped):
        stripped = stripped.replace(",", ".")
    try:
        number = float(stripped)
    except ValueError:
        return text
    if integer:
        try:
            return int(stripped)
        except ValueError:
            return number  # 2.5 for an integer field: validation says so
    return number


def step_for(spec: FieldSpec) -> float:
    """1 for integers and wide ranges, 0.1 for narrow ones, or the schema's `multipleOf`."""
    multiple = spec.schema.get("multipleOf")
    if isinstance(multiple, (int, float)) and multiple > 0:
        return float(multiple)
    if spec.kind == "integer":
        return 1.0
    if spec.minimum is not None and spec.maximum is not None and spec.maximum - spec.minimum <= 10:
        return 0.1
    return 1.0


class NumberBox(QAbstractSpinBox):
    """A spin box over free text: arrows, Up/Down and the wheel (when focused) step the
    number within the bounds; anything typed is kept as typed."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.step = step_for(spec)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setKeyboardTracking(True)

    def validate(self, text: str, pos: int) -> Any:
        return QValidator.State.Acceptable

    def fixup(self, text: str) -> str:
        return text

    def _number(self) -> float | None:
        value = parse_number(self.lineEdit().text(), self.spec.kind == "integer")
        return float(value) if isinstance(value, (int, float)) else None

    def _allowed(self, value: float) -> bool:
        spec = self.spec
        if spec.minimum is not None and (value < spec.minimum
                                         or (spec.exclusive_minimum and value <= spec.minimum)):
            return False
        return not (spec.maximum is not None
                    and (value > spec.maximum or (spec.exclusive_maximum and value >= spec.maximum)))

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        current = self._number()
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        base = current if current is not None else (self.spec.minimum or 0.0)
        up, down = self._clamp(base + self.step), self._clamp(base - self.step)
        if self._allowed(up) and (current is None or up > base):
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if self._allowed(down) and (current is None or down < base):
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def _clamp(self, value: float) -> float:
        spec = self.spec
        if spec.minimum is not None and value < spec.minimum:
            value = spec.minimum
        if spec.maximum is not None and value > spec.maximum:
            value = spec.maximum
        return round(value, 10)

    def stepBy(self, steps: int) -> None:
        current = self._number()
        base = current if current is not None else (self.spec.minimum or 0.0)
        value = self._clamp(base + steps * self.step)
        if not self._allowed(value):
            return
        number: float | int = int(value) if self.spec.kind == "integer" else value
        self.lineEdit().setText(format_number(number))

    def sizeHint(self) -> QSize:
        return QSize(150, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(90, super().minimumSizeHint().height())

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # let the inspector scroll


class NumberField(FieldWidget):
    """An integer or number; empty means None for an optional field."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        self.box = NumberBox(spec, self)
        placeholder = spec.schema.get("placeholder") or placeholder_for(spec)
        if placeholder:
            self.box.lineEdit().setPlaceholderText(str(placeholder))
            self.uses_placeholder = not spec.schema.get("placeholder")
        self.box.setMaximumWidth(200)
        bounds = []
        if spec.minimum is not None:
            word = "more than " if spec.exclusive_minimum else "at least "
            bounds.append(word + format_number(spec.minimum))
        if spec.maximum is not None:
            word = "less than " if spec.exclusive_maximum else "at most "
            bounds.append(word + format_number(spec.maximum))
        if bounds:
            self.box.setToolTip(("A whole number, " if spec.kind == "integer" else "A number, ")
                                + " and ".join(bounds))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addStretch(1)
        self.setFocusProxy(self.box)
        self.box.lineEdit().textChanged.connect(lambda _text: self._emit())
        self._watch_undo_keys(self.box, self.box.lineEdit())

    def value(self) -> Any:
        text = self.box.lineEdit().text()
        if text.strip() == "":
            return None if self.spec.nullable else text
        return parse_number(text, self.spec.kind == "integer")

    def show_value(self, value: Any) -> None:
        if value is None:
            text = ""
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            text = format_number(value)
        else:
            text = str(value)
        set_line_text(self.box.lineEdit(), text)

    def focus_chain(self) -> list[QWidget]:
        return [self.box]
