"""Typed run events and node/run states.

The same events feed the history store, the CLI's progress display and the studio.
Events are small slotted dataclasses holding only JSON-friendly data; treat them as
immutable (they are plain, not frozen, because a run creates thousands of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar

__all__ = [
    "EVENT_TYPES",
    "NodeCompleted",
    "NodeFailed",
    "NodeLog",
    "NodeMetrics",
    "NodeProgress",
    "NodeSkipped",
    "NodeStarted",
    "NodeState",
    "RunEvent",
    "RunFinished",
    "RunStarted",
    "RunStatus",
    "event_from_dict",
]


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


class NodeState(StrEnum):
    """Where a node is in a run. "cached" is a flag on COMPLETED, not a state."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    CANCELLED = "CANCELLED"
    CRASHED = "CRASHED"

    @property
    def terminal(self) -> bool:
        return self not in (NodeState.PENDING, NodeState.RUNNING)


class RunStatus(StrEnum):
    """Where a whole run is."""

    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    CRASHED = "CRASHED"


@dataclass(slots=True)
class RunEvent:
    """Base of all events: which run, and when (seconds since the epoch)."""

    kind: ClassVar[str] = "event"
    run_id: str
    t: float

    def to_dict(self) -> dict[str, Any]:
        cls = type(self)
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
        data = {name: getattr(self, name) for name in names}
        data["kind"] = self.kind
        return data


@dataclass(slots=True)
class RunStarted(RunEvent):
    kind: ClassVar[str] = "run_started"
    flow_name: str = ""
    flow_path: str = ""
    trigger: str = "manual"
    node_ids: tuple[str, ...] = ()


@dataclass(slots=True)
class NodeStarted(RunEvent):
    kind: ClassVar[str] = "node_started"
    node_id: str = ""
    type_id: str = ""
    attempt: int = 1


@dataclass(slots=True)
class NodeProgress(RunEvent):
    kind: ClassVar[str] = "node_progress"
    node_id: str = ""
    fraction: float | None = None
    message: str = ""


@dataclass(slots=True)
class NodeLog(RunEvent):
    kind: ClassVar[str] = "node_log"
    node_id: str = ""
    level: str = "info"
    message: str = ""


@dataclass(slots=True)
class NodeMetrics(RunEvent):
    """Measurements a step reports (an AI step: model, tokens in/out, time to first token, tok/s)."""

    kind: ClassVar[str] = "node_metrics"
    node_id: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class NodeCompleted(RunEvent):
    kind: ClassVar[str] = "node_completed"
    node_id: str = ""
    duration_ms: float = 0.0
    cached: bool = False
    pinned: bool = False
    ports: tuple[str, ...] = ()
    """The output ports that fired (a branch not taken fires none)."""
    items: dict[str, int] = field(default_factory=dict)
    """How many items passed on each fired port (rows of a table, entries of a list)."""


@dataclass(slots=True)
class NodeFailed(RunEvent):
    kind: ClassVar[str] = "node_failed"
    node_id: str = ""
    error: str = ""
    error_type: str = ""
    duration_ms: float = 0.0
    attempt: int = 1
    state: NodeState = NodeState.FAILED
    handled: bool = False
    """True when the node's on-error policy kept the run going (continue / route)."""
    evidence: dict[str, str] = field(default_factory=dict)
    """What helps to see why (label → file path or URL), e.g. a browser's screenshot."""


@dataclass(slots=True)
class NodeSkipped(RunEvent):
    kind: ClassVar[str] = "node_skipped"
    node_id: str = ""
    reason: str = ""


@dataclass(slots=True)
class RunFinished(RunEvent):
    kind: ClassVar[str] = "run_finished"
    status: RunStatus = RunStatus.COMPLETED
    error: str = ""
    duration_ms: float = 0.0


EVENT_TYPES: dict[str, type[RunEvent]] = {
    cls.kind: cls
    for cls in (RunStarted, NodeStarted, NodeProgress, NodeLog, NodeMetrics, NodeCompleted, NodeFailed,
                NodeSkipped, RunFinished)
}


def event_from_dict(data: dict[str, Any]) -> RunEvent:
    """Rebuild an event from `to_dict()` output (e.g. received from a worker process)."""
    data = dict(data)
    cls = EVENT_TYPES[data.pop("kind")]
    if "node_ids" in data:
        data["node_ids"] = tuple(data["node_ids"])
    if "ports" in data:
        data["ports"] = tuple(data["ports"])
    if cls is NodeFailed and "state" in data:
        data["state"] = NodeState(data["state"])
    if cls is RunFinished and "status" in data:
        data["status"] = RunStatus(data["status"])
    return cls(**data)
