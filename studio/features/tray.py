"""The tray icon: the background service's state, a small menu, and a desktop notification
when a scheduled run fails (a click on it opens that run in the studio).

The logic lives in `TrayController` and `FailureWatcher` and works without a system tray
(offscreen there is none): the notifier is injectable, and the real `QSystemTrayIcon` is
only made when `QSystemTrayIcon.isSystemTrayAvailable()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from runtime.api import HistoryStore, ScheduleManager, ServiceStatus, data_paths
from studio.features.history import history_of
from studio.features.schedules import show_schedules
from studio.icons import icon

__all__ = ["FAILED_STATES", "POLL_MS", "FailureWatcher", "TrayController", "install", "tray_of"]

POLL_MS = 10_000
FAILED_STATES = ("FAILED", "CRASHED")
SCHEDULED = "schedule:"
Notifier = Callable[[str, str, str], None]
"""notify(title, message, run_id)."""


class FailureWatcher:
    """Finds scheduled runs (trigger `schedule:…`) that failed since it last looked.

    Failures already in the history when it starts are taken as seen, so opening the
    studio does not replay old news; each failed run is reported once.
    """

    def __init__(self, limit: int = 50):
        self.limit = limit
        self.seen: set[str] = set()
        self.seen.update(run["id"] for run in self._failed())

    def _failed(self) -> list[dict[str, Any]]:
        store = HistoryStore(data_paths().history_db)
        try:
            runs = [run for status in FAILED_STATES
                    for run in store.list_runs(status=status, limit=self.limit)]
        finally:
            store.close()
        runs = [run for run in runs if str(run.get("trigger") or "").startswith(SCHEDULED)]
        return sorted(runs, key=lambda run: run.get("started") or 0)

    def poll(self) -> list[dict[str, Any]]:
        """Failed scheduled runs not reported before, oldest first."""
        new = [run for run in self._failed() if run["id"] not in self.seen]
        self.seen.update(run["id"] for run in new)
        return new


def state_icon(running: bool) -> QIcon:
    return icon("clock", "#16a34a" if running else "#9ca3af")


def describe_service(status: ServiceStatus) -> str:
    if status.running:
        return f"Loomwork service running (pid {status.pid})"
    return "Loomwork service not running — start it with `loomwork service run`"


class TrayController(QObject):
    """Polls the service state and failed scheduled runs; notifies and opens runs."""

    def __init__(self, window: Any, *, notifier: Notifier | None = None, use_tray: bool | None = None):
        super().__init__(window)
        self.window = window
        self.watcher = FailureWatcher()
        self.tray: QSystemTrayIcon | None = None
        if use_tray if use_tray is not None else QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = self._make_tray()
        self.notifier: Notifier = notifier or self._notify
        self.notified: list[str] = []  # run ids, in the order they were reported
        self.running: bool | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.update_service()

    def _make_tray(self) -> QSystemTrayIcon:
        tray = QSystemTrayIcon(state_icon(False), self)
        menu = QMenu()
        menu.addAction("Open Loomwork", self.show_window)
        menu.addAction("Schedules", lambda: (self.show_window(), show_schedules(self.window)))
        menu.addAction("Service status", self.show_service_status)
        tray.setContextMenu(menu)
        self._menu = menu  # the tray does not own its menu
        tray.messageClicked.connect(lambda: self.activate(self.notified[-1]) if self.notified else None)
        tray.activated.connect(lambda reason: self.show_window()
                               if reason == QSystemTrayIcon.ActivationReason.Trigger else None)
        tray.show()
        return tray

    # ----- polling ---------------------------------------------------------------------

    def poll(self) -> list[dict[str, Any]]:
        """Update the service state and report newly failed scheduled runs."""
        self.update_service()
        try:
            failed = self.watcher.poll()
        except Exception as exc:  # a locked or missing database must not stop the studio
            self.window.statusBar().showMessage(f"Could not read run history: {exc}", 8000)
            return []
        for run in failed:
            self.notified.append(run["id"])
            name = run.get("flow_name") or run.get("flow_path") or "a flow"
            error = str(run.get("error") or "").splitlines()
            self.notifier(f"Scheduled run failed: {name}",
                          (error[0][:200] if error else run["status"].lower()) + " — click to open the run",
                          run["id"])
        return failed

    def update_service(self) -> ServiceStatus:
        with ScheduleManager(data_paths()) as manager:
            status = manager.service_status()
        if self.tray is not None and status.running != self.running:
            self.tray.setIcon(state_icon(status.running))
        if self.tray is not None:
            self.tray.setToolTip(describe_service(status))
        self.running = status.running
        self.status = status
        return status

    # ----- acting ----------------------------------------------------------------------

    def _notify(self, title: str, message: str, _run_id: str) -> None:
        if self.tray is not None:
            self.tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Warning, 15000)
        else:
            self.window.statusBar().showMessage(f"{title}: {message}", 15000)

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def show_service_status(self) -> None:
        text = describe_service(self.update_service())
        if self.tray is not None:
            self.tray.showMessage("Loomwork service", text, QSystemTrayIcon.MessageIcon.Information, 8000)
        else:
            self.window.statusBar().showMessage(text, 8000)

    def activate(self, run_id: str) -> bool:
        """Open the run's flow and show the run on its canvas (a notification's click)."""
        store = HistoryStore(data_paths().history_db)
        try:
            run = store.get_run(run_id)
        finally:
            store.close()
        if run is None:
            return False
        self.show_window()
        flow_path = str(run.get("flow_path") or "")
        if flow_path and not flow_path.startswith("unsaved:") and self.window.open_path(flow_path) is None:
            return False
        history = history_of(self.window)
        return bool(history is not None and history.open_run(run_id))


def tray_of(window: Any) -> TrayController | None:
    return window.findChild(TrayController)


def install(window: Any) -> None:
    TrayController(window)
