"""The vocabulary of a `FlowDocument`: edits (what may change) and events (what changed).

Edits are small frozen dataclasses, pure data; `FlowDocument.apply` validates and applies
them and returns the inverse edit. Fields left at `UNCHANGED` are not touched. Events are
plain frozen dataclasses delivered to the document's subscribers after an edit succeeded.
Also here: the payload checks `FlowDocument` shares (not API), and the clipboard helpers
that turn a selection into a JSON snippet and a snippet into a `Batch` with fresh ids.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from runtime.flow import Edge, Flow, FlowPort, Group, Layout, NodeInstance, NodeSettings, Note, new_id
from runtime.trigger_edits import (
    AddTrigger,
    RemoveTrigger,
    SetTrigger,
    TriggerAdded,
    TriggerChanged,
    TriggerRemoved,
)
from runtime.triggers import Trigger

__all__ = [
    "SNIPPET_FORMAT",
    "UNCHANGED",
    "AddGroup",
    "AddNode",
    "AddNote",
    "AddTrigger",
    "Batch",
    "Connect",
    "DirtyChanged",
    "Disconnect",
    "DocumentEvent",
    "EdgeAdded",
    "EdgeRemoved",
    "Edit",
    "EditError",
    "FlowChanged",
    "GroupAdded",
    "GroupChanged",
    "GroupRemoved",
    "MoveNodes",
    "NodeAdded",
    "NodeChanged",
    "NodeRemoved",
    "NodesMoved",
    "NoteAdded",
    "NoteChanged",
    "NoteRemoved",
    "RemoveGroup",
    "RemoveNode",
    "RemoveNote",
    "RemoveTrigger",
    "SetConfig",
    "SetFlowInfo",
    "SetNodeProps",
    "SetTrigger",
    "TriggerAdded",
    "TriggerChanged",
    "TriggerRemoved",
    "Unchanged",
    "UpdateGroup",
    "UpdateNote",
    "copy_selection",
    "describe_edit",
    "duplicate_edit",
    "paste_edit",
]


class EditError(Exception):
    """An edit was refused; the document is unchanged. The message is meant for the user."""


class Unchanged(Enum):
    """Type of the `UNCHANGED` sentinel: "leave this field as it is"."""

    UNCHANGED = "UNCHANGED"

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = Unchanged.UNCHANGED

SNIPPET_FORMAT = "loomwork.snippet"
_SNIPPET_VERSION = 1
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
PORT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_M = TypeVar("_M", bound=BaseModel)


# ----- edits --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddNode:
    """Add a node. `edges` and `groups` re-create its connections and group memberships
    exactly (the inverse of `RemoveNode`); they are checked for structure only, so use
    `Connect` for new connections."""

    node_id: str
    node: NodeInstance
    edges: tuple[Edge, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RemoveNode:
    """Remove a node with its edges and group memberships."""

    node_id: str


@dataclass(frozen=True, slots=True)
class Connect:
    """Add an edge. `restore=True` (used by inverses) skips the cycle, fed-input and port
    checks so that an edge which existed before is always re-created exactly."""

    edge: Edge
    restore: bool = False


@dataclass(frozen=True, slots=True)
class Disconnect:
    """Remove an edge."""

    edge: Edge


@dataclass(frozen=True, slots=True)
class SetConfig:
    """Replace a node's whole (raw, JSON-able) config."""

    node_id: str
    config: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SetNodeProps:
    """Change a node's title, description, settings or pinned data (`None` unpins)."""

    node_id: str
    title: str | Unchanged = UNCHANGED
    description: str | Unchanged = UNCHANGED
    settings: NodeSettings | Mapping[str, Any] | Unchanged = UNCHANGED
    pinned: dict[str, Any] | Unchanged | None = UNCHANGED


@dataclass(frozen=True, slots=True)
class MoveNodes:
    """Move nodes to new canvas positions: `((node_id, x, y), ...)`."""

    moves: tuple[tuple[str, float, float], ...]


@dataclass(frozen=True, slots=True)
class AddNote:
    """Add a sticky note."""

    note_id: str
    note: Note


@dataclass(frozen=True, slots=True)
class RemoveNote:
    """Remove a sticky note."""

    note_id: str


@dataclass(frozen=True, slots=True)
class UpdateNote:
    """Change some fields of a sticky note."""

    note_id: str
    text: str | Unchanged = UNCHANGED
    color: str | Unchanged = UNCHANGED
    x: float | Unchanged = UNCHANGED
    y: float | Unchanged = UNCHANGED
    width: float | Unchanged = UNCHANGED
    height: float | Unchanged = UNCHANGED


@dataclass(frozen=True, slots=True)
class AddGroup:
    """Add a group frame around existing nodes."""

    group_id: str
    group: Group


@dataclass(frozen=True, slots=True)
class RemoveGroup:
    """Remove a group frame (its nodes stay)."""

    group_id: str


@dataclass(frozen=True, slots=True)
class UpdateGroup:
    """Change a group's title, colour or member nodes (the whole member list)."""

    group_id: str
    title: str | Unchanged = UNCHANGED
    color: str | Unchanged = UNCHANGED
    nodes: tuple[str, ...] | Unchanged = UNCHANGED


@dataclass(frozen=True, slots=True)
class SetFlowInfo:
    """Change the flow's name, description, or its declared inputs/outputs (whole dicts)."""

    name: str | Unchanged = UNCHANGED
    description: str | Unchanged = UNCHANGED
    inputs: Mapping[str, FlowPort] | Unchanged = UNCHANGED
    outputs: Mapping[str, FlowPort] | Unchanged = UNCHANGED


@dataclass(frozen=True, slots=True)
class Batch:
    """Several edits applied in order as one; all or nothing."""

    edits: tuple[Edit, ...]


Edit = (
    AddNode | RemoveNode | Connect | Disconnect | SetConfig | SetNodeProps | MoveNodes
    | AddNote | RemoveNote | UpdateNote | AddGroup | RemoveGroup | UpdateGroup
    | SetFlowInfo | AddTrigger | RemoveTrigger | SetTrigger | Batch
)


def describe_edit(edit: Edit) -> str:
    """A short human label for an edit (e.g. for an undo menu entry)."""
    if isinstance(edit, Batch):
        kinds = {type(e) for e in edit.edits}
        if len(kinds) == 1:
            return describe_edit(edit.edits[0]) + (f" (×{len(edit.edits)})" if len(edit.edits) > 1 else "")
        return f"{len(edit.edits)} changes"
    if isinstance(edit, MoveNodes):
        count = len(edit.moves)
        return "Move node" if count == 1 else f"Move {count} nodes"
    labels = {
        AddNode: "Add node", RemoveNode: "Delete node", Connect: "Connect", Disconnect: "Disconnect",
        SetConfig: "Change settings", SetNodeProps: "Change node", AddNote: "Add note",
        RemoveNote: "Delete note", UpdateNote: "Change note", AddGroup: "Add group",
        RemoveGroup: "Delete group", UpdateGroup: "Change group", SetFlowInfo: "Change flow",
        AddTrigger: "Add schedule", RemoveTrigger: "Remove schedule", SetTrigger: "Change schedule",
    }
    return labels.get(type(edit), type(edit).__name__)


# ----- events ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeAdded:
    node_id: str


@dataclass(frozen=True, slots=True)
class NodeRemoved:
    node_id: str


@dataclass(frozen=True, slots=True)
class NodeChanged:
    """Some of `title`, `description`, `config`, `settings`, `pinned` changed."""

    node_id: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NodesMoved:
    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EdgeAdded:
    edge: Edge


@dataclass(frozen=True, slots=True)
class EdgeRemoved:
    edge: Edge


@dataclass(frozen=True, slots=True)
class NoteAdded:
    note_id: str


@dataclass(frozen=True, slots=True)
class NoteRemoved:
    note_id: str


@dataclass(frozen=True, slots=True)
class NoteChanged:
    note_id: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupAdded:
    group_id: str


@dataclass(frozen=True, slots=True)
class GroupRemoved:
    group_id: str


@dataclass(frozen=True, slots=True)
class GroupChanged:
    group_id: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FlowChanged:
    """Some of the flow's `name`, `description`, `inputs`, `outputs` changed."""

    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DirtyChanged:
    """The document's unsaved-changes flag flipped."""

    dirty: bool


DocumentEvent = (
    NodeAdded | NodeRemoved | NodeChanged | NodesMoved | EdgeAdded | EdgeRemoved
    | NoteAdded | NoteRemoved | NoteChanged | GroupAdded | GroupRemoved | GroupChanged
    | TriggerAdded | TriggerRemoved | TriggerChanged | FlowChanged | DirtyChanged
)


# ----- payload checks (shared with runtime.document, not API) ---------------------------


def _json_value(value: Any, where: str) -> Any:
    if value is None or type(value) in (str, bool, int):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EditError(f"{where}: {value} is not a finite number")
        return float(value)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise EditError(f"{where}: keys must be text, not {type(key).__name__}")
            out[str.__str__(key)] = _json_value(item, where)
        return out
    if isinstance(value, (list, tuple)):
        return [_json_value(item, where) for item in value]
    raise EditError(f"{where}: a {type(value).__name__} cannot be stored in a flow (JSON values only)")


def check_json(value: Any, where: str) -> Any:
    """A deep copy of a JSON-able value, or EditError naming `where`."""
    try:
        return _json_value(value, where)
    except RecursionError:
        raise EditError(f"{where}: nested too deeply") from None


def describe_validation(error: ValidationError) -> str:
    item = error.errors()[0]
    loc = ".".join(str(p) for p in item["loc"])
    return (f"{loc}: " if loc else "") + item["msg"].removeprefix("Value error, ")


def check_model(cls: type[_M], value: Any, where: str) -> _M:
    """A validated copy of `value` (a `cls` instance or a mapping) that nothing else holds."""
    if isinstance(value, cls):
        value = value.model_dump()
    elif not isinstance(value, Mapping):
        raise EditError(f"{where}: expected a {cls.__name__}, got {type(value).__name__}")
    try:
        return cls.model_validate(check_json(value, where))
    except ValidationError as exc:
        raise EditError(f"{where}: {describe_validation(exc)}") from None


_TRIGGER: TypeAdapter[Any] = TypeAdapter(Trigger)


def check_trigger(value: Any, where: str) -> Any:
    """A validated copy of a trigger (a trigger model or a mapping with its `kind`)."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    elif not isinstance(value, Mapping):
        raise EditError(f"{where}: expected a trigger, got {type(value).__name__}")
    try:
        return _TRIGGER.validate_python(check_json(value, where))
    except ValidationError as exc:
        raise EditError(f"{where}: {describe_validation(exc)}") from None


def check_text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise EditError(f"{where}: expected text, got {type(value).__name__}")
    return str.__str__(value)


def check_number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise EditError(f"{where}: expected a finite number, got {value!r}")
    return float(value)


def check_edge(value: Any) -> Edge:
    if not isinstance(value, Edge):
        raise EditError(f"expected an Edge, got {type(value).__name__}")
    fields = (value.source, value.source_port, value.target, value.target_port)
    if not all(isinstance(f, str) for f in fields) or not (
        ID_RE.match(value.source) and ID_RE.match(value.target)
        and PORT_RE.match(value.source_port) and PORT_RE.match(value.target_port)
    ):
        raise EditError(f"malformed edge {value!r}: ids and ports are letters, digits and '_'")
    return value


def changes_of(edit: Any, checks: Mapping[str, Callable[[Any, str], Any]], where: str) -> dict[str, Any]:
    """The checked values of the fields of `edit` that are not `UNCHANGED`."""
    return {
        name: check(getattr(edit, name), f"{where}: {name}")
        for name, check in checks.items()
        if getattr(edit, name) is not UNCHANGED
    }


def check_pinned(value: Any, where: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise EditError(f"{where}: pinned data is a dict of output values or None")
    return check_json(value, where)


def check_flow_ports(value: Any, where: str) -> dict[str, FlowPort]:
    if not isinstance(value, Mapping):
        raise EditError(f"{where}: expected a dict of ports by name")
    ports = {}
    for name, port in value.items():
        if not isinstance(name, str) or not PORT_RE.match(name):
            raise EditError(f"{where}: {name!r} is not a valid port name (letters, digits and '_')")
        ports[name] = check_model(FlowPort, port, f"{where}: {name}")
    return ports


def _check_settings(value: Any, where: str) -> NodeSettings:
    return check_model(NodeSettings, value, where)


Check = Callable[[Any, str], Any]
NODE_PROP_CHECKS: dict[str, Check] = {
    "title": check_text, "description": check_text, "settings": _check_settings, "pinned": check_pinned,
}
NOTE_CHECKS: dict[str, Check] = {
    "text": check_text, "color": check_text, "x": check_number, "y": check_number,
    "width": check_number, "height": check_number,
}
FLOW_INFO_CHECKS: dict[str, Check] = {
    "name": check_text, "description": check_text, "inputs": check_flow_ports, "outputs": check_flow_ports,
}


# ----- clipboard ---------------------------------------------------------------------------


def copy_selection(flow: Flow, node_ids: Iterable[str], note_ids: Iterable[str] = ()) -> dict[str, Any]:
    """A JSON-able snippet of the selected nodes, the edges among them, and notes."""
    nodes = sorted(set(node_ids))
    notes = sorted(set(note_ids))
    for nid in nodes:
        if nid not in flow.nodes:
            raise EditError(f"there is no node {nid!r} in the flow")
    for tid in notes:
        if tid not in flow.notes:
            raise EditError(f"there is no note {tid!r} in the flow")
    chosen = set(nodes)
    return {
        "format": SNIPPET_FORMAT,
        "version": _SNIPPET_VERSION,
        "nodes": {nid: flow.nodes[nid].model_dump(mode="json") for nid in nodes},
        "edges": sorted(str(e) for e in flow.edges if e.source in chosen and e.target in chosen),
        "notes": {tid: flow.notes[tid].model_dump(mode="json") for tid in notes},
    }


def _fresh(prefix: str, taken: set[str]) -> str:
    while True:
        candidate = new_id(prefix)
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _snippet_items(snippet: Any, key: str, cls: type[_M]) -> dict[str, _M]:
    raw = snippet.get(key, {})
    if not isinstance(raw, Mapping):
        raise EditError(f"snippet: '{key}' must be an object of items by id")
    items = {}
    for item_id, value in raw.items():
        if not isinstance(item_id, str) or not ID_RE.match(item_id):
            raise EditError(f"snippet: {item_id!r} is not a valid id")
        items[item_id] = check_model(cls, value, f"snippet: {key[:-1]} {item_id}")
    return items


def _parse_snippet(snippet: Any) -> tuple[dict[str, NodeInstance], list[Edge], dict[str, Note]]:
    if isinstance(snippet, (str, bytes)):
        try:
            snippet = json.loads(snippet)
        except ValueError as exc:
            raise EditError(f"the clipboard does not hold a Loomwork snippet ({exc})") from None
    if not isinstance(snippet, Mapping):
        raise EditError("the clipboard does not hold a Loomwork snippet (not an object)")
    if snippet.get("format", SNIPPET_FORMAT) != SNIPPET_FORMAT:
        raise EditError(f"not a Loomwork snippet (format {snippet.get('format')!r})")
    version = snippet.get("version", _SNIPPET_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version > _SNIPPET_VERSION:
        raise EditError(f"snippet version {version!r} is not supported; update Loomwork")
    nodes = _snippet_items(snippet, "nodes", NodeInstance)
    notes = _snippet_items(snippet, "notes", Note)
    raw_edges = snippet.get("edges", [])
    if not isinstance(raw_edges, list) or not all(isinstance(e, str) for e in raw_edges):
        raise EditError("snippet: 'edges' must be a list of 'n_a.port -> n_b.port' strings")
    edges = []
    for text in raw_edges:
        try:
            edge = Edge.parse(text)
        except ValueError as exc:
            raise EditError(f"snippet: {exc}") from None
        if edge.source not in nodes or edge.target not in nodes:
            raise EditError(f"snippet: edge '{edge}' refers to a node that is not in the snippet")
        edges.append(edge)
    return nodes, sorted(set(edges)), notes


def paste_edit(flow: Flow, snippet: Any, offset: tuple[float, float] = (0.0, 0.0)) -> Batch:
    """A `Batch` adding the snippet's nodes, edges and notes with NEW ids, moved by `offset`.

    `snippet` is a dict from `copy_selection` (or its JSON text). A malformed snippet
    raises `EditError`. Edges are added with `Connect`, so they are checked on apply.
    """
    try:
        if not isinstance(offset, (tuple, list)) or len(offset) != 2:
            raise EditError("offset is (dx, dy)")
        dx, dy = check_number(offset[0], "offset"), check_number(offset[1], "offset")
        nodes, edges, notes = _parse_snippet(snippet)
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise EditError(f"malformed snippet: {exc}") from None
    taken = set(flow.nodes) | set(flow.notes) | set(flow.groups)
    new_ids = {old: _fresh("n", taken) for old in sorted(nodes)}
    edits: list[Edit] = []
    for old, node in sorted(nodes.items()):
        node.layout = Layout(x=node.layout.x + dx, y=node.layout.y + dy)
        edits.append(AddNode(new_ids[old], node))
    for _old, note in sorted(notes.items()):
        note.x, note.y = note.x + dx, note.y + dy
        edits.append(AddNote(_fresh("t", taken), note))
    for e in edges:
        edits.append(Connect(Edge(new_ids[e.source], e.source_port, new_ids[e.target], e.target_port)))
    return Batch(tuple(edits))


def duplicate_edit(
    flow: Flow, node_ids: Iterable[str], note_ids: Iterable[str] = (),
    offset: tuple[float, float] = (24.0, 24.0),
) -> Batch:
    """A `Batch` adding copies of the selected nodes (and notes) with new ids, shifted."""
    return paste_edit(flow, copy_selection(flow, node_ids, note_ids), offset)
