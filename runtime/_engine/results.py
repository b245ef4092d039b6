"""What a run produces (RunResult, NodeOutcome) and what the executor needs of a cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from runtime.events import NodeState, RunStatus

__all__ = ["LastResult", "NodeOutcome", "ResultCache", "RunResult"]

LastResult = tuple[str, str, dict[str, Any]]
"""A node's last completed result in a flow: (input key, output key, outputs)."""


class ResultCache(Protocol):
    """Where node results are kept between runs (see `runtime._store.cache`).

    `get`/`put` are keyed by a node's input key (type, config, upstream keys, fingerprint);
    `last`/`put_last` hold each flow node's last result for "run from node X".
    """

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, type_id: str, outputs: dict[str, Any]) -> None: ...

    def last(self, flow_key: str, node_id: str) -> LastResult | None: ...

    def put_last(self, flow_key: str, node_id: str, result: LastResult) -> None: ...


@dataclass(slots=True)
class NodeOutcome:
    """How one node ended."""

    state: NodeState = NodeState.PENDING
    duration_ms: float = 0.0
    cached: bool = False
    pinned: bool = False
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state.value, "duration_ms": round(self.duration_ms, 3),
                "cached": self.cached, "error": self.error}


@dataclass(slots=True)
class RunResult:
    """The end of a run: status, each node's outcome, the flow's outputs."""

    run_id: str
    status: RunStatus
    nodes: dict[str, NodeOutcome]
    outputs: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    duration_ms: float = 0.0
    node_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    output_keys: dict[str, str] = field(default_factory=dict)
    """Node id → the content key of its outputs (kept with `node_outputs`)."""

    def __repr__(self) -> str:  # compact: asyncio may repr a finished task's result
        return f"RunResult({self.run_id!r}, {self.status.value}, {len(self.nodes)} nodes)"
