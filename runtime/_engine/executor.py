"""The async executor: runs a compiled plan with bounded concurrency.

One code path (async). Ready nodes are taken from a queue by at most `max_concurrency`
worker tasks, so a chain runs inline in one task while independent branches run in
parallel. Downstream of a failure is SKIPPED unless the node routes errors to its
`error` output; the branch not taken by a condition is SKIPPED too.

Keys: a node's *input key* hashes its type, version, config, the output keys of the
values it received and (for readers) a fingerprint of its source. Pure and
fingerprinted nodes are cached by input key, and their output key is the input key.
Nodes with side effects always run; their output key hashes what they produced, so
nodes after them are still cached when the data did not change.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from runtime._engine.cache_keys import data_digest, node_key
from runtime._engine.context import RunContext
from runtime._engine.resources import CLOSE_TIMEOUT_S, RunResources
from runtime._engine.results import NodeOutcome, ResultCache, RunResult
from runtime._engine.subflows import run_subflow
from runtime.compile import ERROR_PORT, Plan, PlannedNode
from runtime.events import (
    NodeCompleted,
    NodeFailed,
    NodeLog,
    NodeSkipped,
    NodeStarted,
    NodeState,
    RunEvent,
    RunFinished,
    RunStarted,
    RunStatus,
)
from runtime.messages import describe_exception, validation_message
from runtime.node import CachePolicy, NodeError
from runtime.secrets import CredentialError, CredentialStore, Redactor
from runtime.valuecodec import decode_value, dumps_values
from runtime.values import DocumentRef, FileRef, ImageRef, SessionRef, Table, WorkbookRef

__all__ = ["Executor"]

_YIELD_EVERY_S = 0.005
"""A worker running a chain of quick nodes yields to the event loop this often, so that
Ctrl-C, time limits and the studio's events are served."""


class _Skip(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def _count_items(value: Any) -> int:
    if isinstance(value, (Table, list, tuple)):
        return len(value)
    return 1


def _content_key(outputs: dict[str, Any], fallback: str) -> str:
    try:
        text = dumps_values(outputs)
    except (TypeError, ValueError):
        return fallback
    return "o" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _holds_live_page(outputs: dict[str, Any]) -> bool:
    """A browser page lives only as long as its run: steps that hand one on run again."""
    return any(isinstance(v, SessionRef) for v in outputs.values())


_PATH_REFS = (FileRef, ImageRef, DocumentRef, WorkbookRef)


def _files_gone(value: Any, depth: int = 0) -> bool:
    """True when a remembered result points at a file that no longer exists (e.g. a pruned
    run's artifacts): such a result is not reused, the node runs again."""
    if isinstance(value, _PATH_REFS):
        return not os.path.exists(value.path)
    if depth > 3:
        return False
    if isinstance(value, dict):
        return any(_files_gone(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_files_gone(v, depth + 1) for v in value[:1000])
    return False


class Executor:
    """Runs one plan once. Create a new executor for each run."""

    def __init__(
        self,
        plan: Plan,
        *,
        run_id: str,
        emit: Callable[[RunEvent], None],
        artifacts_root: Path,
        services: Mapping[str, Any] | None = None,
        credentials: CredentialStore | None = None,
        redactor: Redactor | None = None,
        cache: ResultCache | None = None,
        flow_key: str = "",
        flow_inputs: Mapping[str, Any] | None = None,
        use_cache: bool = True,
        rerun_from: str | None = None,
        max_concurrency: int = 8,
        compile_subflow: Callable[[Path], Plan] | None = None,
        trigger: str = "manual",
        node_prefix: str = "",
        keep_outputs: bool = False,
        ancestry: tuple[Path, ...] = (),
        stop_after: str | None = None,
        before_node: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None,
        resources: RunResources | None = None,
    ):
        self.plan = plan
        self._at_end: list[Callable[[Mapping[str, Any]], Awaitable[bool | None]]] = []
        self.parent: Executor | None = None
        """The calling flow's executor, for a subflow call."""
        self._owns_resources = resources is None
        self.resources = resources if resources is not None else RunResources()
        self.run_id = run_id
        self.emit = emit
        self.artifacts_root = artifacts_root
        self.services = services or {}
        self.credentials = credentials
        self.redactor = redactor if redactor is not None else Redactor()
        self.cache = cache
        self.flow_key = flow_key
        self.flow_inputs = dict(flow_inputs or {})
        self.flow_outputs: dict[str, Any] = {}
        self.use_cache = use_cache
        self.max_concurrency = max(1, max_concurrency)
        self.compile_subflow = compile_subflow
        self.trigger = trigger
        self.node_prefix = node_prefix
        self.keep_outputs = keep_outputs
        self.ancestry = ancestry or ((Path(plan.source).resolve(),) if plan.saved else ())
        self.subflow_plans: dict[Path, Plan] = {}
        self.cancelled = False
        self._rerun = plan.descendants(rerun_from) if rerun_from else None
        self._beyond = plan.descendants(stop_after) - {stop_after} if stop_after else frozenset()
        self.before_node = before_node
        self._outputs: dict[str, dict[str, Any] | None] = {}
        self._keys: dict[str, str] = {}
        self._attempts: dict[str, int] = {}
        self._outcomes = {nid: NodeOutcome() for nid in plan.nodes}
        self._waiting = {nid: len(n.upstream) for nid, n in plan.nodes.items()}
        self._ready: deque[str] = deque()
        self._workers: set[asyncio.Task[None]] = set()
        self._remaining = len(plan.nodes)
        self._done = asyncio.Event()
        self._failed_hard: list[str] = []
        self._stop_new = False
        self._internal_error: BaseException | None = None
        self.result: RunResult | None = None
        """Set when the run ends, also when `execute` then re-raises a cancellation."""

    # ----- public ------------------------------------------------------------------

    def node_path(self, node_id: str) -> str:
        return f"{self.node_prefix}{node_id}"

    def secret(self, name: str) -> str:
        if self.credentials is None:
            raise NodeError(f"credential '{name}' is needed but no credential store is set up")
        try:
            value = self.credentials.get(name)
        except CredentialError as exc:
            raise NodeError(str(exc)) from None
        self.redactor.add(value)
        return value

    def cancel(self) -> None:
        """Stop the run: running nodes are cancelled, pending ones never start."""
        self.cancelled = True
        for task in list(self._workers):
            task.cancel()
        self._done.set()

    async def run_subflow(self, node_id: str, path: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        return await run_subflow(self, node_id, path, inputs)

    def at_flow_end(self, callback: Callable[[Mapping[str, Any]], Awaitable[bool | None]]) -> None:
        """`callback(outputs)` runs when this (sub)flow ends (see `NodeContext.at_flow_end`)."""
        self._at_end.append(callback)

    async def _flow_ended(self) -> None:
        """Run the flow-end callbacks, newest first, each with a time limit; problems are logged.
        A callback that returns True holds something the outputs still refer to: it runs again
        when the calling flow ends."""
        done_well = not self.cancelled and not self._failed_hard and self._internal_error is None
        outputs = dict(self.flow_outputs) if done_well else {}
        while self._at_end:
            callback = self._at_end.pop()
            try:
                async with asyncio.timeout(CLOSE_TIMEOUT_S):
                    keep = await callback(outputs)
            except Exception as exc:  # clean-up must never hide the flow's own outcome
                self.emit(NodeLog(self.run_id, time.time(), "", "warning",
                                  f"clean-up after the flow failed: {type(exc).__name__}: {exc}"))
                continue
            if keep is True and self.parent is not None:
                self.parent.at_flow_end(callback)

    async def execute(self) -> RunResult:
        """Run every node; returns the result, or re-raises when the caller's task is
        cancelled (after cancelling the nodes and recording how far the run got)."""
        t0 = time.perf_counter()
        self.emit(RunStarted(self.run_id, time.time(), self.plan.flow.name, self.plan.source,
                             self.trigger, tuple(self.plan.order)))
        for nid in self.plan.order:
            if self._waiting[nid] == 0:
                self._ready.append(nid)
        interrupted: asyncio.CancelledError | None = None
        try:
            if self._remaining:
                self._spawn()
                await self._done.wait()
        except asyncio.CancelledError as exc:
            interrupted = exc
            self.cancel()
        if self._workers and (self.cancelled or self._internal_error):
            self.cancelled = True
            for task in list(self._workers):
                task.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)
        try:
            await self._flow_ended()
        finally:
            if self._owns_resources:  # a browser and the like: closed however the run ended
                for problem in await self.resources.close_all():
                    self.emit(NodeLog(self.run_id, time.time(), "", "warning", problem))
        if self._internal_error is not None:
            raise self._internal_error
        status, error = RunStatus.COMPLETED, ""
        if self.cancelled:
            status, error = RunStatus.CANCELLED, "the run was cancelled"
            for outcome in self._outcomes.values():
                if not outcome.state.terminal:
                    outcome.state = NodeState.CANCELLED
        elif self._failed_hard:
            status = RunStatus.FAILED
            first = self._failed_hard[0]
            error = f"{self.plan.nodes[first].title} ({first}): {self._outcomes[first].error}"
        duration = (time.perf_counter() - t0) * 1000
        self.emit(RunFinished(self.run_id, time.time(), status, error, duration))
        result = RunResult(self.run_id, status, self._outcomes, self.flow_outputs, error, duration)
        if self.keep_outputs:
            result.node_outputs = {k: v for k, v in self._outputs.items() if v is not None}
            keys = self._keys
            result.output_keys = {k: keys[k] for k in result.node_outputs if k in keys}
        self.result = result
        if interrupted is not None:
            raise interrupted
        return result

    # ----- scheduling --------------------------------------------------------------

    def _spawn(self, reserve: int = 0) -> None:
        """Start workers for ready nodes; `reserve` of them the calling worker will take."""
        want = min(self.max_concurrency - len(self._workers), len(self._ready) - reserve)
        for _ in range(want):
            task = asyncio.create_task(self._worker())
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)

    async def _worker(self) -> None:
        ready = self._ready
        last_yield = time.perf_counter()
        try:
            while ready and not self.cancelled:
                nid = ready.popleft()
                await self._process(nid)
                if len(ready) > 1 and len(self._workers) < self.max_concurrency:
                    self._spawn(reserve=1)
                now = time.perf_counter()
                if now - last_yield > _YIELD_EVERY_S:
                    await asyncio.sleep(0)
                    last_yield = now
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a defect in the engine itself: stop and report it
            self._internal_error = exc
            self._done.set()

    def _finish(self, nid: str, outputs: dict[str, Any] | None) -> None:
        self._outputs[nid] = outputs
        self._remaining -= 1
        waiting = self._waiting
        for nxt in self.plan.nodes[nid].downstream:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                self._ready.append(nxt)
        if self._remaining == 0:
            self._done.set()

    # ----- one node ----------------------------------------------------------------

    def _gather_inputs(self, node: PlannedNode) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
        values: dict[str, Any] = {}
        upstream: list[tuple[str, str, str]] = []
        missing = 0
        converters = node.converters
        for edge in node.in_edges:
            fired = self._outputs.get(edge.source)
            if fired is not None and edge.source_port in fired:
                value = fired[edge.source_port]
                if converters and edge.target_port in converters and value is not None:
                    value = converters[edge.target_port](value)
                values[edge.target_port] = value
                upstream.append((edge.target_port, self._keys[edge.source], edge.source_port))
            else:
                missing += 1
        if missing and (node.node_type.join == "all" or missing == len(node.in_edges)):
            raise _Skip("an upstream node produced no value for its input")
        return values, upstream

    async def _process(self, nid: str) -> None:
        node = self.plan.nodes[nid]
        outcome = self._outcomes[nid]
        try:
            if self._stop_new:
                raise _Skip("the run stopped after a failure")
            if node.settings.disabled:
                raise _Skip("the node is disabled")
            if nid in self._beyond:
                raise _Skip("not part of this run (only the selected node runs)")
            values, upstream = self._gather_inputs(node)
        except _Skip as skip:
            outcome.state = NodeState.SKIPPED
            self.emit(NodeSkipped(self.run_id, time.time(), nid, skip.reason))
            self._finish(nid, None)
            return
        if node.pinned is not None:
            key = "p" + data_digest(node.pinned)
            self._keys[nid] = key
            self._complete(node, outcome, decode_value(node.pinned), 0.0, key, key, pinned=True)
            return

        if self.before_node is not None:  # a breakpoint or single-stepping may pause here
            await self.before_node(nid, values)
            if self.cancelled:
                raise asyncio.CancelledError()
        ctx = RunContext(self, nid)
        node_type = node.node_type
        policy = node_type.cache
        t0 = time.perf_counter()
        outcome.state = NodeState.RUNNING
        self.emit(NodeStarted(self.run_id, time.time(), nid, node_type.type_id, 1))
        try:
            inputs: Any = values
            if not node_type.dynamic_ports and node_type.Inputs is not None:
                try:
                    inputs = node_type.Inputs.model_validate(values)
                except ValidationError as exc:
                    raise NodeError(validation_message(exc, "input")) from None
            extra: str | None = ""
            if policy is CachePolicy.FINGERPRINT:  # a reader checks its source: off the loop
                extra = await asyncio.to_thread(node_type.fingerprint, ctx, node.config, inputs)
            elif policy is CachePolicy.NEVER:  # e.g. a flow input's value: cheap
                extra = node_type.fingerprint(ctx, node.config, inputs)
            cacheable = policy is CachePolicy.PURE or (
                policy is CachePolicy.FINGERPRINT and extra is not None)
            input_key = node_key(node.config_digest, upstream, extra or "")
            cache = self.cache
            if cache is not None:
                if self._rerun is not None and nid not in self._rerun:
                    last = cache.last(self.flow_key, nid)  # reuse unless its inputs changed
                    if last is not None and last[0] == input_key and not _holds_live_page(last[2]) \
                            and not _files_gone(last[2]):
                        self._keys[nid] = last[1]
                        self._complete(node, outcome, last[2], 0.0, input_key, last[1], cached=True,
                                       remember=False)
                        return
                if cacheable and self.use_cache and (self._rerun is None or nid not in self._rerun):
                    hit = cache.get(input_key)
                    if hit is not None and not _files_gone(hit):
                        self._keys[nid] = input_key
                        self._complete(node, outcome, hit, (time.perf_counter() - t0) * 1000,
                                       input_key, input_key, cached=True)
                        return
            settings = node.settings
            if settings.retries or settings.timeout_s is not None:
                outputs = await self._run_with_policy(node, ctx, inputs)
            else:
                outputs = self._normalize_outputs(node, await node_type.run(ctx, node.config, inputs))
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self.cancelled or (task is not None and task.cancelling()):
                outcome.state = NodeState.CANCELLED
                outcome.duration_ms = (time.perf_counter() - t0) * 1000
                self.emit(NodeFailed(self.run_id, time.time(), nid, "cancelled", "CancelledError",
                                     outcome.duration_ms, self._attempts.get(nid, 1),
                                     NodeState.CANCELLED, False))
                self._finish(nid, None)
                raise
            # node code cancelled something of its own and let it escape: a failure, not a stop
            self._fail(node, outcome, NodeError("the step was cancelled from inside"),
                       (time.perf_counter() - t0) * 1000)
            return
        except Exception as exc:
            self._fail(node, outcome, exc, (time.perf_counter() - t0) * 1000)
            return
        duration = (time.perf_counter() - t0) * 1000
        if cacheable:
            output_key = input_key
            if self.use_cache and self.cache is not None:
                self.cache.put(input_key, node_type.type_id, outputs)
        else:
            output_key = _content_key(outputs, f"r{self.run_id}:{self.node_path(nid)}")
        self._keys[nid] = output_key
        self._complete(node, outcome, outputs, duration, input_key, output_key)

    async def _run_with_policy(self, node: PlannedNode, ctx: RunContext, inputs: Any) -> dict[str, Any]:
        settings = node.settings
        attempts = settings.retries + 1
        if attempts == 1:
            return await self._run_once(node, ctx, inputs)
        from tenacity import AsyncRetrying, retry_if_not_exception_type, stop_after_attempt, wait_exponential

        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            wait=wait_exponential(multiplier=settings.retry_delay_s, max=300),
            retry=retry_if_not_exception_type((asyncio.CancelledError,)),
            reraise=True,
            before_sleep=lambda state: ctx.log.warning(
                "attempt %d of %d failed (%s); retrying in %.1f s", state.attempt_number, attempts,
                describe_exception(state.outcome.exception() if state.outcome else None),
                state.next_action.sleep if state.next_action else 0.0),
        )
        async for attempt in retrying:
            with attempt:
                self._attempts[node.id] = attempt.retry_state.attempt_number
                return await self._run_once(node, ctx, inputs)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _run_once(self, node: PlannedNode, ctx: RunContext, inputs: Any) -> dict[str, Any]:
        node_type = node.node_type
        timeout = node.settings.timeout_s
        if timeout is None:
            result = await node_type.run(ctx, node.config, inputs)
        else:
            try:
                async with asyncio.timeout(timeout):
                    result = await node_type.run(ctx, node.config, inputs)
            except TimeoutError:
                raise NodeError(f"timed out after {timeout:g} s") from None
        return self._normalize_outputs(node, result)

    def _normalize_outputs(self, node: PlannedNode, result: Any) -> dict[str, Any]:
        if result is None:
            return {}
        model = node.node_type.Outputs
        if isinstance(result, BaseModel):
            return {name: getattr(result, name) for name in result.model_fields_set}
        if not isinstance(result, dict):
            raise TypeError(f"run() returned {type(result).__name__}, expected Outputs or a dict")
        if node.node_type.dynamic_ports or model is None:
            unknown = set(result) - set(node.outputs)
            if unknown:
                raise NodeError(f"produced values for unknown outputs: {', '.join(sorted(unknown))}")
            return result
        try:
            validated = model.model_validate(result)
        except ValidationError as exc:
            raise NodeError(validation_message(exc, "output")) from None
        return {name: getattr(validated, name) for name in result}

    def _complete(self, node: PlannedNode, outcome: NodeOutcome, outputs: dict[str, Any],
                  duration: float, input_key: str, output_key: str, *, cached: bool = False,
                  pinned: bool = False, remember: bool = True) -> None:
        outcome.state = NodeState.COMPLETED
        outcome.duration_ms = duration
        outcome.cached = cached
        outcome.pinned = pinned
        if remember and self.cache is not None and self.flow_key:
            self.cache.put_last(self.flow_key, node.id, (input_key, output_key, outputs))
        self.emit(NodeCompleted(self.run_id, time.time(), node.id, duration, cached, pinned,
                                tuple(outputs), {p: _count_items(v) for p, v in outputs.items()}))
        self._finish(node.id, outputs)

    def _fail(self, node: PlannedNode, outcome: NodeOutcome, exc: BaseException, duration: float) -> None:
        message = self.redactor.redact(describe_exception(exc))
        outcome.state = NodeState.FAILED
        outcome.duration_ms = duration
        outcome.error = message
        policy = node.settings.on_error
        if not isinstance(exc, (NodeError, ValidationError)):
            detail = "".join(traceback.format_exception(exc))
            self.emit(NodeLog(self.run_id, time.time(), node.id, "debug", self.redactor.redact(detail)))
        evidence = {k: self.redactor.redact(v) for k, v in getattr(exc, "evidence", {}).items()}
        self.emit(NodeFailed(self.run_id, time.time(), node.id, message, type(exc).__name__,
                             duration, self._attempts.get(node.id, 1), NodeState.FAILED, policy != "fail",
                             evidence))
        if policy == "route":
            error = {"message": message, "type": type(exc).__name__, "node_id": node.id,
                     "node_title": node.title}
            self._keys[node.id] = _content_key(error, f"r{self.run_id}:{self.node_path(node.id)}")
            self._finish(node.id, {ERROR_PORT: error})
            return
        if policy == "fail":
            self._failed_hard.append(node.id)
            self._stop_new = True
        self._finish(node.id, None)
