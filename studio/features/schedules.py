"""Schedules: a panel of the current flow's triggers and their state on this machine.

Adding, editing and removing a trigger are undoable edits of the flow document (the file
carries them once saved). Enabling, pausing and "run now" act on this machine's schedule
database through `ScheduleManager`; they work on the saved file, so a new or modified
flow is saved first (the question is injectable: `ask_save`). The form opens through the
injectable `run_dialog(dialog) -> bool`, so tests fill it without a modal loop.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDialog, QDockWidget, QMessageBox

from runtime.api import (
    TRIGGER_PREFIX,
    AddTrigger,
    EditError,
    RemoveTrigger,
    ScheduleError,
    ScheduleInfo,
    ScheduleManager,
    SetTrigger,
    TriggerAdded,
    TriggerChanged,
    TriggerRemoved,
    data_paths,
    new_id,
    schedule_key,
)
from studio.editor import FlowEditor
from studio.features.history import history_of
from studio.history_panel import format_time
from studio.schedule_dialog import ScheduleDialog
from studio.schedules_panel import ScheduleRow, SchedulesPanel, describe_plain, format_fire
from studio.undo import push_edit

__all__ = ["SchedulesController", "install", "install_service_command", "schedules_of", "show_schedules"]

REFRESH_MS = 10_000
TRIGGER_EVENTS = (TriggerAdded, TriggerChanged, TriggerRemoved)


def install_service_command() -> list[str]:
    """`loomwork service install`, run with this interpreter."""
    return [sys.executable, "-m", "runtime.cli.main", "service", "install"]


def _install_service() -> str:
    done = subprocess.run(install_service_command(), capture_output=True, text=True, timeout=120)
    return (done.stdout + done.stderr).strip() or f"exit status {done.returncode}"


class SchedulesController(QObject):
    """One per main window: keeps the panel in step with the current editor and acts on it."""

    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.panel = SchedulesPanel()
        self.run_dialog: Callable[[ScheduleDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.ask_save: Callable[[str], bool] = self._ask_save
        self.install_service: Callable[[], str] = _install_service
        self.requests: list[str] = []  # fire ids of "run now" requests, newest last
        self.panel.action_requested.connect(self.act)
        self.panel.open_run_requested.connect(self.open_run)
        window.current_editor_changed.connect(self._follow)
        self._followed: FlowEditor | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(lambda: self.refresh() if self.panel.isVisible() else None)
        self.timer.start()

    def _manager(self) -> ScheduleManager:
        return ScheduleManager(data_paths())

    def _follow(self, editor: FlowEditor | None) -> None:
        if self._followed is not None:
            try:
                self._followed.state_changed.disconnect(self.refresh)
            except (RuntimeError, TypeError):
                pass
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._followed = editor
        if editor is not None:
            editor.state_changed.connect(self.refresh)  # saved, modified, undone
            self._unsubscribe = editor.document.subscribe(
                lambda event: self.refresh() if isinstance(event, TRIGGER_EVENTS) else None)
        self.refresh()

    # ----- showing ---------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the current flow's triggers and their state (a fresh connection each time)."""
        editor = self.window.current_editor()
        with self._manager() as manager:
            self._show_service(manager)
            if editor is None:
                self.panel.set_rows([], "No flow open.", can_add=False)
                return
            infos: dict[str, ScheduleInfo] = {}
            if editor.path is not None and editor.path.exists():
                try:
                    infos = {i.key: i for i in manager.list([editor.path])}
                except ScheduleError as exc:
                    self.panel.set_rows([], f"The flow file cannot be read: {exc}")
                    return
        triggers = editor.document.flow.triggers
        rows = [self._row(editor, tid, trigger, infos) for tid, trigger in sorted(triggers.items())]
        caption = "" if rows else "No schedules yet: add one to run this flow on its own."
        if editor.path is None:
            caption = "Save the flow to schedule it: schedules refer to the flow file."
        elif editor.modified and rows:
            caption = "Unsaved changes: schedules fire the saved file — save, then enable again."
        self.panel.set_rows(rows, caption)

    @staticmethod
    def _row(editor: FlowEditor, tid: str, trigger: Any, infos: dict[str, ScheduleInfo]) -> ScheduleRow:
        text = (f"{trigger.title}: " if trigger.title else "") + describe_plain(trigger)
        info = infos.get(schedule_key(editor.path, tid)) if editor.path is not None else None
        if info is None or info.state == "trigger_missing":
            return ScheduleRow(tid, text, "unsaved", "save the flow to schedule this trigger")
        zone = getattr(trigger, "timezone", None)
        last = info.last_run
        last_text = ""
        if last is not None:
            when = last.finished or last.fire_time
            last_text = f"{last.status.lower()} {format_time(when.timestamp()) if when else ''}".strip()
        fires = [format_fire(f, zone) for f in info.next_fires]
        return ScheduleRow(tid, text, info.state, info.problem, fires, last.run_id if last else None,
                           last.status if last else "", last_text,
                           (last.error.splitlines() or [""])[0][:300] if last else "",
                           info.missed_count)

    def _show_service(self, manager: ScheduleManager) -> None:
        status = manager.service_status()
        if status.running:
            beat = f", last heartbeat {format_time(status.heartbeat.timestamp())}" if status.heartbeat else ""
            text = f"Service: running (pid {status.pid}{beat})"
            text += " — starts at login" if status.installed else ""
        else:
            text = ("Service: not running — enabled schedules fire only while it runs. Start it with "
                    "<code>loomwork service run</code>")
            text += (" (it is installed to start at login)" if status.installed else
                     ", or start it at login with <code>loomwork service install</code>")
        self.panel.set_service(text, can_install=not status.installed)
        self.service = status

    # ----- acting ----------------------------------------------------------------------

    def act(self, name: str) -> None:
        handlers: dict[str, Callable[[], object]] = {
            "add": self.add, "edit": self.edit, "remove": self.remove, "enable": self.enable,
            "disable": self.disable, "pause": self.pause, "resume": self.resume, "run_now": self.run_now,
            "install": self.install,
        }
        handlers[name]()

    def _dialog(self, editor: FlowEditor, trigger: Any = None) -> Any:
        declared = editor.document.flow.inputs
        dialog = ScheduleDialog(self.window, trigger=trigger,
                                flow_inputs={name: str(port.type) for name, port in sorted(declared.items())})
        try:
            if not self.run_dialog(dialog):
                return None
            return dialog.trigger()
        except ValueError as exc:
            self._status(f"Schedule not saved: {exc}")
            return None
        finally:
            dialog.deleteLater()

    def _push(self, editor: FlowEditor, edit: Any, text: str) -> bool:
        try:
            push_edit(editor.undo, editor.document, edit, text)
        except EditError as exc:
            self._status(str(exc))
            return False
        self.refresh()
        return True

    def add(self) -> str | None:
        """Ask for a trigger and add it to the flow (undoable); returns its id."""
        editor = self.window.current_editor()
        if editor is None:
            return None
        trigger = self._dialog(editor)
        if trigger is None:
            return None
        tid = new_id(TRIGGER_PREFIX)
        while tid in editor.document.flow.triggers:
            tid = new_id(TRIGGER_PREFIX)
        if not self._push(editor, AddTrigger(tid, trigger), "Add schedule"):
            return None
        self.panel.select(tid)
        self._status("Schedule added — save the flow, then enable it to let it fire on this machine.")
        return tid

    def _selected(self) -> tuple[FlowEditor, str] | None:
        editor, tid = self.window.current_editor(), self.panel.selected_id()
        if editor is None or tid is None or tid not in editor.document.flow.triggers:
            return None
        return editor, tid

    def edit(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        editor, tid = chosen
        trigger = self._dialog(editor, editor.document.flow.triggers[tid])
        if trigger is not None and trigger != editor.document.flow.triggers[tid]:
            self._push(editor, SetTrigger(tid, trigger), "Change schedule")

    def remove(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self._push(chosen[0], RemoveTrigger(chosen[1]), "Remove schedule")

    def _saved(self, editor: FlowEditor, doing: str) -> bool:
        """Whether the file on disk is the flow in the editor, saving it when asked to."""
        if editor.path is not None and not editor.modified:
            return True
        why = "has never been saved" if editor.path is None else "has unsaved changes"
        if not self.ask_save(f"This flow {why}. Schedules run the saved file: save it and {doing}?"):
            return False
        return bool(self.window.save_current()) and not editor.modified

    def _on_machine(self, verb: str, call: Callable[[ScheduleManager, Any, str], object], done: str,
                    *, save: bool = False) -> bool:
        chosen = self._selected()
        if chosen is None:
            return False
        editor, tid = chosen
        if save and not self._saved(editor, verb):
            return False
        if editor.path is None:
            self._status("Save the flow first: schedules refer to the flow file.")
            return False
        try:
            with self._manager() as manager:
                call(manager, editor.path, tid)
        except ScheduleError as exc:
            self._status(f"Cannot {verb}: {exc}")
            self.refresh()
            return False
        self.refresh()
        self._status(done)
        return True

    def enable(self) -> bool:
        return self._on_machine("enable it", lambda m, p, t: m.enable(p, [t]),
                                "Schedule enabled on this machine.", save=True)

    def disable(self) -> bool:
        return self._on_machine("disable it", lambda m, p, t: m.disable(p, [t]), "Schedule disabled.")

    def pause(self) -> bool:
        return self._on_machine("pause it", lambda m, p, t: m.pause(p, [t]), "Schedule paused.")

    def resume(self) -> bool:
        return self._on_machine("resume it", lambda m, p, t: m.resume(p, [t]), "Schedule resumed.")

    def run_now(self) -> bool:
        def request(manager: ScheduleManager, path: Any, tid: str) -> None:
            self.requests.append(manager.run_now(path, tid))

        hint = "" if getattr(self, "service", None) and self.service.running else \
            " The service is not running: start it with `loomwork service run`."
        return self._on_machine("run it now", request,
                                "Run requested: the background service starts it." + hint, save=True)

    def install(self) -> None:
        try:
            output = self.install_service()
        except (OSError, subprocess.SubprocessError) as exc:
            output = f"could not run `loomwork service install`: {exc}"
        self._status(output.splitlines()[-1] if output else "")
        self.refresh()

    def open_run(self, run_id: str) -> bool:
        history = history_of(self.window)
        return bool(history is not None and history.open_run(run_id))

    def _ask_save(self, question: str) -> bool:
        answer = QMessageBox.question(self.window, "Save the flow?", question,
                                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Save

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 12000)


def schedules_of(window: Any) -> SchedulesController | None:
    return window.findChild(SchedulesController)


def show_schedules(window: Any) -> None:
    """Show and raise the Schedules dock."""
    dock = window.findChild(QDockWidget, "dock-schedules")
    if dock is not None:
        dock.show()
        dock.raise_()
    controller = schedules_of(window)
    if controller is not None:
        controller.refresh()


def install(window: Any) -> None:
    """Add the Schedules dock (tabbed with the Run history) and its menu entries."""
    controller = SchedulesController(window)
    dock = window.add_dock(controller.panel, "Schedules", Qt.DockWidgetArea.BottomDockWidgetArea)
    history = window.findChild(QDockWidget, "dock-run history")
    if history is not None:
        window.tabifyDockWidget(history, dock)
    log = window.findChild(QDockWidget, "dock-run log")
    if log is not None:
        log.raise_()
    window.add_action("view", "&Schedules", lambda: show_schedules(window))
    if "run" in window.menus:
        window.menus["run"].addSeparator()
        window.add_action("run", "Add &schedule…", lambda: (show_schedules(window), controller.add()))
    controller.refresh()
