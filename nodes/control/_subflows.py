"""Shared helpers of Subflow and For each: ports from another flow, and calling it.

A flow file may run other flow files (through these node types); `flow_files` walks
those references so that a loop (a.loom runs b.loom runs a.loom) is refused with a
clear message before anything runs, and so that a change in any of them changes the
fingerprint under which results may be reused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime.api import (
    FlowFileError,
    FlowInputError,
    FlowPort,
    FlowSignature,
    NodeContext,
    NodeError,
    PortSpec,
    coerce_flow_inputs,
    load_flow,
)

__all__ = ["NESTING_TYPES", "REUSE_DESCRIPTION", "call_flow", "fingerprint", "flow_files", "port_spec",
           "require_path"]

NESTING_TYPES = frozenset({"control.subflow", "control.for_each"})
"""Node types whose `flow` config names another flow file."""

REUSE_DESCRIPTION = (
    "When the inputs and the flow file(s) are unchanged since an earlier run, reuse that run's "
    "results instead of running again. Only turn this on when the steps just calculate: never "
    "when they read files or web pages, send, write or click something.")


def require_path(path: str) -> str:
    """The configured flow path, or a clear problem when none is chosen."""
    if not path.strip():
        raise ValueError("choose the flow file to run")
    return path.strip()


def port_spec(name: str, port: FlowPort, *, is_input: bool) -> PortSpec:
    """A node port mirroring one declared input or output of another flow."""
    return PortSpec(
        id=name,
        title=name.replace("_", " ").capitalize(),
        type=port.type,
        required=is_input and port.required and port.default is None,
        description=port.description,
    )


def flow_files(start: Path) -> dict[Path, FlowSignature]:
    """`start` and every flow file it runs (directly or further down), by resolved path.

    Raises `NodeError` when `start` cannot be read or when the files run each other in a loop.
    """
    start = start.resolve()
    found: dict[Path, FlowSignature] = {}
    finished: set[Path] = set()

    def visit(path: Path, stack: tuple[Path, ...]) -> None:
        if path in stack:
            loop = " → ".join(p.name for p in (*stack[stack.index(path):], path))
            raise NodeError(f"flow files run each other in a loop: {loop}")
        if path in finished:
            return
        try:
            flow = load_flow(path)
        except FlowFileError as exc:
            if not stack:
                raise NodeError(str(exc)) from None
            finished.add(path)  # running it will report the problem
            return
        found[path] = flow.signature
        for inst in flow.nodes.values():
            ref = inst.config.get("flow") if inst.type in NESTING_TYPES else None
            if isinstance(ref, str) and ref.strip():
                visit((path.parent / ref.strip()).resolve(), (*stack, path))
        finished.add(path)

    visit(start, ())
    return found


def fingerprint(start: Path) -> str:
    """A digest of the text of `start` and of every flow file it runs."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(flow_files(start)):
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return "flows:" + digest.hexdigest()


async def call_flow(ctx: NodeContext, path: str, signature: FlowSignature,
                    values: Mapping[str, Any]) -> dict[str, Any]:
    """Run the flow at `path` with `values` (checked against its inputs, defaults filled in)
    and return the declared outputs it set."""
    try:
        given = coerce_flow_inputs(signature.inputs, values, base=ctx.flow_dir)
    except FlowInputError as exc:
        raise NodeError(str(exc)) from None
    outputs = await ctx.run_subflow(path, given)
    return {name: outputs[name] for name in signature.outputs if name in outputs}
