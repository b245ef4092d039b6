"""The locator editor of browser steps (`widget: "locator"`): how the step finds its element.

One compact group — Find by, Role or text, Name (for roles), Exact, Match number, Inside
frame — with a **Pick element** button and a live "matches N elements" label. Pick element
runs the picker program the field's schema names (`"picker": "nodes.browser.picker"`) in a
QProcess: it opens the step's page in a visible browser, the user clicks the element, and
the most robust locator comes back and is written into the step as one undo step. While
the picker runs, edits are checked against the page (debounced) and the label follows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.inspector.schema import MISSING, FieldSpec, ValidationIssue
from studio.inspector.style import ERROR_COLOR, small_font
from studio.inspector.widgets.base import FieldWidget, FormContext, set_line_text
from studio.inspector.widgets.picker_client import PickerClient, picker_command

__all__ = ["KIND_LABELS", "LocatorField", "ask_page_url", "matches_text"]

KIND_LABELS = {"role": "Role and name", "label": "Label", "placeholder": "Placeholder", "text": "Text",
               "test_id": "Test id", "alt_text": "Image alt text", "title": "Title", "css": "CSS selector",
               "xpath": "XPath"}
VALUE_LABELS = {"role": "Role", "label": "Label text", "placeholder": "Placeholder", "text": "Text",
                "test_id": "Test id", "alt_text": "Alt text", "title": "Title", "css": "Selector",
                "xpath": "XPath"}
VALUE_HINTS = {"role": "button, link, textbox…", "label": "e.g. Email", "placeholder": "e.g. Search…",
               "text": "e.g. Next page", "test_id": "e.g. submit-order", "css": "e.g. #main table",
               "xpath": "e.g. //table[1]"}
ROLE_SUGGESTIONS = ("button", "link", "textbox", "checkbox", "radio", "combobox", "listbox", "option",
                    "heading", "cell", "row", "table", "tab", "menuitem", "dialog", "img", "navigation",
                    "searchbox", "switch")
COUNT_DELAY_MS = 300
KEYS = ("by", "value", "name", "exact", "nth", "frame")


def matches_text(matches: int, nth: int = 0) -> str:
    """"matches 1 element", "matches 3 elements — set Match number", "match 2 of 3 elements"."""
    noun = "element" if matches == 1 else "elements"
    if nth:
        if nth > matches:
            return f"matches {matches} {noun} — there is no match {nth}"
        return f"match {nth} of {matches} {noun}"
    if matches == 0:
        return "matches no element"
    if matches == 1:
        return "matches 1 element"
    return f"matches {matches} elements — set Match number"


def ask_page_url(parent: QWidget) -> str:
    """Ask for the address of the page to pick from (used when the flow does not say)."""
    text, ok = QInputDialog.getText(parent, "Pick element", "Web address of the page to pick the element on:")
    return text.strip() if ok else ""


class LocatorField(FieldWidget):
    """Edits a `Locator` dict; see the module's docstring."""

    inline_label = True

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        props = {p.name: p for p in spec.properties}
        self._defaults = {name: p.default for name, p in props.items() if p.default is not MISSING}
        self._base: dict[str, Any] = {}
        self.picker_module = str(spec.schema.get("picker") or "")
        self.picker_program: tuple[str, list[str]] | None = None
        """Overrides the program run for Pick element: (program, arguments)."""
        self.ask_url: Callable[[QWidget], str] = ask_page_url
        """Asks for the page's address when the flow does not tell it."""
        self.client = PickerClient(self)
        self.client.message.connect(self._on_message)
        self.client.stopped.connect(self._on_stopped)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COUNT_DELAY_MS)
        self._timer.timeout.connect(self.check_count)

        box = QGroupBox(spec.title + (" *" if spec.required else ""), self)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(6)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.by = QComboBox(box)
        self._kinds = list(props["by"].enum) if "by" in props and props["by"].enum else list(KIND_LABELS)
        for kind in self._kinds:
            self.by.addItem(KIND_LABELS.get(kind, kind), kind)
        self.value_edit = QLineEdit(box)
        self.roles = QCompleter(list(ROLE_SUGGESTIONS), self.value_edit)
        self.roles.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.name_edit = QLineEdit(box)
        self.name_edit.setPlaceholderText("e.g. the button's caption")
        self.exact = QCheckBox(props["exact"].title if "exact" in props else "Exact match", box)
        self.nth = QSpinBox(box)
        self.nth.setRange(0, 9999)
        self.nth.setSpecialValueText("the only one")
        self.nth.setMinimumWidth(110)
        self.frame = QLineEdit(box)
        self.frame.setPlaceholderText("empty: the page")
        self.value_label = QLabel("Role", box)
        self.name_label = QLabel(props["name"].title if "name" in props else "Name", box)
        nth_row = QHBoxLayout()
        nth_row.addWidget(self.nth)
        nth_row.addSpacing(8)
        nth_row.addWidget(self.exact)
        nth_row.addStretch(1)
        form.addRow(props["by"].title if "by" in props else "Find by", self.by)
        form.addRow(self.value_label, self.value_edit)
        form.addRow(self.name_label, self.name_edit)
        form.addRow(props["nth"].title if "nth" in props else "Match number", nth_row)
        form.addRow(props["frame"].title if "frame" in props else "Inside frame", self.frame)
        for name, widget in (("by", self.by), ("value", self.value_edit), ("name", self.name_edit),
                             ("exact", self.exact), ("nth", self.nth), ("frame", self.frame)):
            if name in props and props[name].description:
                widget.setToolTip(props[name].description)

        self.pick = QPushButton("Pick element", box)
        self.pick.setAutoDefault(False)
        self.pick.setToolTip("Open the step's page in a browser window and click the element: the most "
                             "robust way to find it is written here")
        self.pick.setVisible(bool(self.picker_module))
        self.status = QLabel(box)
        self.status.setWordWrap(True)
        self.status.setFont(small_font(self.status))
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        pick_row = QHBoxLayout()
        pick_row.setSpacing(8)
        pick_row.addWidget(self.pick)
        pick_row.addWidget(self.status, 1)

        inner = QVBoxLayout(box)
        inner.setContentsMargins(10, 6, 10, 10)
        inner.setSpacing(8)
        inner.addLayout(form)
        inner.addLayout(pick_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)

        self.by.currentIndexChanged.connect(lambda _i: self._changed("by", False))
        self.value_edit.textChanged.connect(lambda _t: self._changed("value", True))
        self.name_edit.textChanged.connect(lambda _t: self._changed("name", True))
        self.exact.toggled.connect(lambda _on: self._changed("exact", False))
        self.nth.valueChanged.connect(lambda _n: self._changed("nth", True))
        self.frame.textChanged.connect(lambda _t: self._changed("frame", True))
        self.pick.clicked.connect(self.start_pick)
        self._watch_undo_keys(self.value_edit, self.name_edit, self.frame, self.nth)
        self._show_kind()

    # ----- value ---------------------------------------------------------------------

    def value(self) -> Any:
        out = {**self._defaults, **self._base}
        out.update(by=self.by.currentData(), value=self.value_edit.text(), name=self.name_edit.text(),
                   exact=self.exact.isChecked(), nth=self.nth.value(), frame=self.frame.text())
        return out

    def show_value(self, value: Any) -> None:
        data = {**self._defaults, **(value if isinstance(value, dict) else {})}
        self._base = {k: v for k, v in data.items() if k not in KEYS}
        for widget in (self.by, self.exact, self.nth):
            widget.blockSignals(True)
        try:
            kind = data.get("by", "role")
            if kind not in self._kinds:  # an old or hand-edited file: shown, not replaced
                self._kinds.append(kind)
                self.by.addItem(f"{kind} (not a valid choice)", kind)
            self.by.setCurrentIndex(self._kinds.index(kind))
            self.exact.setChecked(data.get("exact") is True)
            nth = data.get("nth", 0)
            self.nth.setValue(nth if isinstance(nth, int) and not isinstance(nth, bool) else 0)
        finally:
            for widget in (self.by, self.exact, self.nth):
                widget.blockSignals(False)
        set_line_text(self.value_edit, str(data.get("value") or ""))
        set_line_text(self.name_edit, str(data.get("name") or ""))
        set_line_text(self.frame, str(data.get("frame") or ""))
        self._show_kind()
        self._schedule_count()

    def show_issues(self, issues: list[ValidationIssue]) -> list[str]:
        return list(dict.fromkeys(i.message if not i.loc else f"{i.loc[0]}: {i.message}" for i in issues))

    def focus_chain(self) -> list[QWidget]:
        return [self.by, self.value_edit, self.name_edit, self.nth, self.exact, self.frame, self.pick]

    def _changed(self, part: str, mergeable: bool) -> None:
        if part == "by":
            self._show_kind()
        self._emit(part, mergeable)
        self._schedule_count()

    def _show_kind(self) -> None:
        kind = self.by.currentData()
        role = kind == "role"
        self.value_label.setText(VALUE_LABELS.get(kind, "Value"))
        self.value_edit.setPlaceholderText(VALUE_HINTS.get(kind, ""))
        self.value_edit.setCompleter(self.roles if role else None)
        self.name_label.setVisible(role)
        self.name_edit.setVisible(role)

    # ----- pick element --------------------------------------------------------------

    def start_pick(self) -> None:
        """Open the step's page in the picker's browser and wait for the user's click (a picker
        that is open already stays on its page: the user may have logged in or moved on there)."""
        if self.client.running:
            self.client.send(op="pick")
            return
        url = self.ctx.page_url() or self.ask_url(self)
        if not url:
            self._show_status("Pick element needs the page's web address", error=True)
            return
        program, args = self.picker_program or picker_command(self.picker_module)
        self.client.start(program, args)
        self.client.send(op="open", url=url)
        self.client.send(op="pick")
        self._show_status("Opening the page…")

    def check_count(self) -> None:
        """Ask the picker how many elements the locator finds on its page."""
        if self.client.running:
            self.client.send(op="count", locator=self.value())

    def release(self) -> None:
        self._timer.stop()
        self.client.stop()

    def _schedule_count(self) -> None:
        if self.client.running:
            self._timer.start()

    def _on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "picking":
            self._show_status("Click the element in the browser window (Esc cancels)")
        elif kind == "picked" and isinstance(message.get("locator"), dict):
            self._timer.stop()
            self._quiet = True
            try:
                self.show_value({**self.value(), **message["locator"]})
            finally:
                self._quiet = False
            self._timer.stop()
            self._emit("", mergeable=False)  # the whole locator: one undo step
            self._show_status(matches_text(int(message.get("matches", 1)), self.nth.value()))
            self.window().activateWindow()
        elif kind == "count":
            self._show_status(matches_text(int(message.get("matches", 0)), int(message.get("nth", 0))),
                              error=message.get("matches") == 0)
        elif kind == "cancelled":
            self._show_status("Pick cancelled")
        elif kind == "closed":
            self._show_status("The browser window was closed")
        elif kind == "error":
            self._show_status(str(message.get("message") or "the picker failed"), error=True)

    def _on_stopped(self, why: str) -> None:
        self._timer.stop()
        if why:
            self._show_status(why, error=True)

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")
