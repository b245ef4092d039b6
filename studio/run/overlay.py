"""Live run state on the canvas: node marks and item counts on edges, repainted in
batches so that a flood of events (thousands a second) keeps the editor responsive."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from runtime.api import (
    EdgeAdded,
    EdgeRemoved,
    FlowChanged,
    NodeAdded,
    NodeChanged,
    NodeCompleted,
    NodeFailed,
    NodeProgress,
    NodeRemoved,
    NodeSkipped,
    NodeStarted,
    RunEvent,
    RunStarted,
)
from studio.canvas.items.node_item import RunMark
from studio.canvas.scene import FlowScene

__all__ = ["FLOW_EDITS", "RunOverlay"]

FRAME_MS = 33
FLOW_EDITS = (NodeAdded, NodeRemoved, NodeChanged, EdgeAdded, EdgeRemoved, FlowChanged)
"""Document events that change what runs (moves, notes and groups do not)."""


class RunOverlay(QObject):
    """Keeps the latest state per node and applies it to the scene at most ~30 times/s."""

    def __init__(self, scene: FlowScene, parent: QObject | None = None):
        super().__init__(parent)
        self.scene = scene
        self.marks: dict[str, RunMark] = {}
        self.items: dict[str, dict[str, int]] = {}
        self._dirty: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.apply)

    def clear(self) -> None:
        self.marks.clear()
        self.items.clear()
        for item in self.scene.nodes.values():
            item.set_run(None)
        self.scene.run_marks_changed.emit(list(self.scene.nodes))
        for edge in self.scene.edges.values():
            edge.set_label("")

    def on_event(self, event: RunEvent) -> None:
        """Record an event (cheap); the canvas catches up on the next frame."""
        node_id = getattr(event, "node_id", "")
        if isinstance(event, RunStarted):
            self.clear()
            for nid in event.node_ids:
                if "/" not in nid:
                    self.marks[nid] = RunMark("PENDING")
                    self._dirty.add(nid)
        elif "/" in node_id:  # inside a subflow: shown on the calling node
            return
        elif isinstance(event, NodeStarted):
            self.marks[node_id] = RunMark("RUNNING")
        elif isinstance(event, NodeProgress):
            self.marks[node_id] = RunMark("RUNNING", progress=event.fraction, message=event.message)
        elif isinstance(event, NodeCompleted):
            self.marks[node_id] = RunMark("COMPLETED", cached=event.cached, pinned=event.pinned,
                                          message="pinned data used" if event.pinned else
                                          "from the cache" if event.cached else "")
            self.items[node_id] = event.items
        elif isinstance(event, NodeFailed):
            self.marks[node_id] = RunMark(event.state.value, message=event.error,
                                          evidence=tuple(event.evidence.items()))
        elif isinstance(event, NodeSkipped):
            self.marks[node_id] = RunMark("SKIPPED", message=event.reason)
        else:
            return
        self._dirty.add(node_id)
        if not self._timer.isActive():
            self._timer.start()

    def set_state(self, node_id: str, mark: RunMark) -> None:
        self.marks[node_id] = mark
        self._dirty.add(node_id)
        self.apply()

    def apply(self) -> None:
        """Paint what changed since the last frame."""
        dirty, self._dirty = self._dirty, set()
        for node_id in dirty:
            item = self.scene.nodes.get(node_id)
            if item is None:
                continue
            item.set_run(self.marks.get(node_id))
            counts = self.items.get(node_id)
            for edge in item.edges:
                if edge.source is item:
                    count = (counts or {}).get(edge.edge.source_port)
                    edge.set_label(f"{count:,} items" if count and count > 1 else "")
        if dirty:
            self.scene.run_marks_changed.emit(sorted(dirty))
