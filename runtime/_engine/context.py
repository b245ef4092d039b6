"""The `NodeContext` given to node code while it runs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime.events import NodeLog, NodeMetrics, NodeProgress
from runtime.node import NodeError

if TYPE_CHECKING:
    from runtime._engine.executor import Executor
    from runtime._engine.resources import RunResources


class NodeLogger:
    """Log lines of one node; each becomes a `NodeLog` event, with secrets redacted."""

    __slots__ = ("_emit", "_node_id", "_redact", "_run_id")

    def __init__(self, run_id: str, node_id: str, emit: Callable[[Any], None],
                 redact: Callable[[str], str]):
        self._run_id = run_id
        self._node_id = node_id
        self._emit = emit
        self._redact = redact

    def _log(self, level: str, message: str, *args: Any) -> None:
        text = message % args if args else str(message)
        self._emit(NodeLog(self._run_id, time.time(), self._node_id, level, self._redact(text)))

    def debug(self, message: str, *args: Any) -> None:
        self._log("debug", message, *args)

    def info(self, message: str, *args: Any) -> None:
        self._log("info", message, *args)

    def warning(self, message: str, *args: Any) -> None:
        self._log("warning", message, *args)

    def error(self, message: str, *args: Any) -> None:
        self._log("error", message, *args)


class RunContext:
    """What one node sees of the run (implements `runtime.node.NodeContext`)."""

    __slots__ = ("_artifacts", "_executor", "_log", "node_id", "run_id")

    def __init__(self, executor: Executor, node_id: str):
        self._executor = executor
        self.run_id = executor.run_id
        self.node_id = node_id
        self._log: NodeLogger | None = None
        self._artifacts: Path | None = None

    @property
    def log(self) -> NodeLogger:
        if self._log is None:
            ex = self._executor
            self._log = NodeLogger(self.run_id, self.node_id, ex.emit, ex.redactor.redact)
        return self._log

    @property
    def artifacts(self) -> Path:
        """This node's artifact folder inside the run's folder (created on first use)."""
        if self._artifacts is None:
            folder = self._executor.artifacts_root / self._executor.node_path(self.node_id)
            folder.mkdir(parents=True, exist_ok=True)
            self._artifacts = folder
        return self._artifacts

    @property
    def flow_dir(self) -> Path:
        return self._executor.plan.flow_dir

    @property
    def services(self) -> Mapping[str, Any]:
        return self._executor.services

    @property
    def flow_inputs(self) -> Mapping[str, Any]:
        return self._executor.flow_inputs

    @property
    def flow_outputs(self) -> dict[str, Any]:
        return self._executor.flow_outputs

    @property
    def cancelled(self) -> bool:
        return self._executor.cancelled

    def check_cancelled(self) -> None:
        if self._executor.cancelled:
            raise asyncio.CancelledError()

    def progress(self, fraction: float | None, message: str = "") -> None:
        ex = self._executor
        if fraction is not None:
            fraction = min(1.0, max(0.0, float(fraction)))
        ex.emit(NodeProgress(self.run_id, time.time(), self.node_id, fraction,
                             ex.redactor.redact(message)))

    def secret(self, name: str) -> str:
        return self._executor.secret(name)

    def record(self, metrics: Mapping[str, Any]) -> None:
        ex = self._executor
        ex.emit(NodeMetrics(self.run_id, time.time(), self.node_id, dict(metrics)))

    def add_secret(self, value: str) -> None:
        self._executor.redactor.add(value)

    def redact(self, text: str) -> str:
        return self._executor.redactor.redact(text)

    def resolve_path(self, path: str) -> Path:
        candidate = Path(path).expanduser()
        if candidate.is_absolute():
            return candidate
        if not self._executor.plan.saved:
            raise NodeError(f"the relative path '{path}' is resolved against the flow file's folder: "
                            "save the flow first, or use an absolute path")
        return self.flow_dir / candidate

    async def run_subflow(self, path: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        return await self._executor.run_subflow(self.node_id, path, inputs)

    @property
    def resources(self) -> RunResources:
        return self._executor.resources

    def at_flow_end(self, callback: Callable[[Mapping[str, Any]], Awaitable[bool | None]]) -> None:
        self._executor.at_flow_end(callback)
