"""For each: runs a flow file once for every item of a list or every row of a table.

The body is another flow file. Its input named by `item_input` receives the item (and
`index_input`, when set, the item's 0-based position); every other input it declares
becomes an input of this node, given unchanged to every item. Results come back in the
order of the items, whatever order they finish in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from nodes._shared.offload import offload
from nodes.control._subflows import (
    REUSE_DESCRIPTION,
    call_flow,
    fingerprint,
    flow_files,
    port_spec,
    require_path,
)
from nodes.control.merge import append_values
from runtime.api import (
    CachePolicy,
    FileRef,
    NodeContext,
    NodeError,
    NodeType,
    PortEnvironment,
    PortSpec,
    Table,
    TableRows,
)

_OWN_PORTS = ("items", "results", "table", "errors")


class ForEachConfig(BaseModel):
    flow: str = Field(
        default="", title="Steps for each item (flow file)",
        description="The flow to run for every item, as a path relative to this flow's folder.",
        json_schema_extra={"widget": "flow_file"})
    item_input: str = Field(default="item", min_length=1, title="Input that gets the item",
                            description="The name of that flow's input that receives each item.")
    index_input: str = Field(default="", title="Input that gets the position (optional)",
                             description="The name of that flow's input that receives the item's "
                                         "position (0 for the first).")
    concurrency: int = Field(default=1, ge=1, le=32, title="Items at the same time",
                             description="How many items are worked on at once (1 to 32).")
    on_item_error: Literal["fail", "skip"] = Field(
        default="fail", title="When an item fails",
        description="fail: stop and fail this step, naming the item. skip: leave the item out, "
                    "list it under 'Errors' and carry on with the others.")
    reuse_results: bool = Field(default=False, title="Reuse earlier results", description=REUSE_DESCRIPTION)

    @model_validator(mode="after")
    def _distinct_inputs(self) -> ForEachConfig:
        if self.index_input and self.index_input == self.item_input:
            raise ValueError("the item and its position must go to different inputs")
        return self


class ForEachInputs(BaseModel):
    items: list[Any] | Table = Field(title="Items", description="A list, or a table (one item per row).",
                                     json_schema_extra={"port_type": "list"})


class ForEachOutputs(BaseModel):
    results: list[Any] = Field(default_factory=list, title="Results",
                               description="For each item that succeeded, in item order: what the flow "
                                           "returned (its only output's value, or a record of its outputs).")
    table: Table | None = Field(default=None, title="Results as a table",
                                description="The results as one table, when every result is a record "
                                            "(one row each) or a table (appended one after another).")
    errors: list[Any] = Field(default_factory=list, title="Errors",
                              description="Only when items failed: index, item and error of each.")


def _body_ports(config: ForEachConfig, inputs: dict[str, Any]) -> list[str]:
    """Names of body inputs that are not fed per item (and so become node inputs)."""
    for wanted in (config.item_input, config.index_input):
        if wanted and wanted not in inputs:
            known = ", ".join(sorted(inputs)) or "none"
            raise ValueError(f"the flow '{config.flow}' has no input '{wanted}' (its inputs: {known})")
    extras = [n for n in inputs if n not in (config.item_input, config.index_input)]
    clash = [n for n in extras if n in _OWN_PORTS]
    if clash:
        raise ValueError(f"the flow's input '{clash[0]}' has the same name as an input of For each; "
                         "rename it in that flow")
    return extras


class ForEach(NodeType):
    type_id = "control.for_each"
    title = "For each"
    category = "Control"
    description = ("Runs a flow once for every item of a list or every row of a table, one or several "
                   "at a time, and collects the results in the same order as the items.")
    keywords = ("loop", "repeat", "every row", "iterate", "each", "batch")
    icon = "repeat"
    cache = CachePolicy.FINGERPRINT
    dynamic_ports = True
    Config = ForEachConfig
    Inputs = ForEachInputs
    Outputs = ForEachOutputs

    def ports(self, config: ForEachConfig, env: PortEnvironment) -> tuple[list[PortSpec], list[PortSpec]]:
        signature = env.subflow_signature(require_path(config.flow))
        extras = _body_ports(config, signature.inputs)
        static_in, outputs = self.static_ports()
        return static_in + [port_spec(n, signature.inputs[n], is_input=True) for n in extras], outputs

    def fingerprint(self, ctx: NodeContext, config: ForEachConfig, inputs: Any) -> str | None:
        return fingerprint(ctx.resolve_path(config.flow)) if config.reuse_results else None

    async def run(self, ctx: NodeContext, config: ForEachConfig, inputs: dict[str, Any]) -> dict[str, Any]:
        items = inputs.get("items")
        if isinstance(items, Table):
            items = items.rows
        if not isinstance(items, (list, tuple, TableRows)):
            got = "nothing" if items is None else type(items).__name__
            raise NodeError(f"'Items' must be a list or a table, but got {got}")
        target = ctx.resolve_path(config.flow)
        signature = flow_files(target)[target.resolve()]
        shared = {k: v for k, v in inputs.items() if k != "items"}
        single = next(iter(signature.outputs)) if len(signature.outputs) == 1 else None

        async def one(index: int) -> Any:
            values = {**shared, config.item_input: items[index]}
            if config.index_input:
                values[config.index_input] = index
            outputs = await call_flow(ctx, config.flow, signature, values)
            return outputs.get(single) if single is not None else outputs

        results, errors = await run_items(ctx, len(items), config.concurrency, one, config.on_item_error,
                                          describe=lambda i: _describe_item(items[i]))
        done = [results[i] for i in sorted(results)]
        out: dict[str, Any] = {"results": done}
        if done and all(isinstance(r, Table) for r in done):
            tables = [(str(i), t) for i, t in enumerate(done)]
            out["table"] = await offload(lambda stop: append_values(tables, stop),
                                         size=sum(len(t) for _, t in tables))
        elif all(isinstance(r, dict) for r in done):
            names = None if done or single else list(signature.outputs)
            out["table"] = Table.from_records(done, columns=names)
        if errors:
            out["errors"] = [{"index": i, "item": items[i], "error": msg} for i, msg in sorted(errors)]
            ctx.log.warning("%d of %d items failed", len(errors), len(items))
        return out


def _describe_item(item: Any) -> str:
    """An item as a person recognises it in a message: a file by its name, a row by its first values."""
    if isinstance(item, FileRef):
        return item.name or Path(item.path).name
    if isinstance(item, str):
        text = item.strip()
        if ("/" in text or "\\" in text) and len(text) < 1024:
            return Path(text).name or text
        return text if len(text) <= 60 else text[:57] + "…"
    if isinstance(item, Mapping):
        shown = ", ".join(f"{k}={v}" for k, v in list(item.items())[:3])
        return shown if len(shown) <= 60 else shown[:57] + "…"
    text = repr(item)
    return text if len(text) <= 60 else text[:57] + "…"


async def run_items(
    ctx: NodeContext, total: int, concurrency: int, one: Callable[[int], Awaitable[Any]],
    on_error: Literal["fail", "skip"], *, describe: Callable[[int], str] | None = None,
) -> tuple[dict[int, Any], list[tuple[int, str]]]:
    """Run `one(i)` for i in 0..total-1, at most `concurrency` at once.

    Returns results by index and (index, message) of items that failed. With "fail" the
    first failure cancels the items in flight and raises `NodeError` naming the item.
    Cancelling the caller cancels every item in flight.
    """
    results: dict[int, Any] = {}
    errors: list[tuple[int, str]] = []
    next_index = 0
    finished = 0
    ctx.progress(0.0 if total else 1.0, f"0 of {total}")

    async def worker() -> None:
        nonlocal next_index, finished
        while next_index < total and not ctx.cancelled:
            index = next_index
            next_index += 1
            try:
                results[index] = await one(index)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                message = str(exc) if isinstance(exc, NodeError) else f"{type(exc).__name__}: {exc}"
                if on_error == "fail":
                    which = f"'{describe(index)}'" if describe is not None else f"index {index}"
                    raise NodeError(f"item {index + 1} of {total} ({which}) failed: {message}") from exc
                errors.append((index, message))
            finished += 1
            ctx.progress(finished / total, f"{finished} of {total}")

    workers = [asyncio.create_task(worker()) for _ in range(min(concurrency, total))]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    ctx.check_cancelled()
    return results, errors
