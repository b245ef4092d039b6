"""A headless flow document: a `Flow` that changes only through edits, with undo and events.

`FlowDocument.apply(edit)` validates an edit (see `runtime.edits`), applies it, notifies
subscribers and returns the inverse edit; a refused edit raises `EditError` and leaves the
document exactly as it was. The studio's undo commands are thin adapters over this; the
CLI and tests use it directly. The clipboard helpers live in `runtime.edits` and are
re-exported here.
"""

from __future__ import annotations

import bisect
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from runtime import edits as ed
from runtime.compile import ERROR_PORT, resolve_node_ports
from runtime.edits import (
    FLOW_INFO_CHECKS,
    ID_RE,
    NODE_PROP_CHECKS,
    NOTE_CHECKS,
    SNIPPET_FORMAT,
    Batch,
    DocumentEvent,
    Edit,
    EditError,
    changes_of,
    check_edge,
    check_json,
    check_model,
    check_number,
    check_text,
    check_trigger,
    copy_selection,
    duplicate_edit,
    paste_edit,
)
from runtime.flow import Edge, Flow, Group, Layout, NodeInstance, Note
from runtime.flowfile import load_flow, save_flow
from runtime.ports import PortSpec, PortType, incompatibility_reason
from runtime.registry import Registry

__all__ = [
    "SNIPPET_FORMAT",
    "FlowDocument",
    "PortLookup",
    "copy_selection",
    "duplicate_edit",
    "paste_edit",
    "registry_port_lookup",
]

_log = logging.getLogger(__name__)

PortLookup = Callable[[str], "tuple[dict[str, PortSpec], dict[str, PortSpec]] | None"]
"""node_id -> (input ports by id, output ports by id), or None when they are unknown."""


def _in_sorted(items: list[str], item: str) -> bool:
    i = bisect.bisect_left(items, item)
    return i < len(items) and items[i] == item


# ----- the document --------------------------------------------------------------------


class FlowDocument:
    """A flow that changes only through `apply(edit)`, announcing each change to subscribers.

    `flow` is the live model: read it, never mutate it. `revision` counts applied edits;
    `dirty` is true when it differs from the revision at the last `mark_saved()` (an undo
    stack that knows its clean state should call `mark_saved()` when it returns there).
    """

    def __init__(
        self,
        flow: Flow | None = None,
        *,
        path: str | os.PathLike[str] | None = None,
        port_lookup: PortLookup | None = None,
        registry: Registry | None = None,
        copy: bool = True,
    ):
        """`copy=False` hands `flow` over to the document (a flow just loaded from a file)."""
        self._flow = (flow.model_copy(deep=True) if copy else flow) if flow is not None else Flow()
        self._flow.edges = sorted(set(self._flow.edges))
        for group in self._flow.groups.values():
            group.nodes = sorted(set(group.nodes))
        self.path: Path | None = Path(path) if path is not None else None
        self.port_lookup: PortLookup | None = port_lookup
        if registry is not None and port_lookup is None:
            self.use_registry(registry)
        self._in: dict[str, set[Edge]] = {nid: set() for nid in self._flow.nodes}
        self._out: dict[str, set[Edge]] = {nid: set() for nid in self._flow.nodes}
        for edge in self._flow.edges:
            self._out[edge.source].add(edge)
            self._in[edge.target].add(edge)
        self._subscribers: list[Callable[[DocumentEvent], None]] = []
        self._events: list[DocumentEvent] = []
        self._busy = False
        self._revision = 0
        self._saved_revision = 0

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, registry: Registry | None = None
    ) -> FlowDocument:
        """Load a `.loom` file (raises `FlowFileError`)."""
        return cls(load_flow(path), path=path, registry=registry, copy=False)

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write the flow atomically to `path` (default: `self.path`) and mark it saved."""
        target = path if path is not None else self.path
        if target is None:
            raise ValueError("the document has no path yet; give one to save it")
        save_flow(self._flow, target)
        self.mark_saved(target)

    # -- state ---------------------------------------------------------------------

    @property
    def flow(self) -> Flow:
        return self._flow

    @property
    def revision(self) -> int:
        return self._revision

    @property
    def dirty(self) -> bool:
        return self._revision != self._saved_revision

    def mark_saved(self, path: str | os.PathLike[str] | None = None) -> None:
        """Record the current revision as the saved one (and the path, when given)."""
        was_dirty = self.dirty
        self._saved_revision = self._revision
        if path is not None:
            self.path = Path(path)
        if was_dirty:
            self._deliver([ed.DirtyChanged(False)])

    def use_registry(self, registry: Registry) -> None:
        """Check ports on connect against the static ports of `registry`'s node types."""
        self.port_lookup = registry_port_lookup(lambda: self, registry)

    def incoming(self, node_id: str) -> list[Edge]:
        """Edges into a node, sorted (O(in-degree))."""
        return sorted(self._in.get(node_id, ()))

    def outgoing(self, node_id: str) -> list[Edge]:
        """Edges out of a node, sorted (O(out-degree))."""
        return sorted(self._out.get(node_id, ()))

    # -- events --------------------------------------------------------------------

    def subscribe(self, callback: Callable[[DocumentEvent], None]) -> Callable[[], None]:
        """Call `callback(event)` after each change; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self.unsubscribe(callback)

    def unsubscribe(self, callback: Callable[[DocumentEvent], None]) -> None:
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    def _deliver(self, events: Iterable[DocumentEvent]) -> None:
        for event in events:
            for callback in list(self._subscribers):
                try:
                    callback(event)
                except Exception:  # one broken view must not break the document
                    _log.exception("document subscriber %r failed on %r", callback, event)

    # -- applying edits ------------------------------------------------------------

    def apply(self, edit: Edit) -> Edit:
        """Apply `edit` and return its inverse; raises `EditError` leaving nothing changed.

        Events are delivered after the whole edit succeeded. Subscribers may not apply
        edits while being notified.
        """
        if self._busy:
            raise EditError("cannot apply an edit while another one is being applied or announced")
        self._busy = True
        try:
            self._events = []
            was_dirty = self.dirty
            inverse = self._apply(edit)
            self._revision += 1
            events = self._events
            self._events = []
            if self.dirty != was_dirty:
                events.append(ed.DirtyChanged(self.dirty))
            self._deliver(events)
            return inverse
        finally:
            self._events = []
            self._busy = False

    def can_connect(self, edge: Edge) -> str | None:
        """Why `Connect(edge)` would be refused, or None when it would be accepted."""
        try:
            self._check_connect(edge, full=True)
        except EditError as exc:
            return str(exc)
        return None

    def _apply(self, edit: Any) -> Edit:
        handler = _HANDLERS.get(type(edit))
        if handler is None:
            raise EditError(f"not an edit: {edit!r}")
        return handler(self, edit)

    def _batch(self, edit: Batch) -> Edit:
        if not isinstance(edit.edits, (tuple, list)):
            raise EditError("Batch.edits must be a tuple of edits")
        done: list[Edit] = []
        mark = len(self._events)
        try:
            for sub in edit.edits:
                done.append(self._apply(sub))
        except BaseException:
            for inverse in reversed(done):
                self._apply(inverse)
            del self._events[mark:]
            raise
        return Batch(tuple(reversed(done)))

    # -- nodes -----------------------------------------------------------------------

    def _label(self, node_id: str) -> str:
        node = self._flow.nodes.get(node_id)
        return f"'{node.title}' ({node_id})" if node is not None and node.title else node_id

    def _node(self, node_id: Any) -> NodeInstance:
        node = self._flow.nodes.get(node_id) if isinstance(node_id, str) else None
        if node is None:
            raise EditError(f"there is no node {node_id!r} in the flow")
        return node

    @staticmethod
    def _new_id(item_id: Any, existing: Mapping[str, Any], kind: str) -> str:
        if not isinstance(item_id, str) or not ID_RE.match(item_id):
            raise EditError(f"{item_id!r} is not a valid {kind} id (a letter, then letters, digits, '_')")
        if item_id in existing:
            raise EditError(f"there is already a {kind} with id {item_id!r}")
        return item_id

    def _add_node(self, edit: ed.AddNode) -> Edit:
        nid = self._new_id(edit.node_id, self._flow.nodes, "node")
        node = check_model(NodeInstance, edit.node, f"node {nid}")
        if not isinstance(edit.edges, (tuple, list)) or not isinstance(edit.groups, (tuple, list)):
            raise EditError(f"node {nid}: edges and groups are tuples")
        edges = sorted({check_edge(e) for e in edit.edges})
        if len(edges) != len(edit.edges):
            raise EditError(f"node {nid}: the same edge is listed twice")
        for edge in edges:
            if nid not in (edge.source, edge.target):
                raise EditError(f"edge '{edge}' does not touch the new node {nid}")
            for end in (edge.source, edge.target):
                if end != nid:
                    self._node(end)
        groups = sorted({g for g in edit.groups if isinstance(g, str)})
        for gid in edit.groups:
            if not isinstance(gid, str) or gid not in self._flow.groups:
                raise EditError(f"there is no group {gid!r} in the flow")
        self._flow.nodes[nid] = node
        self._in[nid], self._out[nid] = set(), set()
        self._events.append(ed.NodeAdded(nid))
        for edge in edges:
            self._insert_edge(edge)
        for gid in groups:
            bisect.insort(self._flow.groups[gid].nodes, nid)
            self._events.append(ed.GroupChanged(gid, ("nodes",)))
        return ed.RemoveNode(nid)

    def _remove_node(self, edit: ed.RemoveNode) -> Edit:
        self._node(edit.node_id)
        nid = edit.node_id
        edges = tuple(sorted(self._in[nid] | self._out[nid]))
        groups = tuple(sorted(g for g, group in self._flow.groups.items() if _in_sorted(group.nodes, nid)))
        for edge in edges:
            self._delete_edge(edge)
        for gid in groups:
            self._flow.groups[gid].nodes.remove(nid)
            self._events.append(ed.GroupChanged(gid, ("nodes",)))
        node = self._flow.nodes.pop(nid)
        del self._in[nid], self._out[nid]
        self._events.append(ed.NodeRemoved(nid))
        return ed.AddNode(nid, node, edges, groups)

    def _set_config(self, edit: ed.SetConfig) -> Edit:
        node = self._node(edit.node_id)
        if not isinstance(edit.config, Mapping):
            raise EditError(f"node {edit.node_id}: a config is a dict, not {type(edit.config).__name__}")
        config = check_json(edit.config, f"node {edit.node_id}: config")
        old, node.config = node.config, config
        self._events.append(ed.NodeChanged(edit.node_id, ("config",)))
        return ed.SetConfig(edit.node_id, old)

    def _set_node_props(self, edit: ed.SetNodeProps) -> Edit:
        node = self._node(edit.node_id)
        new = changes_of(edit, NODE_PROP_CHECKS, f"node {edit.node_id}")
        old = {name: getattr(node, name) for name in new}
        for name, value in new.items():
            setattr(node, name, value)
        if new:
            self._events.append(ed.NodeChanged(edit.node_id, tuple(new)))
        return ed.SetNodeProps(edit.node_id, **old)

    def _move_nodes(self, edit: ed.MoveNodes) -> Edit:
        if not isinstance(edit.moves, (tuple, list)):
            raise EditError("MoveNodes.moves must be a tuple of (node_id, x, y)")
        moves: list[tuple[str, float, float]] = []
        seen: set[str] = set()
        for move in edit.moves:
            if not isinstance(move, (tuple, list)) or len(move) != 3:
                raise EditError(f"a move is (node_id, x, y), not {move!r}")
            nid, x, y = move
            self._node(nid)
            if nid in seen:
                raise EditError(f"node {nid} is moved twice in one edit")
            seen.add(nid)
            moves.append((nid, check_number(x, f"node {nid}: x"), check_number(y, f"node {nid}: y")))
        old = []
        for nid, x, y in moves:
            node = self._flow.nodes[nid]
            old.append((nid, node.layout.x, node.layout.y))
            node.layout = Layout(x=x, y=y)
        if moves:
            self._events.append(ed.NodesMoved(tuple(m[0] for m in moves)))
        return ed.MoveNodes(tuple(old))

    # -- edges -----------------------------------------------------------------------

    def _insert_edge(self, edge: Edge) -> None:
        bisect.insort(self._flow.edges, edge)
        self._out[edge.source].add(edge)
        self._in[edge.target].add(edge)
        self._events.append(ed.EdgeAdded(edge))

    def _delete_edge(self, edge: Edge) -> None:
        edges = self._flow.edges
        i = bisect.bisect_left(edges, edge)
        if i >= len(edges) or edges[i] != edge:  # pragma: no cover - index out of sync
            raise RuntimeError(f"edge {edge} is indexed but not in the flow")
        del edges[i]
        self._out[edge.source].discard(edge)
        self._in[edge.target].discard(edge)
        self._events.append(ed.EdgeRemoved(edge))

    def _check_connect(self, edge: Any, *, full: bool) -> Edge:
        edge = check_edge(edge)
        for end in (edge.source, edge.target):
            if end not in self._flow.nodes:
                raise EditError(f"cannot connect '{edge}': there is no node {end!r} in the flow")
        if edge in self._out[edge.source]:
            raise EditError(f"'{edge}' is already connected")
        if not full:
            return edge
        if edge.source == edge.target:
            raise EditError(f"cannot connect '{edge}': {self._label(edge.source)} cannot feed itself")
        self._check_ports(edge)
        for other in self._in[edge.target]:
            if other.target_port == edge.target_port:
                raise EditError(
                    f"cannot connect '{edge}': input '{edge.target_port}' of "
                    f"{self._label(edge.target)} is already fed by '{other}'"
                )
        path = self._path(edge.target, edge.source)
        if path is not None:
            names = [self._label(n) for n in [*path, edge.target]]
            if len(names) > 8:
                names = [*names[:4], f"... {len(names) - 7} more ...", *names[-3:]]
            raise EditError(f"cannot connect '{edge}': it would make a cycle: {' -> '.join(names)}")
        return edge

    def _check_ports(self, edge: Edge) -> None:
        if self.port_lookup is None:
            return
        source_ports = self.port_lookup(edge.source)
        target_ports = self.port_lookup(edge.target)
        out_spec = in_spec = None
        if source_ports is not None:
            out_spec = source_ports[1].get(edge.source_port)
            if out_spec is None:
                names = ", ".join(sorted(source_ports[1])) or "none"
                raise EditError(
                    f"cannot connect '{edge}': {self._label(edge.source)} has no output "
                    f"'{edge.source_port}' (its outputs: {names})"
                )
        if target_ports is not None:
            in_spec = target_ports[0].get(edge.target_port)
            if in_spec is None:
                names = ", ".join(sorted(target_ports[0])) or "none"
                raise EditError(
                    f"cannot connect '{edge}': {self._label(edge.target)} has no input "
                    f"'{edge.target_port}' (its inputs: {names})"
                )
        if out_spec is not None and in_spec is not None:
            reason = incompatibility_reason(out_spec.type, in_spec.type)
            if reason:
                raise EditError(f"cannot connect '{edge}': {reason}")

    def _path(self, start: str, goal: str) -> list[str] | None:
        """A path of nodes from `start` to `goal` along edges (DFS), or None."""
        parent: dict[str, str | None] = {start: None}
        stack = [start]
        while stack:
            nid = stack.pop()
            if nid == goal:
                path: list[str] = []
                step: str | None = nid
                while step is not None:
                    path.append(step)
                    step = parent[step]
                return path[::-1]
            for edge in self._out[nid]:
                if edge.target not in parent:
                    parent[edge.target] = nid
                    stack.append(edge.target)
        return None

    def _connect(self, edit: ed.Connect) -> Edit:
        edge = self._check_connect(edit.edge, full=not edit.restore)
        self._insert_edge(edge)
        return ed.Disconnect(edge)

    def _disconnect(self, edit: ed.Disconnect) -> Edit:
        edge = check_edge(edit.edge)
        if edge not in self._out.get(edge.source, ()):
            raise EditError(f"'{edge}' is not connected")
        self._delete_edge(edge)
        return ed.Connect(edge, restore=True)

    # -- notes, groups, flow info ------------------------------------------------------

    def _add_note(self, edit: ed.AddNote) -> Edit:
        note_id = self._new_id(edit.note_id, self._flow.notes, "note")
        self._flow.notes[note_id] = check_model(Note, edit.note, f"note {note_id}")
        self._events.append(ed.NoteAdded(note_id))
        return ed.RemoveNote(note_id)

    def _remove_note(self, edit: ed.RemoveNote) -> Edit:
        if not isinstance(edit.note_id, str) or edit.note_id not in self._flow.notes:
            raise EditError(f"there is no note {edit.note_id!r} in the flow")
        note = self._flow.notes.pop(edit.note_id)
        self._events.append(ed.NoteRemoved(edit.note_id))
        return ed.AddNote(edit.note_id, note)

    def _update_note(self, edit: ed.UpdateNote) -> Edit:
        note = self._flow.notes.get(edit.note_id) if isinstance(edit.note_id, str) else None
        if note is None:
            raise EditError(f"there is no note {edit.note_id!r} in the flow")
        new = changes_of(edit, NOTE_CHECKS, f"note {edit.note_id}")
        old = {name: getattr(note, name) for name in new}
        for name, value in new.items():
            setattr(note, name, value)
        if new:
            self._events.append(ed.NoteChanged(edit.note_id, tuple(new)))
        return ed.UpdateNote(edit.note_id, **old)

    def _group_nodes(self, value: Any, where: str) -> list[str]:
        if isinstance(value, str) or not isinstance(value, (tuple, list, set, frozenset)):
            raise EditError(f"{where}: expected a tuple of node ids")
        for nid in value:
            self._node(nid)
        return sorted(set(value))

    def _add_group(self, edit: ed.AddGroup) -> Edit:
        gid = self._new_id(edit.group_id, self._flow.groups, "group")
        group = check_model(Group, edit.group, f"group {gid}")
        group.nodes = self._group_nodes(group.nodes, f"group {gid}")
        self._flow.groups[gid] = group
        self._events.append(ed.GroupAdded(gid))
        return ed.RemoveGroup(gid)

    def _remove_group(self, edit: ed.RemoveGroup) -> Edit:
        if not isinstance(edit.group_id, str) or edit.group_id not in self._flow.groups:
            raise EditError(f"there is no group {edit.group_id!r} in the flow")
        group = self._flow.groups.pop(edit.group_id)
        self._events.append(ed.GroupRemoved(edit.group_id))
        return ed.AddGroup(edit.group_id, group)

    def _update_group(self, edit: ed.UpdateGroup) -> Edit:
        group = self._flow.groups.get(edit.group_id) if isinstance(edit.group_id, str) else None
        if group is None:
            raise EditError(f"there is no group {edit.group_id!r} in the flow")
        checks = {"title": check_text, "color": check_text, "nodes": self._group_nodes}
        new = changes_of(edit, checks, f"group {edit.group_id}")
        old = {name: getattr(group, name) for name in new}
        if "nodes" in old:
            old["nodes"] = tuple(old["nodes"])
        for name, value in new.items():
            setattr(group, name, value)
        if new:
            self._events.append(ed.GroupChanged(edit.group_id, tuple(new)))
        return ed.UpdateGroup(edit.group_id, **old)

    def _set_flow_info(self, edit: ed.SetFlowInfo) -> Edit:
        new = changes_of(edit, FLOW_INFO_CHECKS, "flow")
        old = {name: getattr(self._flow, name) for name in new}
        for name, value in new.items():
            setattr(self._flow, name, value)
        if new:
            self._events.append(ed.FlowChanged(tuple(new)))
        return ed.SetFlowInfo(**old)

    def _add_trigger(self, edit: ed.AddTrigger) -> Edit:
        tid = self._new_id(edit.trigger_id, self._flow.triggers, "trigger")
        self._flow.triggers[tid] = check_trigger(edit.trigger, f"trigger {tid}")
        self._events.append(ed.TriggerAdded(tid))
        return ed.RemoveTrigger(tid)

    def _existing_trigger(self, trigger_id: Any) -> str:
        if not isinstance(trigger_id, str) or trigger_id not in self._flow.triggers:
            raise EditError(f"there is no trigger {trigger_id!r} in the flow")
        return trigger_id

    def _remove_trigger(self, edit: ed.RemoveTrigger) -> Edit:
        tid = self._existing_trigger(edit.trigger_id)
        trigger = self._flow.triggers.pop(tid)
        self._events.append(ed.TriggerRemoved(tid))
        return ed.AddTrigger(tid, trigger)

    def _set_trigger(self, edit: ed.SetTrigger) -> Edit:
        tid = self._existing_trigger(edit.trigger_id)
        new = check_trigger(edit.trigger, f"trigger {tid}")
        old, self._flow.triggers[tid] = self._flow.triggers[tid], new
        self._events.append(ed.TriggerChanged(tid))
        return ed.SetTrigger(tid, old)


_HANDLERS: dict[type, Callable[[FlowDocument, Any], Edit]] = {
    ed.AddNode: FlowDocument._add_node,
    ed.RemoveNode: FlowDocument._remove_node,
    ed.Connect: FlowDocument._connect,
    ed.Disconnect: FlowDocument._disconnect,
    ed.SetConfig: FlowDocument._set_config,
    ed.SetNodeProps: FlowDocument._set_node_props,
    ed.MoveNodes: FlowDocument._move_nodes,
    ed.AddNote: FlowDocument._add_note,
    ed.RemoveNote: FlowDocument._remove_note,
    ed.UpdateNote: FlowDocument._update_note,
    ed.AddGroup: FlowDocument._add_group,
    ed.RemoveGroup: FlowDocument._remove_group,
    ed.UpdateGroup: FlowDocument._update_group,
    ed.SetFlowInfo: FlowDocument._set_flow_info,
    ed.AddTrigger: FlowDocument._add_trigger,
    ed.RemoveTrigger: FlowDocument._remove_trigger,
    ed.SetTrigger: FlowDocument._set_trigger,
    Batch: FlowDocument._batch,
}


# ----- port lookup from a registry ------------------------------------------------------


def _path_of(source: Flow | FlowDocument) -> Path | None:
    return source.path if isinstance(source, FlowDocument) else None


def registry_port_lookup(
    doc_getter: Callable[[], Flow | FlowDocument], registry: Registry
) -> PortLookup:
    """A `PortLookup` from the node types' `static_ports()`.

    `doc_getter` returns the current flow (or document). Nodes whose type is unknown get
    None: their connections are not port-checked here. Ports that depend on config are
    resolved for the current config. A node whose errors are routed (`on_error ==
    "route"`) also has the `error` output.
    """
    cache: dict[str, tuple[dict[str, PortSpec], dict[str, PortSpec]]] = {}
    error_port = PortSpec(ERROR_PORT, "Error", PortType.RECORD, description="the error, when this node fails")

    def lookup(node_id: str) -> tuple[dict[str, PortSpec], dict[str, PortSpec]] | None:
        source = doc_getter()
        flow = source.flow if isinstance(source, FlowDocument) else source
        node = flow.nodes.get(node_id)
        node_type = registry.get(node.type) if node is not None else None
        if node_type is None:
            return None
        if node_type.dynamic_ports:
            resolved = resolve_node_ports(flow, node_id, registry, flow_path=_path_of(source))
            return None if resolved is None else (resolved.inputs, resolved.outputs)
        ports = cache.get(node_type.type_id)
        if ports is None:
            ins, outs = node_type.static_ports()
            ports = cache[node_type.type_id] = ({p.id: p for p in ins}, {p.id: p for p in outs})
        if node is not None and node.settings.on_error == "route" and ERROR_PORT not in ports[1]:
            return ports[0], {**ports[1], ERROR_PORT: error_port}
        return ports

    return lookup

