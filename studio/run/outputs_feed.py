"""What the Outputs dock shows for the selected node: its values of the editor's last run
(asked of the worker), or of a past run opened from the history (read from history); for
a failed node also its error and what it received; for a node paused at a breakpoint the
inputs it is about to get."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from runtime.api import FileRef, HistoryStore, ImageRef, data_paths
from studio.editor import FlowEditor
from studio.outputs import ValueViewer
from studio.run.client import WorkerClient
from studio.run.log_panel import LogPanel

__all__ = ["ERROR_TAB", "OutputsFeed", "input_label"]

ERROR_TAB = "Error"
_FAILED = ("FAILED", "CRASHED")


def input_label(editor: FlowEditor, node_id: str, port_id: str) -> str:
    """The tab that shows what input `port_id` of `node_id` received: "Input: Table"."""
    item = editor.scene.nodes.get(node_id)
    spec = item.port_spec(port_id, False) if item is not None else None
    return f"Input: {spec.title if spec is not None else port_id}"


def evidence_tabs(evidence: dict[str, str]) -> dict[str, Any]:
    """Tabs for what a failed step attached: its screenshot, the page's HTML, the address."""
    tabs: dict[str, Any] = {}
    shot, page, url = evidence.get("screenshot"), evidence.get("html"), evidence.get("url")
    if shot and Path(shot).is_file():
        tabs["Screenshot"] = ImageRef(path=shot, name=Path(shot).name, media_type="image/png")
    if page and Path(page).is_file():
        tabs["Page HTML"] = FileRef(path=page, name=Path(page).name, media_type="text/html")
    if url:
        tabs["Address"] = url
    for label, value in evidence.items():  # anything else a node pack attaches
        if label not in ("screenshot", "html", "url"):
            tabs[label.capitalize()] = value
    return tabs


def node_title(editor: FlowEditor | None, node_id: str) -> str:
    """"Title (node id)" as the run log names a node (nodes inside subflows by their caller)."""
    item = editor.scene.nodes.get(node_id.split("/")[0]) if editor is not None else None
    return f"{item.look.title} ({node_id})" if item is not None else node_id


class OutputsFeed(QObject):
    """Fills `viewer` for one selected node at a time (see the module's docstring)."""

    def __init__(self, client: WorkerClient, log: LogPanel, parent: QObject | None = None):
        super().__init__(parent)
        self.client = client
        self.log = log
        self.viewer = ValueViewer()
        self.viewer.setMinimumHeight(90)  # a docked panel may be short: its views scroll
        self.has_results: set[FlowEditor] = set()
        self.run_of: dict[FlowEditor, int] = {}
        """The log's number of each editor's last live run (its lines only are shown)."""
        self.past: tuple[FlowEditor, str] | None = None
        """A past run opened from the history: that editor's outputs are that run's."""
        self.shown: tuple[FlowEditor, str] | None = None
        self.shown_values: dict[str, Any] = {}
        self._upstream: dict[str, dict[str, Any]] = {}

    @property
    def shown_node(self) -> str | None:
        return self.shown[1] if self.shown is not None else None

    def clear(self, hint: str) -> None:
        self.shown = None
        self.shown_values = {}
        self.viewer.set_value(None, title=hint)

    def show(self, editor: FlowEditor, node_ids: list[str]) -> None:
        """Show the values of the one selected node: of the opened past run, else of the last run."""
        if len(node_ids) != 1:
            return
        node_id = node_ids[0]
        if self.past is not None and self.past[0] is editor:
            self.shown = (editor, node_id)
            self._show_past(editor, self.past[1], node_id)
            return
        if editor not in self.has_results or self.client.running:
            return
        self.shown = (editor, node_id)
        self._upstream = {}
        if self._failed(editor, node_id):  # what it received: the upstream nodes' outputs first
            for source in sorted({e.source for e in editor.document.incoming(node_id)}):
                self._upstream[source] = {}
                self.client.send(op="outputs", node_id=source, limit=200_000)
        self.client.send(op="outputs", node_id=node_id, limit=200_000)

    def on_outputs(self, node_id: str, values: dict[str, Any]) -> None:
        """The worker's answer to an "outputs" command (answers come in the order asked)."""
        if node_id in self._upstream:
            self._upstream[node_id] = values
        if self.shown is None or node_id != self.shown[1]:
            return
        editor = self.shown[0]
        self.shown_values = values
        log = self.log.lines_of(node_id, self.run_of.get(editor, -1))
        self._present(editor, node_id, values, log, self._upstream,
                      f"{node_title(editor, node_id)} produced no values in the last run")

    def _show_past(self, editor: FlowEditor, run_id: str, node_id: str) -> None:
        store = HistoryStore(data_paths().history_db)
        try:
            values = store.node_outputs(run_id, node_id) or {}
            upstream = {source: store.node_outputs(run_id, source) or {}
                        for source in {e.source for e in editor.document.incoming(node_id)}} \
                if self._failed(editor, node_id) else {}
        finally:
            store.close()
        self.shown_values = values
        self._present(editor, node_id, values, self.log.lines_of(node_id), upstream,
                      f"{node_title(editor, node_id)}: no values kept from run {run_id}")

    def show_paused(self, editor: FlowEditor, node_id: str, inputs: dict[str, Any]) -> None:
        """A node paused at a breakpoint: the inputs it is about to get (previews)."""
        self.shown = (editor, node_id)
        self.shown_values = {}
        ports = {input_label(editor, node_id, port): value for port, value in inputs.items()}
        if ports:
            self.viewer.set_values(ports)
        else:
            self.viewer.set_value(None, title=f"{node_title(editor, node_id)} gets no inputs")

    # ----- internals -------------------------------------------------------------------

    @staticmethod
    def _failed(editor: FlowEditor, node_id: str) -> bool:
        item = editor.scene.nodes.get(node_id)
        return item is not None and item.run is not None and item.run.state in _FAILED

    def _present(self, editor: FlowEditor, node_id: str, values: dict[str, Any], log: list[str],
                 upstream: dict[str, dict[str, Any]], nothing: str) -> None:
        ports: dict[str, Any] = {}
        item = editor.scene.nodes.get(node_id)
        if self._failed(editor, node_id) and item is not None and item.run is not None:
            ports[ERROR_TAB] = item.run.message or "the step failed"
            ports.update(evidence_tabs(dict(item.run.evidence)))
            for edge in editor.document.incoming(node_id):
                got = upstream.get(edge.source, {})
                if edge.source_port in got:
                    ports[input_label(editor, node_id, edge.target_port)] = got[edge.source_port]
        ports.update(values)
        if ports or log:
            self.viewer.set_values(ports, log=log)
            if ERROR_TAB in ports:
                self.viewer.show_port(ERROR_TAB)
        else:
            self.viewer.set_value(None, title=nothing)
