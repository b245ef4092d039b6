"""Running flows from the studio: Run, Run from node, Run node only, Stop, breakpoints
and stepping, live node states, a run log, and flow inputs asked for in a small form.

Flows run in a worker process (`runtime.worker`), never in the editor's process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QToolBar, QWidget

from runtime.api import (
    FlowPort,
    HistoryStore,
    NodeCompleted,
    NodeFailed,
    NodeLog,
    RunEvent,
    RunFinished,
    SetNodeProps,
    data_paths,
    dumps_flow,
    dumps_values,
)
from studio.canvas.items.node_item import RunMark
from studio.editor import FlowEditor
from studio.outputs import ValueViewer
from studio.problems.checker import field_path_title, is_port_problem
from studio.problems.watcher import watcher_for
from studio.run.client import WorkerClient
from studio.run.inputs_dialog import ask_flow_inputs
from studio.run.log_panel import LogPanel
from studio.run.outputs_feed import OutputsFeed, node_title
from studio.run.overlay import FLOW_EDITS, RunOverlay

__all__ = ["RunController", "ask_flow_inputs", "controller_of", "install"]

_UNFINISHED = ("PENDING", "RUNNING", "PAUSED")


class RunController(QObject):
    """One per main window: drives the worker and shows runs on the editors' canvases.

    Signals: `run_starting(FlowEditor)` just before a run is sent to the worker,
    `run_finished(result)` when it ended (also when it crashed).
    """

    run_starting = Signal(object)
    run_finished = Signal(dict)

    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.client = WorkerClient(self)
        self.overlays: dict[FlowEditor, RunOverlay] = {}
        self.breakpoints: dict[FlowEditor, set[str]] = {}
        self.running_editor: FlowEditor | None = None
        self.paused_at: str | None = None
        self.last_inputs: dict[str, str] = {}
        self.ask_inputs: Callable[[QWidget, dict[str, FlowPort], dict[str, str]], dict[str, str] | None] = \
            ask_flow_inputs
        self.log = LogPanel()
        self.feed = OutputsFeed(self.client, self.log, self)
        self._sticky: tuple[FlowEditor, str] | None = None
        """A failure shown in the status bar until the next run or edit of that flow."""
        self.client.event.connect(self._on_event)
        self.client.paused.connect(self._on_paused)
        self.client.finished.connect(self._on_finished)
        self.client.invalid.connect(self._on_invalid)
        self.client.failed.connect(self._on_invalid)
        self.client.crashed.connect(self._on_crashed)
        self.client.outputs.connect(self.feed.on_outputs)
        window.destroyed.connect(self.client.stop)
        window.editor_added.connect(self._follow)
        window.current_editor_changed.connect(self._current_changed)

    @property
    def viewer(self) -> ValueViewer:
        return self.feed.viewer

    @property
    def past_run(self) -> str | None:
        """The past run shown (in the current editor), if any."""
        return self.feed.past[1] if self.feed.past is not None else None

    # ----- commands ------------------------------------------------------------------

    def overlay(self, editor: FlowEditor) -> RunOverlay:
        overlay = self.overlays.get(editor)
        if overlay is None:
            overlay = self.overlays[editor] = RunOverlay(editor.scene, self)
            editor.destroyed.connect(lambda *_: self.overlays.pop(editor, None))
        return overlay

    def run(self, *, from_node: str | None = None, only_node: str | None = None) -> bool:
        editor = self.window.current_editor()
        if editor is None:
            return False
        if self.client.running:
            self._status("A run is already in progress — stop it first (Shift+F5).")
            return False
        if not self._check(editor):
            return False
        flow = editor.document.flow
        inputs: dict[str, str] = {}
        if flow.inputs and from_node is None and only_node is None:
            asked = self.ask_inputs(self.window, dict(flow.inputs), self.last_inputs)
            if asked is None:
                return False
            inputs = self.last_inputs = asked
        self.run_starting.emit(editor)
        self.running_editor = editor
        self.overlay(editor)
        self.feed.run_of[editor] = self.log.begin_run(f"run of {editor.title().rstrip(' •')}")
        self.client.send(op="run", flow=dumps_flow(flow),
                         flow_path=str(editor.path) if editor.path else None, inputs=inputs,
                         inputs_are_text=True, from_node=from_node, only_node=only_node,
                         breakpoints=sorted(self.breakpoints.get(editor, set())))
        self._status("Running…")
        return True

    def _check(self, editor: FlowEditor) -> bool:
        """Refuse to run a flow with errors: name the first one and show the Problems panel."""
        errors = [p for p in watcher_for(editor).check_now() if p.severity == "error"]
        if not errors:
            return True
        first = errors[0]
        parts = ["Cannot run"]
        if first.node_id is not None and first.node_id in editor.scene.nodes:
            parts.append(editor.scene.nodes[first.node_id].look.title)
            inst = editor.document.flow.nodes.get(first.node_id)
            label = field_path_title(editor.registry, inst.type if inst else None, first.field)
            if label and not is_port_problem(first):
                parts.append(label)
        more = f" ({len(errors) - 1} more in Problems)" if len(errors) > 1 else ""
        self._status(": ".join(parts) + f": {first.message}{more}", sticky=editor)
        self._raise_dock("problems")
        return False

    def run_from_selected(self) -> bool:
        node = self._selected_node()
        return node is not None and self.run(from_node=node)

    def run_selected_only(self) -> bool:
        node = self._selected_node()
        return node is not None and self.run(only_node=node)

    def stop(self) -> None:
        if self.client.running:
            self.client.send(op="cancel")
            self._status("Stopping…")

    def resume(self, step: bool = False) -> None:
        if self.paused_at is not None:
            editor = self.running_editor
            if editor is not None:
                self.overlay(editor).set_state(self.paused_at, RunMark("PENDING"))
            self.paused_at = None
            self.client.send(op="step" if step else "continue")
            self._status("Stepping…" if step else "Running…")

    def toggle_breakpoint(self) -> None:
        editor = self.window.current_editor()
        node = self._selected_node()
        if editor is None or node is None:
            return
        points = self.breakpoints.setdefault(editor, set())
        points.symmetric_difference_update({node})
        item = editor.scene.nodes.get(node)
        if item is not None:
            item.breakpoint = node in points
            item.update()
        if self.client.running and editor is self.running_editor:
            self.client.send(op="breakpoints", ids=sorted(points))

    def _selected_node(self) -> str | None:
        editor = self.window.current_editor()
        selected = editor.scene.selected_node_ids() if editor is not None else []
        if len(selected) != 1:
            self._status("Select one node first.")
            return None
        return selected[0]

    def pin_selected(self) -> bool:
        """Keep the selected node's last outputs as test data: it will not run until unpinned."""
        editor = self.window.current_editor()
        node = self._selected_node()
        if editor is None or node is None:
            return False
        if self.feed.shown != (editor, node) or not self.feed.shown_values:
            self._status("Run the flow first: there are no outputs of this node to pin.")
            return False
        pinned = json.loads(dumps_values(self.feed.shown_values))
        if not editor.scene.push(SetNodeProps(node, pinned=pinned), "Pin outputs"):
            return False
        self._status(f"Pinned the outputs of {self._title(node, editor)}: it will not run, its pinned "
                     "data is used, until you unpin it.")
        return True

    def unpin_selected(self) -> bool:
        editor = self.window.current_editor()
        node = self._selected_node()
        if editor is None or node is None:
            return False
        if editor.document.flow.nodes[node].pinned is None:
            self._status(f"{self._title(node, editor)} has no pinned outputs.")
            return False
        if not editor.scene.push(SetNodeProps(node, pinned=None), "Unpin outputs"):
            return False
        self._status(f"Unpinned {self._title(node, editor)}: it runs again in the next run.")
        return True

    # ----- following editors ---------------------------------------------------------

    def _follow(self, editor: FlowEditor) -> None:
        editor.scene.selection_changed_ids.connect(lambda ids, e=editor: self.show_outputs(e, ids))
        editor.scene.selection_changed_ids.connect(self.log.set_selected_nodes)
        unsubscribe = editor.document.subscribe(lambda event, e=editor: self._edited(e, event))
        editor.destroyed.connect(lambda *_args: unsubscribe())

    def _edited(self, editor: FlowEditor, event: object) -> None:
        if self._sticky is not None and self._sticky[0] is editor and isinstance(event, FLOW_EDITS):
            self._clear_sticky()

    def _current_changed(self, editor: FlowEditor | None) -> None:
        """The Outputs dock follows the current tab."""
        if self._sticky is not None and self._sticky[0] is not editor:
            self._clear_sticky()
        if editor is None:
            self.feed.clear("No flow open")
            return
        selected = editor.scene.selected_node_ids()
        if len(selected) == 1 and editor in self.feed.has_results:
            self.show_outputs(editor, selected)
        else:
            self.feed.clear("Select a node to see its last run's values")

    def show_outputs(self, editor: FlowEditor, node_ids: list[str]) -> None:
        """Show the one selected node's values (of the opened past run, else of the last run)."""
        if editor is self.window.current_editor() or editor is self.running_editor:
            self.feed.show(editor, node_ids)

    # ----- worker messages -----------------------------------------------------------

    def _on_event(self, event: RunEvent) -> None:
        editor = self.running_editor
        if editor is not None and editor in self.overlays:
            self.overlays[editor].on_event(event)
        node_id = getattr(event, "node_id", "")
        if isinstance(event, NodeLog) and event.level != "debug":
            self.log.add(event.level, event.message, node_id, self._title(node_id))
        elif isinstance(event, NodeFailed) and event.state.value == "FAILED":
            self.log.add("error", event.error, node_id, self._title(node_id))
        elif isinstance(event, NodeFailed) and event.state.value == "CANCELLED":
            self.log.add("warning", "stopped while it ran (the run was cancelled)", node_id,
                         self._title(node_id))
        elif isinstance(event, NodeCompleted) and event.pinned and "/" not in node_id:
            self.log.add("info", "pinned data used (the step did not run)", node_id, self._title(node_id))
        elif isinstance(event, RunFinished):
            took = f"{event.duration_ms:.0f} ms"
            self.log.add("error" if event.status.value in ("FAILED", "CRASHED") else "info",
                         f"run {event.run_id}: {event.status.value} in {took}")

    def _title(self, node_id: str, editor: FlowEditor | None = None) -> str:
        return node_title(editor or self.running_editor, node_id)

    def _on_paused(self, node_id: str, inputs: dict[str, Any]) -> None:
        self.paused_at = node_id
        editor = self.running_editor
        if editor is not None:
            self.overlay(editor).set_state(node_id, RunMark("PAUSED", message="paused at a breakpoint"))
            editor.scene.select_nodes([node_id])
            self.feed.show_paused(editor, node_id, inputs)
            self._raise_dock("outputs")
        shown = ", ".join(f"{k} = {str(v)[:60]}" for k, v in inputs.items()) or "no inputs"
        self.log.add("info", f"paused before it: {shown}", node_id, self._title(node_id))
        self._status(f"Paused before {self._title(node_id)} (its inputs are in Outputs) — F8 continues, "
                     "F10 steps, Shift+F5 stops.")

    def _on_finished(self, result: dict[str, Any]) -> None:
        editor = self.running_editor
        stopped: list[str] = []
        if editor is not None:
            self.feed.has_results.add(editor)
            overlay = self.overlay(editor)
            overlay.apply()
            stopped = [n for n, m in overlay.marks.items() if m.state in ("RUNNING", "PAUSED")
                       or (m.state == "CANCELLED" and m.message == "cancelled")]
            for node_id, outcome in result.get("nodes", {}).items():  # never a blank pending pill
                mark = overlay.marks.get(node_id)
                if "/" in node_id or mark is None:
                    continue
                if mark.state in _UNFINISHED or node_id in stopped:
                    how = "stopped while it ran" if node_id in stopped else "the run was stopped before it"
                    overlay.set_state(node_id, RunMark(outcome.get("state", "CANCELLED"), message=how))
        status = result["status"]
        self.paused_at = None
        if status == "FAILED":
            failed = [n for n, o in result["nodes"].items() if o["state"] == "FAILED"]
            self._status(f"The run failed: {result['error']}", sticky=editor)
            if editor is not None and failed:
                editor.scene.select_nodes(failed[:1])
                self._raise_dock("outputs")
        elif status == "CANCELLED":
            where = f" while {', '.join(self._title(n) for n in stopped)} ran" if stopped else ""
            self.log.add("warning", f"the run was stopped{where}")
            self._status(f"Run stopped{where}.")
        else:
            self._status(f"Run {status.lower()} in {result['duration_ms']:.0f} ms.")
        self.run_finished.emit(result)

    def _on_invalid(self, message: str) -> None:
        self.paused_at = None
        self.log.add("error", message)
        first = message.splitlines()[0] if message else "The flow cannot run."
        self._status(first, sticky=self.running_editor)
        self._raise_dock("run log")

    def _on_crashed(self, message: str) -> None:
        store = HistoryStore(data_paths().history_db)  # the dead worker's run: CRASHED, now
        try:
            store.mark_crashed_runs()
        finally:
            store.close()
        editor = self.running_editor
        if editor is not None and editor in self.overlays:
            overlay = self.overlays[editor]
            overlay.apply()
            for node_id, mark in list(overlay.marks.items()):
                if mark.state in _UNFINISHED:
                    overlay.set_state(node_id, RunMark("CRASHED", message=message) if mark.state != "PENDING"
                                      else RunMark("CANCELLED"))
        self.paused_at = None
        self.log.add("error", f"{message}; the studio is fine — run again to start a new worker")
        self._status(f"The run crashed: {message}.", sticky=editor)
        self.run_finished.emit({"status": "CRASHED", "error": message, "nodes": {}})

    # ----- status bar and docks ------------------------------------------------------

    def _status(self, text: str, sticky: FlowEditor | None = None) -> None:
        """Show `text`; a `sticky` message stays until the next run or an edit of that flow."""
        self._sticky = (sticky, text) if sticky is not None else None
        self.window.statusBar().showMessage(text, 0 if sticky is not None else 15000)

    def _clear_sticky(self) -> None:
        if self._sticky is not None and self.window.statusBar().currentMessage() == self._sticky[1]:
            self.window.statusBar().clearMessage()
        self._sticky = None

    def _raise_dock(self, name: str) -> None:
        dock = self.window.findChild(QDockWidget, f"dock-{name}")
        if dock is not None:
            dock.show()
            dock.raise_()


def controller_of(window: Any) -> RunController:
    return window.findChild(RunController)


def install(window: Any) -> None:
    """Add the Run menu, toolbar and log panel to `window`."""
    controller = RunController(window)
    menu = window.menuBar().addMenu("&Run")
    window.menus["run"] = menu
    toolbar = QToolBar("Run", window)
    toolbar.setObjectName("toolbar-run")
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    entries = (
        ("&Run flow", controller.run, QKeySequence("F5")),
        ("Run &from selected node", controller.run_from_selected, QKeySequence("Ctrl+F5")),
        ("Run selected node &only", controller.run_selected_only, QKeySequence("Alt+F5")),
        ("&Stop", controller.stop, QKeySequence("Shift+F5")),
        (None, None, None),
        ("Toggle &breakpoint", controller.toggle_breakpoint, QKeySequence("F9")),
        ("&Continue", controller.resume, QKeySequence("F8")),
        ("S&tep", lambda: controller.resume(step=True), QKeySequence("F10")),
        (None, None, None),
        ("&Pin outputs as test data", controller.pin_selected, QKeySequence("Ctrl+Shift+P")),
        ("&Unpin outputs", controller.unpin_selected, None),
    )
    for text, slot, shortcut in entries:
        if text is None:
            menu.addSeparator()
            toolbar.addSeparator()
            continue
        action = window.add_action("run", text, slot, shortcut)
        toolbar.addAction(action)
    window.add_dock(controller.log, "Run log", Qt.DockWidgetArea.BottomDockWidgetArea)
    outputs = window.add_dock(controller.viewer, "Outputs", Qt.DockWidgetArea.BottomDockWidgetArea)
    window.tabifyDockWidget(window.findChild(type(outputs), "dock-run log"), outputs)
