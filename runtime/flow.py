"""The `.loom` flow model: pydantic v2 models of a flow file (current format version).

Semantics (nodes, config, edges, settings) and layout (`x`, `y`) are kept apart: the
runtime ignores layout. Configs stay plain dicts here; they are validated against their
node type when the flow is compiled, so a flow whose node type is missing still loads.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from runtime.ports import PortType
from runtime.triggers import Trigger

__all__ = [
    "CURRENT_FORMAT_VERSION",
    "Edge",
    "Flow",
    "FlowPort",
    "FlowSignature",
    "Group",
    "Layout",
    "NodeInstance",
    "NodeSettings",
    "Note",
    "new_id",
]

CURRENT_FORMAT_VERSION = 4

_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_PORT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_EDGE_RE = re.compile(
    r"^\s*([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\s*->\s*"
    r"([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\s*$"
)
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def new_id(prefix: str = "n") -> str:
    """A fresh stable id: prefix, underscore, 8 random base32 characters (`n_ab12cd34`)."""
    return prefix + "_" + "".join(secrets.choice(_BASE32) for _ in range(8))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Layout(_Strict):
    """Where a node sits on the canvas; ignored by the runtime."""

    x: float = 0
    y: float = 0


class NodeSettings(_Strict):
    """How the engine treats one node: time limit, retries, what to do on error."""

    timeout_s: float | None = Field(default=None, gt=0, title="Time limit (s)")
    retries: int = Field(default=0, ge=0, le=100, title="Retries")
    retry_delay_s: float = Field(default=1.0, ge=0, le=3600, title="First retry delay (s)")
    on_error: Literal["fail", "continue", "route"] = Field(
        default="fail",
        title="On error",
        description="fail the run, continue other branches, or route to the error output",
    )
    disabled: bool = Field(default=False, title="Disabled")


class NodeInstance(_Strict):
    """One node in a flow: its type, config (raw), settings, pinned data and layout."""

    type: str = Field(min_length=1)
    type_version: int = Field(default=1, ge=1)
    title: str = ""
    description: str = ""
    config: dict[str, Any] = Field(default_factory=dict)
    settings: NodeSettings = Field(default_factory=NodeSettings)
    pinned: dict[str, Any] | None = None
    layout: Layout = Field(default_factory=Layout)


class FlowPort(_Strict):
    """A typed input or output of a whole flow (its signature, used by subflow nodes)."""

    type: PortType = PortType.ANY
    description: str = ""
    required: bool = False
    default: Any = None


class Note(_Strict):
    """A sticky note on the canvas."""

    text: str = ""
    color: str = "#fff3a8"
    x: float = 0
    y: float = 0
    width: float = 200
    height: float = 120


class Group(_Strict):
    """A titled frame around some nodes; moving it moves them."""

    title: str = ""
    color: str = "#5b8def"
    nodes: list[str] = Field(default_factory=list)

    @field_validator("nodes")
    @classmethod
    def _sorted_unique(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    """A connection from one node's output port to another node's input port."""

    source: str
    source_port: str
    target: str
    target_port: str

    def __str__(self) -> str:
        return f"{self.source}.{self.source_port} -> {self.target}.{self.target_port}"

    @classmethod
    def parse(cls, text: str) -> Edge:
        match = _EDGE_RE.match(text)
        if not match:
            raise ValueError(
                f"edge {text!r} is not of the form 'n_source.port -> n_target.port'"
            )
        return cls(*match.groups())


def _to_edge(value: Any) -> Edge:
    if isinstance(value, Edge):
        return value
    if isinstance(value, str):
        return Edge.parse(value)
    raise ValueError("an edge is a string 'n_source.port -> n_target.port'")


EdgeField = Annotated[
    Edge,
    PlainValidator(_to_edge),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _EDGE_RE.pattern}),
]


@dataclass(frozen=True, slots=True)
class FlowSignature:
    """The typed inputs and outputs of a flow."""

    inputs: dict[str, FlowPort]
    outputs: dict[str, FlowPort]


class Flow(_Strict):
    """A whole flow, as stored in a `.loom` file (format version 4)."""

    format_version: int = CURRENT_FORMAT_VERSION
    name: str = ""
    description: str = ""
    inputs: dict[str, FlowPort] = Field(default_factory=dict)
    outputs: dict[str, FlowPort] = Field(default_factory=dict)
    nodes: dict[str, NodeInstance] = Field(default_factory=dict)
    edges: list[EdgeField] = Field(default_factory=list)
    notes: dict[str, Note] = Field(default_factory=dict)
    groups: dict[str, Group] = Field(default_factory=dict)
    triggers: dict[str, Trigger] = Field(default_factory=dict)

    @field_validator("edges")
    @classmethod
    def _sort_edges(cls, value: list[Edge]) -> list[Edge]:
        return sorted(set(value))

    @field_validator("inputs", "outputs", "nodes", "notes", "groups", "triggers")
    @classmethod
    def _valid_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not (_ID_RE.match(key) or _PORT_RE.match(key)):
                raise ValueError(f"{key!r} is not a valid id (letters, digits and '_')")
        return value

    @model_validator(mode="after")
    def _edges_reference_nodes(self) -> Flow:
        for edge in self.edges:
            for node_id in (edge.source, edge.target):
                if node_id not in self.nodes:
                    raise ValueError(f"edge '{edge}' refers to node {node_id!r}, which is not in the flow")
        for group_id, group in self.groups.items():
            for node_id in group.nodes:
                if node_id not in self.nodes:
                    raise ValueError(f"group {group_id!r} lists node {node_id!r}, which is not in the flow")
        return self

    @property
    def signature(self) -> FlowSignature:
        return FlowSignature(inputs=dict(self.inputs), outputs=dict(self.outputs))

    def incoming(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.target == node_id]

    def outgoing(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]
