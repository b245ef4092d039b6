"""Run history: a panel of the current flow's past runs; opening one shows its node
states on the canvas (read-only) until "Back to current"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget

from runtime.api import HistoryStore, data_paths
from studio.canvas.items.node_item import RunMark
from studio.editor import FlowEditor
from studio.features.run import controller_of
from studio.history_panel import HistoryPanel, format_time
from studio.run.log_panel import LogLine

__all__ = ["HistoryController", "flow_key", "history_of", "install", "log_lines"]

LIMIT = 200


def flow_key(editor: FlowEditor) -> str:
    """How the run history names the editor's flow (as `Runner.run` records it)."""
    if editor.path is not None:
        return str(editor.path.resolve())
    return f"unsaved:{editor.document.flow.name}"


class HistoryController(QObject):
    """One per main window: keeps the panel in step with the current editor and opens runs."""

    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.panel = HistoryPanel()
        self.viewing: tuple[FlowEditor, str] | None = None
        self._saved: tuple[dict[str, RunMark], dict[str, dict[str, int]]] = ({}, {})
        self.panel.filter_changed.connect(lambda _s: self.refresh())
        self.panel.open_requested.connect(self.open_run)
        self.panel.back_requested.connect(self.back_to_current)
        window.current_editor_changed.connect(lambda _e: self.refresh())
        run = controller_of(window)
        if run is not None:
            run.run_finished.connect(self._on_run_finished)

    def _store(self) -> HistoryStore:
        return HistoryStore(data_paths().history_db)

    def refresh(self) -> None:
        """Reload the current editor's runs (a fresh connection each time)."""
        editor = self.window.current_editor()
        if editor is None:
            self.panel.set_runs([], "No flow open.")
            return
        store = self._store()
        try:
            runs = store.list_runs(flow_path=flow_key(editor), status=self.panel.status() or None,
                                   limit=LIMIT)
        finally:
            store.close()
        caption = f"{len(runs)} run{'s' if len(runs) != 1 else ''}" if runs else "No runs yet."
        self.panel.set_runs(runs, caption)

    def open_run(self, run_id: str) -> bool:
        """Show `run_id`'s node states on the current editor's canvas."""
        editor = self.window.current_editor()
        run_control = controller_of(self.window)
        if editor is None or run_control is None:
            return False
        store = self._store()
        try:
            run = store.get_run(run_id)
            events = store.events(run_id) if run is not None else []
        finally:
            store.close()
        if run is None:
            self._status(f"Run {run_id} is no longer in the history.")
            return False
        if self.viewing is not None:
            self.back_to_current(quiet=True)
        overlay = run_control.overlay(editor)
        self._saved = (dict(overlay.marks), dict(overlay.items))
        overlay.clear()
        run_nodes = {n["node_id"]: n for n in run["nodes"] if "/" not in n["node_id"]}
        for node_id, node in run_nodes.items():
            cached = bool(node.get("cached"))
            message = node.get("error") or ("from the cache" if cached else "")
            overlay.set_state(node_id, RunMark(node["state"], cached=cached, message=message))
        flow_nodes = set(editor.document.flow.nodes)
        changed = len(flow_nodes ^ set(run_nodes))
        self.viewing = (editor, run_id)
        run_control.past_run = run_id
        titles = {nid: item.look.title for nid, item in editor.scene.nodes.items()}
        run_control.log.show_past(log_lines(events, titles),
                                  f"Run {run_id} ({run.get('status', '').lower()}):")
        selected = editor.scene.selected_node_ids()
        if len(selected) == 1:
            run_control.show_outputs(editor, selected)
        else:
            run_control.viewer.set_value(None, title="Select a node to see what it produced in this run")
        editor.view.setInteractive(False)
        self.panel.back_button.setEnabled(True)
        noun = "node" if changed == 1 else "nodes"
        self._status(f"Showing run {run_id} from {format_time(run.get('started'))} — "
                     f"{changed} {noun} changed since", timeout=0)
        return True

    def back_to_current(self, quiet: bool = False) -> None:
        """Hide the opened run and restore the editor's own (live) run states."""
        if self.viewing is None:
            return
        editor, _run_id = self.viewing
        self.viewing = None
        self.panel.back_button.setEnabled(False)
        run_control = controller_of(self.window)
        if run_control is not None:
            run_control.past_run = None
            run_control.log.show_live()
            run_control.viewer.set_value(None, title="Select a node to see its last run's values")
        if run_control is not None and editor in run_control.overlays:
            overlay = run_control.overlays[editor]
            overlay.clear()
            marks, items = self._saved
            overlay.items.update(items)
            for node_id, mark in marks.items():
                overlay.set_state(node_id, mark)
        self._saved = ({}, {})
        editor.view.setInteractive(True)
        if not quiet:
            self.window.statusBar().clearMessage()

    def _on_run_finished(self, _result: dict[str, Any]) -> None:
        if self.viewing is not None:  # the new run painted its own states already
            self.viewing[0].view.setInteractive(True)
            self.viewing = None
            self._saved = ({}, {})
            self.panel.back_button.setEnabled(False)
        self.refresh()

    def _status(self, text: str, timeout: int = 15000) -> None:
        self.window.statusBar().showMessage(text, timeout)


def log_lines(events: list[dict[str, Any]], titles: dict[str, str]) -> list[LogLine]:
    """A past run's log, from the events kept in history."""
    lines = []
    for event in events:
        kind, node_id = event["kind"], event.get("node_id") or ""
        top = node_id.split("/")[0]
        title = f"{titles[top]} ({node_id})" if top in titles else node_id
        t = event.get("t") or 0.0
        if kind == "node_log":
            lines.append(LogLine(t, event.get("level", "info"), node_id, title, event.get("message", "")))
        elif kind == "node_failed":
            failed = event.get("state", "FAILED") == "FAILED"
            lines.append(LogLine(t, "error" if failed else "info", node_id, title,
                                 event.get("error", "") if failed else "cancelled"))
        elif kind == "run_started":
            lines.append(LogLine(t, "info", "", "", f"— run started ({event.get('trigger', 'manual')}) —"))
        elif kind == "run_finished":
            status = event.get("status", "")
            level = "error" if status in ("FAILED", "CRASHED") else "info"
            lines.append(LogLine(t, level, "", "", f"run {status} in {event.get('duration_ms', 0):.0f} ms"))
    return lines


def history_of(window: Any) -> HistoryController | None:
    return window.findChild(HistoryController)


def install(window: Any) -> None:
    """Add the Run history dock (tabbed with the Run log when there is one)."""
    controller = HistoryController(window)
    dock = window.add_dock(controller.panel, "Run history", Qt.DockWidgetArea.BottomDockWidgetArea)
    log = window.findChild(QDockWidget, "dock-run log")
    if log is not None:
        window.tabifyDockWidget(log, dock)
        log.raise_()
    controller.refresh()
