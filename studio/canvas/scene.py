"""The canvas scene: follows a FlowDocument, keyed by node id; never writes it directly.

User gestures (moving nodes, dragging a connection) become edits pushed on the undo
stack; the document's events then update the items.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from pathlib import Path

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPen, QPixmapCache, QUndoStack
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsScene, QGraphicsSceneMouseEvent

from runtime.api import (
    Connect,
    Edge,
    EdgeAdded,
    EdgeRemoved,
    Edit,
    EditError,
    FlowChanged,
    FlowDocument,
    MoveNodes,
    NodeAdded,
    NodeChanged,
    NodeRemoved,
    NodesMoved,
    PortSpec,
    PortType,
    Registry,
    incompatibility_reason,
    resolve_node_ports,
)
from studio.canvas.items.edge_item import EdgeItem, bezier
from studio.canvas.items.node_item import NodeItem, NodeLook, PortHit
from studio.icons import node_icon_name
from studio.theme import Theme
from studio.undo import push_edit

__all__ = ["FlowScene"]

FAR_ZOOM = 0.3
"""Below this zoom nodes are drawn as coloured blocks (see NodeItem.paint)."""
PIXMAP_CACHE_KB = 256 * 1024
"""Room for the cached pictures of the visible nodes (Qt's default of 10 MB thrashes)."""


class FlowScene(QGraphicsScene):
    """Items for one document. Emits `message` for the status bar and `request_quick_add`
    when a connection is dropped on empty canvas."""

    message = Signal(str)
    request_quick_add = Signal(object, object)  # scene position, PortHit the drag started from
    selection_changed_ids = Signal(list)
    run_marks_changed = Signal(list)  # node ids whose run mark (view state) changed

    def __init__(self, document: FlowDocument, registry: Registry, undo: QUndoStack, theme: Theme):
        super().__init__()
        self.document = document
        self.registry = registry
        self.undo = undo
        self.theme = theme
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self._drag_from: PortHit | None = None
        self._drag_line: QGraphicsPathItem | None = None
        self._press_positions: dict[str, QPointF] = {}
        self._cache_mode = QGraphicsItem.CacheMode.ItemCoordinateCache
        if QPixmapCache.cacheLimit() < PIXMAP_CACHE_KB:
            QPixmapCache.setCacheLimit(PIXMAP_CACHE_KB)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self._rebuild()
        self._unsubscribe = document.subscribe(self._on_event)
        self.selectionChanged.connect(self._emit_selection)

    # ----- following the document --------------------------------------------------

    def close(self) -> None:
        self._unsubscribe()

    def set_theme(self, theme: Theme) -> None:
        """Repaint in `theme`: every item with a `theme` attribute gets it (views draw the grid)."""
        self.theme = theme
        for item in self.items():
            if hasattr(item, "theme"):
                item.theme = theme
                item.update()
        self.update()

    def look_for(self, node_id: str) -> NodeLook:
        inst = self.document.flow.nodes[node_id]
        node_type = self.registry.get(inst.type)
        path = self.document.path
        if node_type is None:  # a placeholder that keeps the ports its edges use
            inputs = sorted({e.target_port for e in self.document.incoming(node_id)})
            outputs = sorted({e.source_port for e in self.document.outgoing(node_id)})
            return NodeLook(inst.title or inst.type.rsplit(".", 1)[-1], f"missing type '{inst.type}'",
                            "General", [PortSpec(p, p, PortType.ANY) for p in inputs],
                            [PortSpec(p, p, PortType.ANY) for p in outputs], missing=True,
                            problem=f"node type '{inst.type}' is not installed; its config is kept")
        resolved = resolve_node_ports(self.document.flow, node_id, self.registry,
                                      flow_path=path if isinstance(path, Path) else None)
        assert resolved is not None
        return NodeLook(inst.title or node_type.title, node_type.title, node_type.category,
                        list(resolved.inputs.values()), list(resolved.outputs.values()),
                        problem=resolved.problem, disabled=inst.settings.disabled,
                        pinned=inst.pinned is not None,
                        icon=node_icon_name(inst.type, node_type.category, node_type.icon))

    def _rebuild(self) -> None:
        for item in list(self.nodes.values()):
            self.removeItem(item)
        self.nodes.clear()
        self.edges.clear()
        flow = self.document.flow
        for node_id in flow.nodes:
            self._add_node(node_id)
        for edge in flow.edges:
            self._add_edge(edge)

    def set_zoom(self, zoom: float) -> None:
        """Nodes are cached as item pixmaps up to 100 % zoom on ordinary screens (fast when
        many are visible), and per device pixel when zoomed in or on high-DPI screens."""
        if zoom < FAR_ZOOM:  # nodes are plain blocks: painting beats caching
            mode = QGraphicsItem.CacheMode.NoCache
        elif zoom > 1.0 or self._device_ratio() > 1.0:
            mode = QGraphicsItem.CacheMode.DeviceCoordinateCache
        else:
            mode = QGraphicsItem.CacheMode.ItemCoordinateCache
        if mode != self._cache_mode:
            self._cache_mode = mode
            for item in self.nodes.values():
                item.set_cache_mode(mode)
            for edge in self.edges.values():
                edge.setCacheMode(self._edge_cache_mode())

    def _edge_cache_mode(self) -> QGraphicsItem.CacheMode:
        """Edges share the nodes' item cache in the middle zoom range, else paint directly."""
        if self._cache_mode == QGraphicsItem.CacheMode.ItemCoordinateCache:
            return QGraphicsItem.CacheMode.ItemCoordinateCache
        return QGraphicsItem.CacheMode.NoCache

    def _device_ratio(self) -> float:
        views = self.views()
        return views[0].devicePixelRatioF() if views else 1.0

    def _add_node(self, node_id: str) -> None:
        inst = self.document.flow.nodes[node_id]
        item = NodeItem(node_id, self.look_for(node_id), self.theme)
        item.set_cache_mode(self._cache_mode)
        item.setPos(inst.layout.x, inst.layout.y)
        self.addItem(item)
        self.nodes[node_id] = item

    def _add_edge(self, edge: Edge) -> None:
        source, target = self.nodes.get(edge.source), self.nodes.get(edge.target)
        if source is None or target is None:
            return
        item = EdgeItem(edge, source, target, self.theme)
        item.setCacheMode(self._edge_cache_mode())
        self.addItem(item)
        self.edges[edge] = item

    def _remove_edge(self, edge: Edge) -> None:
        item = self.edges.pop(edge, None)
        if item is not None:
            item.detach()
            self.removeItem(item)

    def _on_event(self, event: object) -> None:
        if isinstance(event, NodeAdded):
            self._add_node(event.node_id)
        elif isinstance(event, NodeRemoved):
            item = self.nodes.pop(event.node_id, None)
            if item is not None:
                for edge_item in list(item.edges):
                    self._remove_edge(edge_item.edge)
                self.removeItem(item)
        elif isinstance(event, NodeChanged):
            item = self.nodes.get(event.node_id)
            if item is not None:
                item.set_look(self.look_for(event.node_id))
        elif isinstance(event, NodesMoved):
            for node_id in event.ids:
                item = self.nodes.get(node_id)
                if item is not None:
                    layout = self.document.flow.nodes[node_id].layout
                    item.setPos(layout.x, layout.y)
        elif isinstance(event, EdgeAdded):
            self._add_edge(event.edge)
        elif isinstance(event, EdgeRemoved):
            self._remove_edge(event.edge)
        elif isinstance(event, FlowChanged):
            for node_id, item in self.nodes.items():  # flow inputs/outputs change port types
                item.set_look(self.look_for(node_id))

    # ----- editing -----------------------------------------------------------------

    def push(self, edit: Edit, text: str | None = None, merge_key: Hashable | None = None) -> bool:
        """Apply an edit through the undo stack; a refusal goes to the status bar."""
        try:
            push_edit(self.undo, self.document, edit, text, merge_key)
        except EditError as exc:
            self.message.emit(str(exc))
            return False
        return True

    def nudge_selection(self, dx: float, dy: float) -> bool:
        """Move the selected nodes; consecutive nudges are one undo step."""
        ids = self.selected_node_ids()
        if not ids:
            return False
        flow = self.document.flow
        moves = tuple((n, flow.nodes[n].layout.x + dx, flow.nodes[n].layout.y + dy) for n in ids)
        return self.push(MoveNodes(moves), "Nudge", merge_key=("nudge", tuple(ids)))

    def selected_node_ids(self) -> list[str]:
        return sorted(i.node_id for i in self.selectedItems() if isinstance(i, NodeItem))

    def selected_edges(self) -> list[Edge]:
        return sorted(i.edge for i in self.selectedItems() if isinstance(i, EdgeItem))

    def select_nodes(self, node_ids: Iterable[str]) -> None:
        wanted = set(node_ids)
        self.clearSelection()
        for node_id in wanted:
            item = self.nodes.get(node_id)
            if item is not None:
                item.setSelected(True)

    def _emit_selection(self) -> None:
        self.selection_changed_ids.emit(self.selected_node_ids())

    def port_at(self, pos: QPointF) -> PortHit | None:
        for item in self.items(pos.x() - 10, pos.y() - 10, 20, 20, Qt.ItemSelectionMode.IntersectsItemShape,
                               Qt.SortOrder.DescendingOrder):
            if isinstance(item, NodeItem):
                hit = item.port_at(pos)
                if hit is not None:
                    return hit
        return None

    # ----- mouse: moving nodes and dragging connections ------------------------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        editing = self.focusItem()
        if editing is not None and editing not in self.items(event.scenePos()):
            editing.clearFocus()  # a click elsewhere ends in-place editing (and commits it)
        if event.button() == Qt.MouseButton.LeftButton:
            hit = self.port_at(event.scenePos())
            if hit is not None:
                self._start_connection(hit, event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)
        self._press_positions = {i.node_id: i.pos() for i in self.selectedItems() if isinstance(i, NodeItem)}

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag_from is not None:
            self._update_connection(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag_from is not None:
            self._finish_connection(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        moves = []
        for node_id, before in self._press_positions.items():
            item = self.nodes.get(node_id)
            if item is not None and item.pos() != before:
                moves.append((node_id, round(item.pos().x()), round(item.pos().y())))
        self._press_positions = {}
        if moves:
            self.push(MoveNodes(tuple(moves)),
                      f"Move {len(moves)} node{'s' if len(moves) != 1 else ''}")

    def _start_connection(self, hit: PortHit, pos: QPointF) -> None:
        self._drag_from = hit
        line = QGraphicsPathItem()
        pen = QPen(QColor(self.theme.selection), 2, Qt.PenStyle.DashLine)
        line.setPen(pen)
        line.setZValue(10)
        self.addItem(line)
        self._drag_line = line
        for item in self.nodes.values():
            marks = {}
            for spec in (item.look.inputs if hit.is_output else item.look.outputs):
                edge = self._edge_between(hit, PortHit(item.node_id, spec.id, not hit.is_output, spec))
                marks[(spec.id, not hit.is_output)] = self.document.can_connect(edge) is None
            item.highlight_ports = marks
            item.update()
        self._update_connection(pos)

    def _edge_between(self, a: PortHit, b: PortHit) -> Edge:
        out, inp = (a, b) if a.is_output else (b, a)
        return Edge(out.node_id, out.port_id, inp.node_id, inp.port_id)

    def _update_connection(self, pos: QPointF) -> None:
        hit = self._drag_from
        assert hit is not None and self._drag_line is not None
        anchor_item = self.nodes[hit.node_id]
        anchor = anchor_item.output_pos(hit.port_id) if hit.is_output else anchor_item.input_pos(hit.port_id)
        self._drag_line.setPath(bezier(anchor, pos) if hit.is_output else bezier(pos, anchor))
        other = self.port_at(pos)
        if other is not None and other.is_output != hit.is_output:
            reason = self.document.can_connect(self._edge_between(hit, other))
            if reason is None:
                self.message.emit(f"connect {hit.spec.title} → {other.spec.title}"
                                  if hit.is_output else f"connect {other.spec.title} → {hit.spec.title}")
            else:
                self.message.emit(f"cannot connect: {reason}")

    def _finish_connection(self, pos: QPointF) -> None:
        hit = self._drag_from
        assert hit is not None
        self._drag_from = None
        if self._drag_line is not None:
            self.removeItem(self._drag_line)
            self._drag_line = None
        for item in self.nodes.values():
            if item.highlight_ports:
                item.highlight_ports = {}
                item.update()
        other = self.port_at(pos)
        if other is None:
            under = [i for i in self.items(pos) if isinstance(i, NodeItem)]
            if not under:
                self.request_quick_add.emit(pos, hit)
            return
        if other.is_output == hit.is_output:
            self.message.emit("cannot connect: connect an output to an input")
            return
        edge = self._edge_between(hit, other)
        reason = self.document.can_connect(edge)
        if reason is not None:
            self.message.emit(f"cannot connect: {reason}")
            return
        self.push(Connect(edge), "Connect")

    def connection_reason(self, source: PortHit, target: PortHit) -> str | None:
        """Why two ports cannot be connected (for tests and tooltips), or None."""
        if source.is_output == target.is_output:
            return "connect an output to an input"
        reason = incompatibility_reason(source.spec.type, target.spec.type) if source.is_output else \
            incompatibility_reason(target.spec.type, source.spec.type)
        return reason or self.document.can_connect(self._edge_between(source, target))
