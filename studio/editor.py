"""One open flow: its document, undo stack, scene and view (a tab of the main window)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic_core import to_jsonable_python
from PySide6.QtCore import QMimeData, QPointF, Signal
from PySide6.QtGui import QGuiApplication, QUndoStack
from PySide6.QtWidgets import QVBoxLayout, QWidget

from runtime.api import (
    AddNode,
    Batch,
    Connect,
    Disconnect,
    Edge,
    FlowDocument,
    MoveNodes,
    NodeInstance,
    Registry,
    RemoveNode,
    copy_selection,
    duplicate_edit,
    new_id,
    paste_edit,
)
from studio.canvas.items.node_item import HEADER, ROW, PortHit
from studio.canvas.scene import FlowScene
from studio.canvas.view import FlowView
from studio.theme import Theme

__all__ = ["SNIPPET_MIME", "FlowEditor", "default_config"]

SNIPPET_MIME = "application/x-loomwork-snippet+json"

FIRST_PORT_Y = HEADER + ROW / 2
"""Auto-layout lines chained nodes up by their first port (so title bars line up too)."""


def default_config(registry: Registry, type_id: str) -> dict[str, Any]:
    """A new node's config: every field that has a default, written out."""
    node_type = registry.get(type_id)
    if node_type is None:
        return {}
    config = {}
    for name, field in node_type.Config.model_fields.items():
        if not field.is_required():
            config[field.alias or name] = to_jsonable_python(field.get_default(call_default_factory=True))
    return config


class FlowEditor(QWidget):
    """Edits one flow. All changes go through the undo stack as document edits."""

    state_changed = Signal()  # title, modified flag or path changed

    def __init__(self, document: FlowDocument, registry: Registry, theme: Theme,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.registry = registry
        self.undo = QUndoStack(self)
        self.scene = FlowScene(document, registry, self.undo, theme)
        self.view = FlowView(self.scene, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.undo.cleanChanged.connect(lambda _clean: self.state_changed.emit())

    # ----- identity ----------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        return self.document.path

    @property
    def modified(self) -> bool:
        return not self.undo.isClean()

    def title(self) -> str:
        name = self.path.name if self.path else (self.document.flow.name or "Untitled")
        return name + (" •" if self.modified else "")

    def save(self, path: Path | None = None) -> None:
        """Write the flow (canonical, atomic) and mark this point as clean."""
        self.document.save(path)
        self.undo.setClean()
        self.state_changed.emit()

    # ----- adding and connecting ---------------------------------------------------

    def add_node(self, type_id: str, pos: QPointF, connect_from: PortHit | None = None) -> str | None:
        """Add a node of `type_id` at `pos`; optionally wire it to the port a drag began at."""
        node_type = self.registry.get(type_id)
        if node_type is None:
            return None
        node_id = new_id("n")
        node = NodeInstance(type=type_id, type_version=node_type.version,
                            config=default_config(self.registry, type_id),
                            layout={"x": round(pos.x()), "y": round(pos.y())})
        edits: list[Any] = [AddNode(node_id, node)]
        if connect_from is not None:
            edge = self._edge_to_new_node(connect_from, node_id, type_id)
            if edge is not None:
                if not connect_from.is_output:  # the new node replaces what fed this input
                    edits += [Disconnect(old) for old in self.document.incoming(connect_from.node_id)
                              if old.target_port == connect_from.port_id]
                edits.append(Connect(edge))
        if self.scene.push(Batch(tuple(edits)), f"Add {node_type.title}"):
            self.scene.select_nodes([node_id])
            return node_id
        return None

    def _edge_to_new_node(self, hit: PortHit, node_id: str, type_id: str) -> Edge | None:
        node_type = self.registry.get(type_id)
        if node_type is None:
            return None
        from runtime.api import compatible

        inputs, outputs = node_type.static_ports()
        if hit.is_output:
            port = next((p for p in inputs if compatible(hit.spec.type, p.type)), None)
            return Edge(hit.node_id, hit.port_id, node_id, port.id) if port else None
        port = next((p for p in outputs if compatible(p.type, hit.spec.type)), None)
        return Edge(node_id, port.id, hit.node_id, hit.port_id) if port else None

    def free_spot(self, pos: QPointF, width: float = 200, height: float = 100) -> QPointF:
        """`pos`, moved down until a node placed there would not cover another one."""
        from PySide6.QtCore import QRectF

        spot = QPointF(pos)
        for _ in range(50):
            area = QRectF(spot.x(), spot.y(), width, height).adjusted(-20, -20, 20, 20)
            if not any(item.sceneBoundingRect().intersects(area) for item in self.scene.nodes.values()):
                return spot
            spot += QPointF(0, height + 30)
        return spot

    def add_after_selection(self, type_id: str) -> str | None:
        """Add a node to the right of the one selected node and wire it, or at a free spot
        in the middle of the view."""
        selected = self.scene.selected_node_ids()
        if len(selected) == 1:
            item = self.scene.nodes[selected[0]]
            for spec in item.look.outputs:
                hit = PortHit(item.node_id, spec.id, True, spec)
                pos = self.free_spot(QPointF(item.pos().x() + item.width + 80, item.pos().y()))
                if self._edge_to_new_node(hit, "n_probe", type_id) is not None:
                    return self.add_node(type_id, pos, connect_from=hit)
            return self.add_node(type_id, self.free_spot(QPointF(item.pos().x() + item.width + 80,
                                                                  item.pos().y())))
        center = self.view.mapToScene(self.view.viewport().rect().center())
        return self.add_node(type_id, self.free_spot(QPointF(center.x() - 90, center.y() - 40)))

    # ----- selection commands ------------------------------------------------------

    def delete_selection(self) -> None:
        from runtime.api import RemoveGroup, RemoveNote
        from studio.canvas.items.group_item import GroupItem
        from studio.canvas.items.note_item import NoteItem

        nodes = self.scene.selected_node_ids()
        notes = sorted(i.note_id for i in self.scene.selectedItems() if isinstance(i, NoteItem))
        groups = sorted(i.group_id for i in self.scene.selectedItems() if isinstance(i, GroupItem))
        edges = [e for e in self.scene.selected_edges() if e.source not in nodes and e.target not in nodes]
        edits = [Disconnect(e) for e in edges] + [RemoveGroup(g) for g in groups] + \
            [RemoveNode(n) for n in nodes] + [RemoveNote(t) for t in notes]
        if edits:
            count = len(nodes) or len(edges) or len(notes) or len(groups)
            what = "node" if nodes else "connection" if edges else "note" if notes else "group"
            self.scene.push(Batch(tuple(edits)), f"Delete {count} {what}{'s' if count != 1 else ''}")

    def select_all(self) -> None:
        self.scene.select_nodes(self.document.flow.nodes)

    def copy(self) -> bool:
        from studio.canvas.items.note_item import NoteItem

        nodes = self.scene.selected_node_ids()
        notes = sorted(i.note_id for i in self.scene.selectedItems() if isinstance(i, NoteItem))
        if not nodes and not notes:
            return False
        snippet = copy_selection(self.document.flow, nodes, notes)
        text = json.dumps(snippet, indent=2, ensure_ascii=False)
        mime = QMimeData()
        mime.setText(text)
        mime.setData(SNIPPET_MIME, text.encode("utf-8"))
        QGuiApplication.clipboard().setMimeData(mime)
        return True

    def cut(self) -> None:
        if self.copy():
            self.delete_selection()

    def paste(self, offset: tuple[float, float] | None = None) -> list[str]:
        """Paste nodes from the clipboard (ours, or JSON text from a chat) with new ids,
        at the mouse when it is over the canvas, else 40 px from where they were copied."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return []
        raw = bytes(mime.data(SNIPPET_MIME)).decode("utf-8") if mime.hasFormat(SNIPPET_MIME) else mime.text()
        if not raw.strip():
            return []
        from runtime.api import EditError

        if offset is None:
            offset = self._offset_to_mouse(raw) or (40, 40)

        try:
            batch = paste_edit(self.document.flow, raw, offset=offset)
        except EditError as exc:
            self.scene.message.emit(f"cannot paste: {exc}")
            return []
        before = set(self.document.flow.nodes)
        if not self.scene.push(batch, "Paste"):
            return []
        new = sorted(set(self.document.flow.nodes) - before)
        self.scene.select_nodes(new)
        return new

    def _offset_to_mouse(self, raw: str) -> tuple[float, float] | None:
        from PySide6.QtGui import QCursor

        where = self.view.viewport().mapFromGlobal(QCursor.pos())
        if not self.view.viewport().rect().contains(where):
            return None
        try:
            nodes = json.loads(raw).get("nodes", {})
            xs = [float(n["layout"]["x"]) for n in nodes.values()]
            ys = [float(n["layout"]["y"]) for n in nodes.values()]
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        if not xs:
            return None
        target = self.view.mapToScene(where)
        return round(target.x() - min(xs)), round(target.y() - min(ys))

    def duplicate(self) -> list[str]:
        nodes = self.scene.selected_node_ids()
        if not nodes:
            return []
        before = set(self.document.flow.nodes)
        if self.scene.push(duplicate_edit(self.document.flow, nodes), "Duplicate"):
            new = sorted(set(self.document.flow.nodes) - before)
            self.scene.select_nodes(new)
            return new
        return []

    def auto_layout(self, selection_only: bool = False) -> None:
        """Lay out the selection (or the whole flow) in layers, left to right."""
        from studio.layout import layered_layout

        flow = self.document.flow
        ids = self.scene.selected_node_ids() if selection_only else list(flow.nodes)
        if len(ids) < 2 and selection_only:
            ids = list(flow.nodes)
        chosen = set(ids)
        sizes = {i: (self.scene.nodes[i].width, self.scene.nodes[i].height) for i in ids}
        edges = [(e.source, e.target) for e in flow.edges if e.source in chosen and e.target in chosen]
        xs = [flow.nodes[i].layout.x for i in ids]
        ys = [flow.nodes[i].layout.y for i in ids]
        origin = (min(xs, default=0), min(ys, default=0))
        positions = layered_layout(sizes, edges, origin=origin,
                                   order_hint={i: flow.nodes[i].layout.y for i in ids},
                                   cross_anchor=FIRST_PORT_Y)
        moves = tuple((i, round(x), round(y)) for i, (x, y) in sorted(positions.items()))
        if moves:
            self.scene.push(MoveNodes(moves), "Auto-layout")
