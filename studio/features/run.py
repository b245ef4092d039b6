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
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QToolBar,
    QWidget,
)

from runtime.api import (
    FlowPort,
    HistoryStore,
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
from studio.run.client import WorkerClient
from studio.run.log_panel import LogPanel
from studio.run.overlay import RunOverlay

__all__ = ["RunController", "ask_flow_inputs", "controller_of", "install"]


def ask_flow_inputs(parent: QWidget, declared: dict[str, FlowPort],
                    last: dict[str, str]) -> dict[str, str] | None:
    """A small form for the flow's inputs (values typed as text); None when cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Run with inputs")
    form = QFormLayout(dialog)
    fields: dict[str, QLineEdit] = {}
    for name, port in declared.items():
        edit = QLineEdit(last.get(name, "" if port.default is None else str(port.default)))
        edit.setPlaceholderText(port.type.value + (" (required)" if port.required else ""))
        edit.setToolTip(port.description)
        form.addRow(name, edit)
        fields[name] = edit
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Run")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return {name: edit.text() for name, edit in fields.items() if edit.text() != ""}


class RunController(QObject):
    """One per main window: drives the worker and shows runs on the current editor."""

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
        self.client.event.connect(self._on_event)
        self.client.paused.connect(self._on_paused)
        self.client.finished.connect(self._on_finished)
        self.client.invalid.connect(self._on_invalid)
        self.client.failed.connect(self._on_invalid)
        self.client.crashed.connect(self._on_crashed)
        self.client.outputs.connect(self._on_outputs)
        window.destroyed.connect(self.client.stop)
        from studio.outputs import ValueViewer

        self.viewer = ValueViewer()
        self.viewer.setMinimumHeight(90)  # a docked panel may be short: its views scroll
        self.has_results: set[FlowEditor] = set()
        self.past_run: str | None = None
        """A past run opened from the history: the outputs shown are that run's."""
        self._shown_node: str | None = None
        self._shown_values: dict[str, Any] = {}
        window.editor_added.connect(self._follow_selection)

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
        flow = editor.document.flow
        inputs: dict[str, str] = {}
        if flow.inputs and from_node is None and only_node is None:
            asked = self.ask_inputs(self.window, dict(flow.inputs), self.last_inputs)
            if asked is None:
                return False
            inputs = self.last_inputs = asked
        self.running_editor = editor
        self.past_run = None
        self.overlay(editor)
        self.log.add("info", f"— run of {editor.title().rstrip(' •')} —")
        self.client.send(op="run", flow=dumps_flow(flow),
                         flow_path=str(editor.path) if editor.path else None, inputs=inputs,
                         inputs_are_text=True, from_node=from_node, only_node=only_node,
                         breakpoints=sorted(self.breakpoints.get(editor, set())))
        self._status("Running…")
        return True

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

    # ----- worker messages -----------------------------------------------------------

    def _on_event(self, event: RunEvent) -> None:
        editor = self.running_editor
        if editor is not None and editor in self.overlays:
            self.overlays[editor].on_event(event)
        if isinstance(event, NodeLog) and event.level != "debug":
            self.log.add(event.level, event.message, event.node_id, self._title(event.node_id))
        elif isinstance(event, NodeFailed) and event.state.value == "FAILED":
            self.log.add("error", event.error, event.node_id, self._title(event.node_id))
        elif isinstance(event, RunFinished):
            took = f"{event.duration_ms:.0f} ms"
            self.log.add("error" if event.status.value in ("FAILED", "CRASHED") else "info",
                         f"run {event.run_id}: {event.status.value} in {took}")

    def _title(self, node_id: str) -> str:
        editor = self.window.current_editor() if self.past_run is not None else self.running_editor
        top = node_id.split("/")[0]
        item = editor.scene.nodes.get(top) if editor is not None else None
        return f"{item.look.title} ({node_id})" if item is not None else node_id

    def _on_paused(self, node_id: str, inputs: dict[str, Any]) -> None:
        self.paused_at = node_id
        editor = self.running_editor
        if editor is not None:
            self.overlay(editor).set_state(node_id, RunMark("PAUSED", message="paused at a breakpoint"))
            editor.scene.select_nodes([node_id])
        shown = ", ".join(f"{k} = {str(v)[:60]}" for k, v in inputs.items()) or "no inputs"
        self.log.add("info", f"paused before it: {shown}", node_id, self._title(node_id))
        self._status(f"Paused before {self._title(node_id)} — F8 continues, F10 steps, Shift+F5 stops.")

    def _follow_selection(self, editor: FlowEditor) -> None:
        editor.scene.selection_changed_ids.connect(lambda ids, e=editor: self.show_outputs(e, ids))
        editor.scene.selection_changed_ids.connect(self.log.set_selected_nodes)

    def show_outputs(self, editor: FlowEditor, node_ids: list[str]) -> None:
        """Show the values of the one selected node: of the opened past run, else of the last run."""
        if len(node_ids) != 1:
            return
        if self.past_run is not None:
            self._shown_node = node_ids[0]
            self._show_past_outputs(self.past_run, node_ids[0])
            return
        if editor not in self.has_results or self.client.running:
            return
        self._shown_node = node_ids[0]
        self.client.send(op="outputs", node_id=node_ids[0], limit=200_000)

    def _show_past_outputs(self, run_id: str, node_id: str) -> None:
        store = HistoryStore(data_paths().history_db)
        try:
            values = store.node_outputs(run_id, node_id)
        finally:
            store.close()
        self._shown_values = values or {}
        log = self.log.lines_of(node_id)
        if values or log:
            self.viewer.set_values(values or {}, log=log)
        else:
            self.viewer.set_value(None, title=f"{self._title(node_id)}: no values kept from run {run_id}")

    def pin_selected(self) -> bool:
        """Keep the selected node's last outputs as test data: it will not run until unpinned."""
        editor = self.window.current_editor()
        node = self._selected_node()
        if editor is None or node is None:
            return False
        if node != self._shown_node or not self._shown_values:
            self._status("Run the flow first: there are no outputs of this node to pin.")
            return False
        pinned = json.loads(dumps_values(self._shown_values))
        return editor.scene.push(SetNodeProps(node, pinned=pinned), "Pin outputs")

    def unpin_selected(self) -> bool:
        editor = self.window.current_editor()
        node = self._selected_node()
        if editor is None or node is None or editor.document.flow.nodes[node].pinned is None:
            return False
        return editor.scene.push(SetNodeProps(node, pinned=None), "Unpin outputs")

    def _on_outputs(self, node_id: str, values: dict[str, Any]) -> None:
        if node_id != self._shown_node:
            return
        decoded = self._shown_values = values  # the viewer sorts through an index, never in place
        log = self.log.lines_of(node_id)
        if decoded or log:
            self.viewer.set_values(decoded, log=log)
        else:
            self.viewer.set_value(None, title=f"{self._title(node_id)} produced no values in the last run")

    def _on_finished(self, result: dict[str, Any]) -> None:
        editor = self.running_editor
        if editor is not None:
            self.has_results.add(editor)
        if editor is not None and editor in self.overlays:
            self.overlays[editor].apply()
        status = result["status"]
        if status == "FAILED":
            failed = [n for n, o in result["nodes"].items() if o["state"] == "FAILED"]
            if editor is not None and failed:
                editor.scene.select_nodes(failed[:1])
            self._status(f"The run failed: {result['error']}")
        else:
            self._status(f"Run {status.lower()} in {result['duration_ms']:.0f} ms.")
        self.paused_at = None
        self.run_finished.emit(result)

    def _on_invalid(self, message: str) -> None:
        self.paused_at = None
        self.log.add("error", message)
        self._status(message.splitlines()[0] if message else "The flow cannot run.")

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
                if mark.state in ("RUNNING", "PAUSED", "PENDING"):
                    overlay.set_state(node_id, RunMark("CRASHED", message=message) if mark.state != "PENDING"
                                      else RunMark("CANCELLED"))
        self.paused_at = None
        self.log.add("error", f"{message}; the studio is fine — run again to start a new worker")
        self._status(f"The run crashed: {message}.")
        self.run_finished.emit({"status": "CRASHED", "error": message, "nodes": {}})

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 15000)


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
