"""The runner: the one way a flow is run, by the CLI, the studio's worker and the scheduler.

It compiles the flow, checks the flow inputs, opens history and cache, creates the run's
artifact folder, executes, and records the outcome.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from runtime._engine.executor import Executor
from runtime._engine.results import RunResult
from runtime._store.cache import CacheStore
from runtime._store.history import HistoryStore
from runtime._store.history_writer import HistoryWriter
from runtime.compile import CompileError, Plan, compile_flow
from runtime.events import RunEvent, RunStatus
from runtime.flow import Flow
from runtime.flowfile import FlowFileError, load_flow
from runtime.inputs import FlowInputError, coerce_flow_inputs
from runtime.node import NodeError
from runtime.paths import DataPaths
from runtime.registry import Registry
from runtime.secrets import CredentialStore, Redactor
from runtime.valuecodec import dumps_values, forget_encoded

__all__ = ["FlowInputError", "HistorySettings", "Runner", "coerce_flow_inputs", "new_run_id"]


class HistorySettings(BaseModel):
    """Retention of run history (from `settings.json` under the data home)."""

    keep_days: float = Field(default=30, gt=0)
    keep_runs: int = Field(default=1000, ge=1)
    keep_outputs: bool = Field(default=True, description="keep each node's output values per run")
    outputs_mb: float = Field(default=1024, gt=0, description="the most the kept outputs may take")


def new_run_id() -> str:
    """A sortable, unique run id: `r20261129-014012-ab12cd`."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "r" + time.strftime("%Y%m%d-%H%M%S") + "-" + "".join(
        secrets.choice(alphabet) for _ in range(6))


class Runner:
    """Runs flows against one registry, data home and set of services."""

    def __init__(
        self,
        registry: Registry,
        paths: DataPaths,
        *,
        services: Mapping[str, Any] | None = None,
        credentials: CredentialStore | None = None,
        max_concurrency: int = 8,
    ):
        self.registry = registry
        self.paths = paths
        self.services = dict(services or {})
        self.credentials = credentials or CredentialStore(paths.credentials_index)
        self.max_concurrency = max_concurrency
        self.history = HistoryStore(paths.history_db)
        self.history.mark_crashed_runs()
        self._writer = HistoryWriter(paths.history_db)
        self._cache = CacheStore(paths.cache_db)
        self.settings = self._load_settings()
        self._cache.prune(older_than_days=self.settings.keep_days)
        self.history.prune(keep_days=self.settings.keep_days, keep_runs=self.settings.keep_runs,
                           runs_folder=paths.runs)
        self.history.prune_outputs(int(self.settings.outputs_mb * 1024 * 1024))
        self._active: dict[str, Executor] = {}

    def _load_settings(self) -> HistorySettings:
        try:
            data = json.loads(self.paths.settings_file.read_text(encoding="utf-8"))
            return HistorySettings.model_validate(data.get("history", {}))
        except (FileNotFoundError, ValueError, AttributeError):
            return HistorySettings()

    def compile(self, flow: Flow, flow_path: str | Path | None = None) -> Plan:
        """Compile or raise `CompileError`."""
        return compile_flow(flow, self.registry, flow_path=flow_path)

    def _compile_subflow(self, path: Path) -> Plan:
        try:
            return compile_flow(load_flow(path), self.registry, flow_path=path)
        except (FlowFileError, CompileError) as exc:
            raise NodeError(f"subflow {exc}") from None

    def cancel(self, run_id: str | None = None) -> None:
        """Cancel one active run, or all of them."""
        for rid, executor in list(self._active.items()):
            if run_id is None or rid == run_id:
                executor.cancel()

    async def run(
        self,
        flow: Flow,
        *,
        flow_path: str | Path | None = None,
        inputs: Mapping[str, Any] | None = None,
        inputs_are_text: bool = False,
        use_cache: bool = True,
        from_node: str | None = None,
        trigger: str = "manual",
        on_event: Callable[[RunEvent], None] | None = None,
        run_id: str | None = None,
        keep_outputs: bool = False,
        plan: Plan | None = None,
        only_node: str | None = None,
        before_node: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None,
    ) -> RunResult:
        """Run `flow` once. Raises CompileError / FlowInputError before anything runs.

        Pass `plan` (from `compile`) to skip compiling a flow that has not changed.
        `only_node` runs that one node with its inputs from the last results (or pinned
        data) of the nodes before it; `before_node(node_id, inputs)` is awaited before each
        node starts (breakpoints).
        """
        if plan is None:
            plan = self.compile(flow, flow_path)
        if only_node is not None:
            from_node = only_node
        if from_node is not None and from_node not in plan.nodes:
            raise FlowInputError(f"there is no node '{from_node}' in this flow")
        values = coerce_flow_inputs(flow.inputs, inputs or {}, from_text=inputs_are_text,
                                    base=Path.cwd(), defaults_base=plan.flow_dir)
        run_id = run_id or new_run_id()
        flow_key = str(Path(flow_path).resolve()) if flow_path else f"unsaved:{flow.name}"
        artifacts = self.paths.run_artifacts(run_id)
        redactor = Redactor()
        self.history.start_run(run_id, flow_name=flow.name, flow_path=flow_key, trigger=trigger,
                               inputs=json.loads(dumps_values(values)), node_count=len(plan.nodes),
                               node_digests={nid: (n.node_type.type_id, n.config_digest)
                                             for nid, n in plan.nodes.items()})
        writer, cache = self._writer, self._cache.session()
        writer.begin(run_id, redactor)
        recorder = writer.recorder(run_id)
        if on_event is None:
            emit: Callable[[RunEvent], None] = recorder
        else:
            def emit(event: RunEvent) -> None:
                recorder(event)
                on_event(event)
        executor = Executor(
            plan, run_id=run_id, emit=emit, artifacts_root=artifacts, services=self.services,
            credentials=self.credentials, redactor=redactor, cache=cache, flow_key=flow_key,
            flow_inputs=values, use_cache=use_cache, rerun_from=from_node,
            max_concurrency=self.max_concurrency, compile_subflow=self._compile_subflow,
            trigger=trigger, keep_outputs=keep_outputs or self.settings.keep_outputs, stop_after=only_node,
            before_node=before_node,
        )
        self._active[run_id] = executor
        result: RunResult | None = None
        try:
            result = await executor.execute()
        except asyncio.CancelledError:
            result = executor.result  # recorded below, then re-raised
            raise
        finally:
            self._active.pop(run_id, None)
            writer.wake()  # history is written on its thread while the cache is flushed here
            cache.flush(redactor.redact)
            self._finish(run_id, result, redactor)
        if not keep_outputs:
            result.node_outputs, result.output_keys = {}, {}
        if redactor:
            result.outputs = redactor.redact_data(result.outputs)
        return result

    def _finish(self, run_id: str, result: RunResult | None, redactor: Redactor) -> None:
        """Record the run's end in history (also when the engine itself failed)."""
        writer = self._writer
        if result is None:
            status, error, duration, outputs_json = (RunStatus.FAILED, "the engine stopped unexpectedly",
                                                     None, "{}")
        else:
            status, error, duration = result.status, redactor.redact(result.error), result.duration_ms
            try:
                outputs_json = redactor.redact(dumps_values(result.outputs))
            except (TypeError, ValueError):
                outputs_json = json.dumps({k: str(v) for k, v in result.outputs.items()})
        if result is not None and result.node_outputs:
            writer.record_outputs(run_id, result.node_outputs, result.output_keys, redactor)
        writer.execute(
            "update runs set status=?, finished=?, duration_ms=?, error=?, outputs=? where id=?",
            [status.value, time.time(), duration, error, outputs_json, run_id])
        writer.flush()
        writer.end(run_id)
        forget_encoded()  # the texts of large tables were for this run's stores

    def run_sync(self, flow: Flow, **kwargs: Any) -> RunResult:
        """`run` from synchronous code (a thin `asyncio.run` wrapper)."""
        return asyncio.run(self.run(flow, **kwargs))

    def close(self) -> None:
        self._writer.close()
        self._cache.close()
        self.history.close()
