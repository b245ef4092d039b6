"""The Schedules panel: a flow's triggers with their state on this machine, next fire
times, last outcome and missed runs, and a line about the background service (a view only;
the schedules feature fills it and acts on its signals)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from runtime.api import local_zone_name, parse_cron

__all__ = ["STATE_TEXT", "ScheduleRow", "SchedulesPanel", "describe_plain", "format_fire"]

COLUMNS = ("Schedule", "State", "Next run", "Last run", "Missed")
LAST_RUN_COLUMN = 3
KEY_ROLE = Qt.ItemDataRole.UserRole
STATE_TEXT = {
    "enabled": "enabled", "paused": "paused", "disabled": "off", "needs_reenable": "needs re-enabling",
    "unsaved": "not saved yet", "flow_missing": "flow file missing", "trigger_missing": "not in the file",
    "invalid": "invalid",
}
STATE_COLORS = {"enabled": "#16a34a", "paused": "#d97706", "needs_reenable": "#dc2626", "invalid": "#dc2626",
                "unsaved": "#6b7280", "disabled": "#6b7280"}
_DAYS = ("Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays")


def _hhmm(hour: str, minute: str) -> str | None:
    return f"{int(hour):02d}:{int(minute):02d}" if hour.isdigit() and minute.isdigit() else None


def _cron_words(expr: str) -> str:
    minute, hour, dom, month, dow = expr.split()
    if minute.startswith("*/") and (hour, dom, month, dow) == ("*", "*", "*", "*"):
        return f"Every {minute[2:]} minutes"
    if hour.startswith("*/") and (dom, month, dow) == ("*", "*", "*") and minute.isdigit():
        return f"Every {hour[2:]} hours" + (f" at :{int(minute):02d}" if int(minute) else "")
    if hour == "*" and minute.isdigit() and (dom, month, dow) == ("*", "*", "*"):
        return f"Every hour at :{int(minute):02d}"
    at = _hhmm(hour, minute)
    if at is None or month != "*":
        return f"Cron {expr}"
    if dom == "*":
        if dow == "*":
            return f"Every day at {at}"
        if dow in ("1-5", "MON-FRI", "mon-fri"):
            return f"Weekdays at {at}"
        if dow in ("0,6", "6,0", "6-7", "SAT,SUN"):
            return f"Weekends at {at}"
        if dow.isdigit():
            return f"{_DAYS[int(dow) % 7]} at {at}"
    elif dow == "*" and dom.isdigit():
        return f"Monthly on day {dom} at {at}"
    return f"Cron {expr}"


def _duration(seconds: float) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds:g} s"


def describe_plain(trigger: object) -> str:
    """What a trigger does, in words: "Weekdays at 08:00 (Europe/Berlin)"."""
    kind = getattr(trigger, "kind", "")
    zone = getattr(trigger, "timezone", None)
    where = f" ({zone})" if zone else f" (this machine: {local_zone_name()})"
    if kind == "cron":
        try:
            text = _cron_words(parse_cron(trigger.cron).expr)  # type: ignore[attr-defined]
        except ValueError:
            text = f"Cron {trigger.cron}"  # type: ignore[attr-defined]
        return text + where
    if kind == "interval":
        start = f" from {trigger.start}" if trigger.start else ""  # type: ignore[attr-defined]
        return f"Every {_duration(trigger.every_s)}{start}"  # type: ignore[attr-defined]
    if kind == "once":
        return f"Once on {trigger.at.replace('T', ' at ')}" + where  # type: ignore[attr-defined]
    if kind == "watch":
        what = "New" if trigger.on == "created" else "New or changed"  # type: ignore[attr-defined]
        return (f"{what} files {trigger.pattern} in {trigger.folder}"  # type: ignore[attr-defined]
                f" → input '{trigger.input}'")  # type: ignore[attr-defined]
    if kind == "startup":
        delay = getattr(trigger, "delay_s", 0)
        return "When the service starts (at login)" + (f", after {_duration(delay)}" if delay else "")
    return kind or "?"


def format_fire(when: dt.datetime, zone: str | None = None) -> str:
    """A fire time in the trigger's zone (or this machine's): "Mon 02 Mar 2026 08:00"."""
    local = when.astimezone(ZoneInfo(zone)) if zone else when.astimezone()
    return local.strftime("%a %d %b %Y %H:%M")


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """What the panel shows for one trigger (filled by the schedules feature)."""

    trigger_id: str
    description: str
    state: str
    problem: str = ""
    next_fires: list[str] = field(default_factory=list)
    last_run_id: str | None = None
    last_status: str = ""
    last_text: str = ""
    last_error: str = ""
    missed: int = 0


class SchedulesPanel(QWidget):
    """The list of schedules, details of the selected one, buttons and the service line.

    Signals: `action_requested(name)` with name one of add, edit, remove, enable, disable,
    pause, resume, run_now, install; `open_run_requested(run_id)`; `selection_changed()`.
    """

    action_requested = Signal(str)
    open_run_requested = Signal(str)
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: dict[str, ScheduleRow] = {}
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setHeaderLabels(list(COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.currentItemChanged.connect(lambda *_: self._selected())
        self.list.itemDoubleClicked.connect(self._double_clicked)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for name, text, tip in (
            ("add", "Add schedule…", "Add a trigger to this flow (an undoable edit; save to keep it)"),
            ("edit", "Edit…", "Change the selected schedule"),
            ("remove", "Remove", "Remove the selected schedule from the flow"),
            ("enable", "Enable", "Let the background service fire this schedule on this machine"),
            ("disable", "Disable", "Stop firing this schedule on this machine"),
            ("pause", "Pause", "Hold this schedule without forgetting it"),
            ("run_now", "Run now", "Ask the background service to run the flow now"),
            ("open_run", "Open last run", "Show the last run of this schedule on the canvas"),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _c=False, n=name: self._clicked(n))
            self.buttons[name] = button
            bar.addWidget(button)
        bar.addStretch(1)
        self.service_label = QLabel()
        self.service_label.setWordWrap(True)
        self.service_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.install_button = QPushButton("Install service")
        self.install_button.setToolTip("Start the background service at login (loomwork service install)")
        self.install_button.clicked.connect(lambda: self.action_requested.emit("install"))
        service = QHBoxLayout()
        service.addWidget(self.service_label, 1)
        service.addWidget(self.install_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.caption)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.details)
        layout.addLayout(bar)
        layout.addLayout(service)
        self.set_rows([], "No flow open.")

    # ----- filling ---------------------------------------------------------------------

    def set_rows(self, rows: list[ScheduleRow], caption: str = "", *, can_add: bool = True) -> None:
        """Show `rows`, keeping the selected trigger selected when it is still there."""
        keep = self.selected_id()
        self.rows = {row.trigger_id: row for row in rows}
        self.caption.setText(caption)
        self.caption.setVisible(bool(caption))
        self.list.clear()
        for row in rows:
            state = STATE_TEXT.get(row.state, row.state)
            item = QTreeWidgetItem([row.description, state, row.next_fires[0] if row.next_fires else "—",
                                    row.last_text or "—", str(row.missed) if row.missed else ""])
            item.setData(0, KEY_ROLE, row.trigger_id)
            item.setForeground(1, QColor(STATE_COLORS.get(row.state, "#6b7280")))
            if row.problem:
                item.setToolTip(1, row.problem)
            if row.last_run_id:
                error = f"\n{row.last_error}" if row.last_error else ""
                item.setToolTip(LAST_RUN_COLUMN, f"run {row.last_run_id} — double-click to open it{error}")
                if row.last_status in ("FAILED", "CRASHED", "INVALID"):
                    item.setForeground(LAST_RUN_COLUMN, QColor("#dc2626"))
            self.list.addTopLevelItem(item)
        self.buttons["add"].setEnabled(can_add)
        if self.list.topLevelItemCount():
            ids = list(self.rows)
            self.list.setCurrentItem(self.list.topLevelItem(ids.index(keep) if keep in ids else 0))
        self._selected()

    def set_service(self, text: str, *, can_install: bool) -> None:
        self.service_label.setText(text)
        self.install_button.setVisible(can_install)

    # ----- reading ---------------------------------------------------------------------

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(0, KEY_ROLE) if item is not None else None

    def selected(self) -> ScheduleRow | None:
        tid = self.selected_id()
        return self.rows.get(tid) if tid else None

    def select(self, trigger_id: str) -> None:
        for i in range(self.list.topLevelItemCount()):
            if self.list.topLevelItem(i).data(0, KEY_ROLE) == trigger_id:
                self.list.setCurrentItem(self.list.topLevelItem(i))

    def states(self) -> dict[str, str]:
        """trigger id -> the state as shown."""
        return {tid: STATE_TEXT.get(row.state, row.state) for tid, row in self.rows.items()}

    # ----- reacting --------------------------------------------------------------------

    def _clicked(self, name: str) -> None:
        row = self.selected()
        if name == "open_run":
            if row is not None and row.last_run_id:
                self.open_run_requested.emit(row.last_run_id)
        elif name == "pause" and row is not None and row.state == "paused":
            self.action_requested.emit("resume")
        else:
            self.action_requested.emit(name)

    def _double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        row = self.rows.get(item.data(0, KEY_ROLE))
        if row is not None and column == LAST_RUN_COLUMN and row.last_run_id:
            self.open_run_requested.emit(row.last_run_id)
        else:
            self.action_requested.emit("edit")

    def _selected(self) -> None:
        row = self.selected()
        has = row is not None
        for name in ("edit", "remove"):
            self.buttons[name].setEnabled(has)
        state = row.state if row is not None else ""
        saved = has and state not in ("unsaved", "trigger_missing", "flow_missing", "invalid")
        self.buttons["enable"].setEnabled(saved and state in ("disabled", "needs_reenable"))
        self.buttons["enable"].setText("Enable again" if state == "needs_reenable" else "Enable")
        self.buttons["disable"].setEnabled(saved and state in ("enabled", "paused", "needs_reenable"))
        self.buttons["pause"].setEnabled(state in ("enabled", "paused"))
        self.buttons["pause"].setText("Resume" if state == "paused" else "Pause")
        self.buttons["run_now"].setEnabled(saved)
        self.buttons["open_run"].setEnabled(bool(row and row.last_run_id))
        self.details.setText(self._details(row))
        self.selection_changed.emit()

    @staticmethod
    def _details(row: ScheduleRow | None) -> str:
        if row is None:
            return ""
        parts = [f"<b>{escape(row.description)}</b> — {STATE_TEXT.get(row.state, row.state)}"]
        if row.problem:
            parts.append(f"<span style='color:#dc2626'>{escape(row.problem)}</span>")
        if row.next_fires:
            parts.append("Next runs: " + " · ".join(row.next_fires))
        if row.last_text:
            error = escape(row.last_error)
            error = f" — <span style='color:#dc2626'>{error}</span>" if error else ""
            parts.append(f"Last run: {row.last_text}{error}")
        if row.missed:
            parts.append(f"Missed runs: {row.missed}")
        return "<br>".join(parts)
