"""The Add/Edit schedule form: the kind of trigger, its fields, time zone and policies.

`ScheduleDialog.trigger()` builds the trigger model (ValueError with a readable message
when a field is wrong); a preview line shows the next fire times or the problem. Fixed values
for the flow's inputs, a random start delay (jitter) and the catch-up limit are set here too. The
schedules feature opens it through an injectable `run_dialog`, so tests fill it and
accept it without a modal loop.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import available_timezones

from pydantic import TypeAdapter, ValidationError
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from runtime.api import Trigger, local_zone_name, next_fire_times
from studio.schedules_panel import describe_plain, format_fire

__all__ = ["CRON_PRESETS", "KINDS", "ScheduleDialog"]

KINDS = (("cron", "On a schedule"), ("interval", "Repeatedly"), ("once", "Once"),
         ("watch", "When files arrive"), ("startup", "When the service starts"))
CRON_PRESETS = ("weekdays at 8:00", "daily at 7:30", "every monday at 9:00", "monthly on the 1st at 6:00",
                "every 15 minutes", "every 2 hours", "0 8 * * 1-5")
MISSED = (("run_once", "Run once"), ("skip", "Skip them"), ("run_all", "Run each (up to the limit)"))
OVERLAP = (("skip", "Skip this run"), ("queue", "Queue it"), ("parallel", "Run in parallel"))
UNITS = (("minutes", 60), ("hours", 3600), ("days", 86400))
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Trigger)
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_JSON_KINDS = ("record", "list", "table")


def _typed_input(name: str, kind: str, text: str) -> Any:
    """A value typed in the form, as the flow input `name` of type `kind` takes it."""
    if kind in ("number", "integer"):
        plain = text.replace(",", "") if _GROUPED_NUMBER.fullmatch(text) else text  # 1,250 (not 1,5)
        try:
            number = float(plain) if kind == "number" else int(plain)
        except ValueError:
            raise ValueError(f"input '{name}': '{text}' is not a{'n' if kind == 'integer' else ''} "
                             f"{kind}") from None
        whole = isinstance(number, float) and number.is_integer() and "." not in plain
        return int(number) if whole else number
    if kind == "boolean":
        if text.lower() not in ("true", "false", "yes", "no"):
            raise ValueError(f"input '{name}': write true or false")
        return text.lower() in ("true", "yes")
    if kind in _JSON_KINDS or (kind == "any" and text[:1] in "[{"):
        try:
            return json.loads(text)
        except ValueError:
            example = "[1, 2]" if kind == "list" else '{"key": 1}'
            raise ValueError(f"input '{name}': write the {kind} as JSON, e.g. {example}") from None
    return text


def _shown(value: Any) -> str:
    """A stored input value as the form shows it (JSON for records, lists and tables)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _combo(items: tuple[tuple[str, str], ...]) -> QComboBox:
    box = QComboBox()
    for value, label in items:
        box.addItem(label, value)
    return box


def _choose(box: QComboBox, value: object) -> None:
    index = box.findData(value)
    if index >= 0:
        box.setCurrentIndex(index)


class ScheduleDialog(QDialog):
    """Add or edit one trigger. `flow_inputs` (names, or names → their types) get fixed values
    and are offered for a folder watch's file path."""

    def __init__(self, parent: QWidget | None = None, *, trigger: Any = None,
                 flow_inputs: list[str] | tuple[str, ...] | dict[str, str] = ()):
        super().__init__(parent)
        self.setWindowTitle("Edit schedule" if trigger is not None else "Add schedule")
        self._original = trigger
        self.title = QLineEdit()
        self.title.setPlaceholderText("optional, e.g. Morning report")
        self.kind = _combo(KINDS)
        self.cron = QComboBox()
        self.cron.setEditable(True)
        self.cron.addItems(list(CRON_PRESETS))
        self.cron.setToolTip("A preset in words, or 5 cron fields: minute hour day month weekday")
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(sorted(available_timezones()))
        self.timezone.setCurrentText(local_zone_name())
        self.every = QSpinBox()
        self.every.setRange(1, 10_000)
        self.every.setValue(15)
        self.unit = _combo(tuple((name, name) for name, _s in UNITS))
        self.at = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at.setCalendarPopup(True)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("a folder, absolute or next to the flow file")
        self.pattern = QLineEdit("*")
        self.input = QComboBox()
        self.input.setEditable(True)
        self.input.addItems(list(flow_inputs))
        self.on = _combo((("created_or_modified", "New or changed files"), ("created", "New files only")))
        self.delay = QSpinBox()
        self.delay.setRange(0, 86400)
        self.delay.setSuffix(" s")
        self.missed = _combo(MISSED)
        self.missed_limit = QSpinBox()
        self.missed_limit.setRange(1, 1000)
        self.missed_limit.setValue(10)
        self.overlap = _combo(OVERLAP)
        self.jitter = QSpinBox()
        self.jitter.setRange(0, 86400)
        self.jitter.setSuffix(" s")
        self.jitter.setSpecialValueText("no delay")
        self.jitter.setToolTip("Start up to this many seconds late (the same delay for a fire time after a "
                               "restart): spreads the load when many machines run the same schedule")
        self.input_types = (dict(flow_inputs) if isinstance(flow_inputs, dict)
                            else dict.fromkeys(flow_inputs, "any"))
        self.inputs = self._inputs_table(sorted(self.input_types))
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        self.kind_rows: dict[str, list[QWidget]] = {
            "cron": [self.cron, self.timezone], "interval": [self.every, self.unit],
            "once": [self.at, self.timezone], "watch": [self.folder, self.pattern, self.on, self.input],
            "startup": [self.delay]}
        for label, widget in (("Title", self.title), ("Starts the flow", self.kind), ("Schedule", self.cron),
                              ("Every", self.every), ("Unit", self.unit), ("At", self.at),
                              ("Folder", self.folder), ("File names", self.pattern), ("Fire on", self.on),
                              ("Flow input for the path", self.input), ("Delay", self.delay),
                              ("Time zone", self.timezone), ("Missed runs (sleep, shutdown)", self.missed),
                              ("Most runs to catch up", self.missed_limit),
                              ("If still running", self.overlap), ("Random start delay", self.jitter),
                              ("Input values", self.inputs)):
            self.form.addRow(label, widget)
        self.form.setRowVisible(self.inputs, bool(self.input_types))
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        if trigger is not None:
            self.set_trigger(trigger)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for signal in (self.cron.currentTextChanged, self.timezone.currentTextChanged,
                       self.every.valueChanged, self.unit.currentIndexChanged, self.at.dateTimeChanged,
                       self.folder.textChanged, self.pattern.textChanged, self.input.currentTextChanged,
                       self.delay.valueChanged, self.jitter.valueChanged, self.inputs.itemChanged):
            signal.connect(lambda *_: self.update_preview())
        self.missed.currentIndexChanged.connect(self._missed_changed)
        self._missed_changed()
        self._kind_changed()

    def _inputs_table(self, names: list[str]) -> QTableWidget:
        table = QTableWidget(len(names), 2)
        table.setHorizontalHeaderLabels(["Input", "Value (empty: the flow's default)"])
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setStretchLastSection(True)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for row, name in enumerate(names):
            label = QTableWidgetItem(name)
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            label.setToolTip(f"type: {self.input_types[name]}")
            table.setItem(row, 0, label)
            table.setItem(row, 1, QTableWidgetItem(""))
        table.resizeColumnToContents(0)
        rows = min(6, max(1, len(names)))
        table.setFixedHeight(rows * table.verticalHeader().defaultSectionSize()
                             + table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 2)
        return table

    def _input_values(self) -> dict[str, Any]:
        """The typed values in the inputs table (a watch's path input is the trigger's to fill)."""
        values: dict[str, Any] = {}
        skip = self.input.currentText().strip() if self.kind.currentData() == "watch" else None
        for row in range(self.inputs.rowCount()):
            name = self.inputs.item(row, 0).text()
            text = self.inputs.item(row, 1).text().strip()
            if not text or name == skip:
                continue
            values[name] = _typed_input(name, self.input_types.get(name, "any"), text)
        return values

    def _missed_changed(self) -> None:
        self.form.setRowVisible(self.missed_limit, self.missed.currentData() == "run_all")

    # ----- values ----------------------------------------------------------------------

    def set_trigger(self, trigger: Any) -> None:
        """Fill the form from a trigger model."""
        _choose(self.kind, trigger.kind)
        self.title.setText(trigger.title)
        _choose(self.missed, trigger.missed)
        _choose(self.overlap, trigger.overlap)
        self.missed_limit.setValue(trigger.missed_limit)
        self.jitter.setValue(round(trigger.jitter_s))
        for row in range(self.inputs.rowCount()):
            name = self.inputs.item(row, 0).text()
            self.inputs.item(row, 1).setText(_shown(trigger.inputs.get(name)))
        zone = getattr(trigger, "timezone", None)
        if zone:
            self.timezone.setCurrentText(zone)
        if trigger.kind == "cron":
            self.cron.setCurrentText(trigger.cron)
        elif trigger.kind == "interval":
            name, size = next(((n, s) for n, s in reversed(UNITS) if trigger.every_s % s == 0), UNITS[0])
            self.every.setValue(max(1, int(trigger.every_s // size)))
            _choose(self.unit, name)
        elif trigger.kind == "once":
            self.at.setDateTime(QDateTime.fromString(trigger.at[:16], "yyyy-MM-ddTHH:mm"))
        elif trigger.kind == "watch":
            self.folder.setText(trigger.folder)
            self.pattern.setText(trigger.pattern)
            self.input.setCurrentText(trigger.input)
            _choose(self.on, trigger.on)
        elif trigger.kind == "startup":
            self.delay.setValue(int(trigger.delay_s))

    def raw(self) -> dict[str, Any]:
        """The trigger as a dict, from the form (values for inputs the flow no longer has are dropped:
        a run would refuse them)."""
        kind = self.kind.currentData()
        data: dict[str, Any] = {
            "kind": kind, "title": self.title.text().strip(), "missed": self.missed.currentData(),
            "missed_limit": self.missed_limit.value(), "overlap": self.overlap.currentData(),
            "jitter_s": float(self.jitter.value()), "inputs": self._input_values()}
        zone = self.timezone.currentText().strip() or None
        if kind == "cron":
            data.update(cron=self.cron.currentText().strip(), timezone=zone)
        elif kind == "interval":
            data["every_s"] = self.every.value() * dict(UNITS)[self.unit.currentData()]
        elif kind == "once":
            data.update(at=self.at.dateTime().toString("yyyy-MM-ddTHH:mm"), timezone=zone)
        elif kind == "watch":
            data.update(folder=self.folder.text().strip(), pattern=self.pattern.text().strip() or "*",
                        input=self.input.currentText().strip(), on=self.on.currentData())
        else:
            data["delay_s"] = self.delay.value()
        return data

    def trigger(self) -> Any:
        """The trigger model; ValueError with a readable message when something is wrong."""
        try:
            return _ADAPTER.validate_python(self.raw())
        except ValidationError as exc:
            item = exc.errors()[0]
            field = str(item["loc"][-1]) if item["loc"] else ""
            message = item["msg"].removeprefix("Value error, ")
            raise ValueError(f"{field}: {message}" if field else message) from None

    # ----- reacting --------------------------------------------------------------------

    def _kind_changed(self) -> None:
        shown = self.kind_rows[self.kind.currentData()]
        for widget in {w for widgets in self.kind_rows.values() for w in widgets}:
            self.form.setRowVisible(widget, widget in shown)
        self.update_preview()

    def update_preview(self) -> str:
        """Show (and return) the next fire times or the problem; OK only when valid."""
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            trigger = self.trigger()
        except ValueError as exc:
            text = f"<span style='color:#dc2626'>{exc}</span>"
            ok.setEnabled(False)
        else:
            ok.setEnabled(True)
            zone = getattr(trigger, "timezone", None)
            fires = next_fire_times(trigger, 3, after=dt.datetime.now(dt.UTC))
            text = f"<b>{describe_plain(trigger)}</b>"
            if fires:
                text += "<br>Next: " + " · ".join(format_fire(f, zone) for f in fires)
        self.preview.setText(text)
        return text
