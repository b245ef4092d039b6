"""Running another flow file as a step of this run (subflow and for-each nodes)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime.events import NodeLog, RunEvent, RunStatus
from runtime.inputs import FlowInputError, coerce_flow_inputs
from runtime.node import NodeError

if TYPE_CHECKING:
    from runtime._engine.executor import Executor

__all__ = ["run_subflow"]


async def run_subflow(parent: Executor, node_id: str, path: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Run the flow at `path` (relative to the parent flow's folder) with `inputs`.

    It shares the parent's run id, services, credentials, redaction and cache; its log
    lines appear on the calling node. Returns the subflow's outputs.
    """
    from runtime._engine.executor import Executor

    if parent.compile_subflow is None:
        raise NodeError("subflows are not available in this run")
    target = (parent.plan.flow_dir / Path(path).expanduser()).resolve()
    if target in parent.ancestry:
        chain = " → ".join(p.name for p in (*parent.ancestry, target))
        raise NodeError(f"flow files run each other in a loop: {chain}")
    plan = parent.subflow_plans.get(target)
    if plan is None:
        plan = parent.compile_subflow(target)
        parent.subflow_plans[target] = plan
    try:
        values = coerce_flow_inputs(plan.flow.inputs, inputs, base=plan.flow_dir)
    except FlowInputError as exc:
        raise NodeError(f"subflow '{path}': {exc}") from None
    child = Executor(
        plan,
        run_id=parent.run_id,
        emit=_child_emit(parent, node_id),
        artifacts_root=parent.artifacts_root,
        services=parent.services,
        credentials=parent.credentials,
        redactor=parent.redactor,
        resources=parent.resources,
        cache=parent.cache,
        flow_key="",
        flow_inputs=values,
        use_cache=parent.use_cache,
        max_concurrency=parent.max_concurrency,
        compile_subflow=parent.compile_subflow,
        trigger=parent.trigger,
        node_prefix=f"{parent.node_path(node_id)}/",
        ancestry=(*parent.ancestry, target),
    )
    child.subflow_plans = parent.subflow_plans
    child.parent = parent
    result = await child.execute()
    if result.status is RunStatus.CANCELLED:
        raise asyncio.CancelledError()
    if result.status is not RunStatus.COMPLETED:
        raise NodeError(f"subflow '{path}' failed: {result.error}")
    return result.outputs


def _child_emit(parent: Executor, node_id: str) -> Callable[[RunEvent], None]:
    def emit(event: RunEvent) -> None:
        if isinstance(event, NodeLog) and event.level != "debug":
            parent.emit(NodeLog(parent.run_id, event.t, node_id, event.level,
                                f"[{event.node_id}] {event.message}"))

    return emit
