"""Flow builders and two small test node types for the control-node tests.

The test types are real node types added to a registry next to every installed pack,
so flows run through the real compiler, runner, cache and subflow machinery.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from runtime.api import (
    Flow,
    NodeContext,
    NodeError,
    NodeType,
    Registry,
    Runner,
    RunResult,
    dumps_flow,
    load_flow,
)


class ValueIn(BaseModel):
    value: Any = Field(default=None)


class ValueOut(BaseModel):
    value: Any = Field(default=None)


class TagConfig(BaseModel):
    label: str = "tag"


class Tag(NodeType):
    """Pure: returns 'label:value' (so tests can see which path a value took). Records, in
    `ended`, its label and the outputs of the flow it ran in when that flow ends."""

    type_id = "ctltest.tag"
    title = "Tag"
    Config = TagConfig
    Inputs = ValueIn
    Outputs = ValueOut
    ended: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    async def run(self, ctx: NodeContext, config: TagConfig, inputs: ValueIn) -> ValueOut:
        async def flow_ended(outputs: Any) -> None:
            Tag.ended.append((config.label, dict(outputs)))

        ctx.at_flow_end(flow_ended)
        return ValueOut(value=f"{config.label}:{inputs.value}")


class WorkConfig(BaseModel):
    seconds: float = 0.0


class Work(NodeType):
    """Pure: waits (record field 'wait', else `seconds`), then doubles a number or marks a
    record done. Fails for a negative number or a record with 'fail' set. Counts calls."""

    type_id = "ctltest.work"
    title = "Work"
    Config = WorkConfig
    Inputs = ValueIn
    Outputs = ValueOut
    stats: ClassVar[dict[str, int]] = {}

    @classmethod
    def reset(cls) -> None:
        cls.stats.clear()
        cls.stats.update(started=0, finished=0, in_flight=0, max_in_flight=0)

    async def run(self, ctx: NodeContext, config: WorkConfig, inputs: ValueIn) -> ValueOut:
        value = inputs.value
        stats = Work.stats
        stats["started"] += 1
        stats["in_flight"] += 1
        stats["max_in_flight"] = max(stats["max_in_flight"], stats["in_flight"])
        try:
            wait = value.get("wait", config.seconds) if isinstance(value, dict) else config.seconds
            await asyncio.sleep(wait)
        finally:
            stats["in_flight"] -= 1
        stats["finished"] += 1
        if isinstance(value, dict):
            if value.get("fail"):
                raise NodeError(f"cannot handle {value.get('n')}")
            return ValueOut(value={**value, "done": True})
        if isinstance(value, (int, float)) and value < 0:
            raise NodeError(f"negative number {value}")
        return ValueOut(value=value * 2)


def registry() -> Registry:
    reg = Registry.from_entry_points()
    assert not reg.broken, reg.broken
    reg.add(Tag)
    reg.add(Work)
    return reg


def node(type_id: str, **config: Any) -> dict[str, Any]:
    settings = config.pop("settings", {})
    return {"type": type_id, "config": config, "settings": settings}


def flow_in(name: str) -> dict[str, Any]:
    return node("core.flow_input", name=name)


def flow_out(name: str) -> dict[str, Any]:
    return node("core.flow_output", name=name)


def make_flow(nodes: dict[str, dict[str, Any]], edges: list[str], *, inputs: dict[str, Any] | None = None,
              outputs: dict[str, Any] | None = None, name: str = "test") -> Flow:
    ports = {}
    for key, declared in (("inputs", inputs or {}), ("outputs", outputs or {})):
        ports[key] = {n: (p if isinstance(p, dict) else {"type": p}) for n, p in declared.items()}
    return Flow.model_validate({"name": name, "nodes": nodes, "edges": edges, **ports})


def save(path: Path, flow: Flow) -> Path:
    """Write `flow` as a canonical .loom file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_flow(flow), encoding="utf-8")
    return path


def run(runner: Runner, path: Path, **inputs: Any) -> RunResult:
    return runner.run_sync(load_flow(path), flow_path=path, inputs=inputs, keep_outputs=True)


def body_flow(outputs: tuple[str, ...] = ("result",), seconds: float = 0.0) -> Flow:
    """item → Work → output 'result' (plus extra outputs fed straight from the item)."""
    nodes = {"n_itemaaaa": flow_in("item"), "n_workaaaa": node("ctltest.work", seconds=seconds),
             "n_outaaaaa": flow_out(outputs[0])}
    edges = ["n_itemaaaa.value -> n_workaaaa.value", "n_workaaaa.value -> n_outaaaaa.value"]
    for i, name in enumerate(outputs[1:]):
        nid = f"n_extra{'abcdefg'[i]}aa"
        nodes[nid] = flow_out(name)
        edges.append(f"n_itemaaaa.value -> {nid}.value")
    return make_flow(nodes, edges, inputs={"item": "any"}, outputs={n: "any" for n in outputs}, name="body")
