"""Run history: a panel of the current flow's past runs; opening one shows its node
states on the canvas (read-only) until "Back to current"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget

from runtime.api import HistoryStore, check_flow, data_paths
from studio.canvas.items.node_item import RunMark
from studio.editor import FlowEditor
from studio.features.run import controller_of
from studio.history_panel import HistoryPanel, format_time
from studio.run.log_panel import LogLine
from studio.run.overlay import FLOW_EDITS

__all__ = ["HistoryController", "changes_since", "flow_key", "history_of", "install", "log_lines"]

LIMIT = 200


def flow_key(editor: FlowEditor) -> str:
    """How the run history names the editor's flow (as `Runner.run` records it)."""
    if editor.path is not None:
        return str(editor.path.resolve())
    return f"unsaved:{editor.document.flow.name}"


class HistoryController(QObject):
    """One per main window: keeps the panel in step with the current editor and opens runs.

    A past run is shown on the current editor only: switching tabs, starting a run or
    editing the flow (moving nodes aside) leaves it and brings back the editor's own marks.
    """

    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.panel = HistoryPanel()
        self.viewing: tuple[FlowEditor, str] | None = None
        self._saved: tuple[dict[str, RunMark], dict[str, dict[str, int]]] = ({}, {})
        self._unsubscribe: Callable[[], None] | None = None
        self._message = ""
        self.panel.filter_changed.connect(lambda _s: self.refresh())
        self.panel.open_requested.connect(self.open_run)
        self.panel.back_requested.connect(self.back_to_current)
        window.current_editor_changed.connect(self._current_changed)
        run = controller_of(window)
        if run is not None:
            run.run_finished.connect(self._on_run_finished)
            run.run_starting.connect(lambda _editor: self.back_to_current(quiet=True, reshow=False))

    def _store(self) -> HistoryStore:
        return HistoryStore(data_paths().history_db)

    def _current_changed(self, editor: FlowEditor | None) -> None:
        if self.viewing is not None and self.viewing[0] is not editor:
            self.back_to_current(quiet=True)
        self.refresh()

    def refresh(self) -> None:
        """Reload the current editor's runs (a fresh connection each time)."""
        editor = self.window.current_editor()
        self.panel.back_button.setEnabled(self.viewing is not None and self.viewing[0] is editor)
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
        overlay.apply()  # what is still queued belongs to the live marks
        self._saved = (dict(overlay.marks), dict(overlay.items))
        overlay.clear()
        run_nodes = {n["node_id"]: n for n in run["nodes"] if "/" not in n["node_id"]}
        evidence = {e["node_id"]: tuple((e.get("evidence") or {}).items())
                    for e in events if e["kind"] == "node_failed" and e.get("node_id")}
        for node_id, node in run_nodes.items():
            cached = bool(node.get("cached"))
            pinned = bool(node.get("pinned"))
            message = node.get("error") or ("pinned data used" if pinned else
                                            "from the cache" if cached else "")
            overlay.items[node_id] = node.get("items") or {}
            overlay.set_state(node_id, RunMark(node["state"], cached=cached, pinned=pinned, message=message,
                                               evidence=evidence.get(node_id, ())))
        self.viewing = (editor, run_id)
        self._unsubscribe = editor.document.subscribe(self._on_document_event)
        run_control.feed.past = (editor, run_id)
        titles = {nid: item.look.title for nid, item in editor.scene.nodes.items()}
        run_control.log.show_past(log_lines(events, titles),
                                  f"Run {run_id} ({run.get('status', '').lower()}):")
        selected = editor.scene.selected_node_ids()
        if len(selected) == 1:
            run_control.show_outputs(editor, selected)
        else:
            run_control.feed.clear("Select a node to see what it produced in this run")
        self.panel.back_button.setEnabled(True)
        changed = changes_since(editor, run_nodes, run.get("node_digests"))
        self._message = (f"Showing run {run_id} from {format_time(run.get('started'))} (read-only; an edit "
                         f"goes back to the current state) — {changed}")
        self._status(self._message, timeout=0)
        return True

    def back_to_current(self, quiet: bool = False, reshow: bool = True) -> None:
        """Hide the opened run and restore the editor's own (live) run states (and, with
        `reshow`, the selected node's values of its last run)."""
        if self.viewing is None:
            return
        editor, _run_id = self.viewing
        self.viewing = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.panel.back_button.setEnabled(False)
        run_control = controller_of(self.window)
        if run_control is not None:
            run_control.feed.past = None
            run_control.log.show_live()
            shown = run_control.feed.shown
            if shown is None or shown[0] is editor:  # another tab's values may be on their way
                run_control.feed.clear("Select a node to see its last run's values")
        if run_control is not None and editor in run_control.overlays:
            overlay = run_control.overlays[editor]
            overlay.clear()
            marks, items = self._saved
            overlay.items.update(items)
            for node_id, mark in marks.items():
                overlay.set_state(node_id, mark)
            if reshow and editor is self.window.current_editor():
                run_control.show_outputs(editor, editor.scene.selected_node_ids())
        self._saved = ({}, {})
        bar = self.window.statusBar()
        if not quiet or bar.currentMessage() == self._message:
            bar.clearMessage()
        self._message = ""

    def _on_document_event(self, event: object) -> None:
        """An edit while a past run is shown: back to the current state (moves do not count)."""
        if self.viewing is None or not isinstance(event, FLOW_EDITS):
            return
        run_id = self.viewing[1]
        self.back_to_current(quiet=True)
        self._status(f"Left run {run_id}: the flow was edited, so the current state is shown again "
                     "(Ctrl+Z undoes the edit).")

    def _on_run_finished(self, _result: dict[str, Any]) -> None:
        self.refresh()

    def _status(self, text: str, timeout: int = 15000) -> None:
        self.window.statusBar().showMessage(text, timeout)


def changes_since(editor: FlowEditor, run_nodes: dict[str, dict[str, Any]],
                  past_digests: dict[str, list[str]] | None = None) -> str:
    """Which nodes differ between the flow now and a past run: added, removed, of another
    type, or configured differently (history keeps each node's type and config digest)."""
    flow = editor.document.flow.nodes
    past = past_digests or {}
    ran = set(run_nodes) | set(past)
    added = [n for n in flow if n not in ran]
    removed = [n for n in ran if n not in flow]

    def past_type(node_id: str) -> str:
        return (past[node_id][0] if node_id in past else run_nodes.get(node_id, {}).get("type_id")) or ""

    retyped = [n for n in flow if n in ran and past_type(n) and past_type(n) != flow[n].type]
    reconfigured: list[str] = []
    if past:
        plan, _problems = check_flow(editor.document.flow, editor.registry, flow_path=editor.path)
        if plan is not None:
            reconfigured = [n for n, planned in plan.nodes.items()
                            if n in past and n not in retyped and past[n][1] != planned.config_digest]
    parts = [f"{len(found)} {what}" for found, what in
             ((added, "added"), (removed, "removed"), (retyped, "of another type"),
              (reconfigured, "set up differently")) if found]
    if not parts:
        return "no nodes changed since" if past else "no nodes added or removed since"
    total = len(added) + len(removed) + len(retyped) + len(reconfigured)
    return f"{total} node{'s' if total != 1 else ''} changed since: {', '.join(parts)}"


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
