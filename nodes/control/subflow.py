"""Subflow: runs another flow file as one step; its inputs and outputs become this node's ports."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from nodes.control._subflows import (
    REUSE_DESCRIPTION,
    call_flow,
    fingerprint,
    flow_files,
    port_spec,
    require_path,
)
from runtime.api import CachePolicy, NodeContext, NodeType, PortEnvironment, PortSpec


class SubflowConfig(BaseModel):
    flow: str = Field(
        default="", title="Flow file",
        description="The flow to run, as a path relative to this flow's folder (e.g. 'steps/check.loom').",
        json_schema_extra={"widget": "flow_file"})
    reuse_results: bool = Field(default=False, title="Reuse earlier results",
                                description=REUSE_DESCRIPTION)


class Subflow(NodeType):
    type_id = "control.subflow"
    title = "Subflow"
    category = "Control"
    description = ("Runs another flow as a single step. Its inputs and outputs appear as this step's "
                   "inputs and outputs, so a flow built once can be reused in many others.")
    keywords = ("call", "reuse", "sub-flow", "nested", "run flow", "procedure")
    icon = "account_tree"
    cache = CachePolicy.FINGERPRINT
    dynamic_ports = True
    Config = SubflowConfig
    Inputs = None
    Outputs = None

    def ports(self, config: SubflowConfig, env: PortEnvironment) -> tuple[list[PortSpec], list[PortSpec]]:
        signature = env.subflow_signature(require_path(config.flow))
        return ([port_spec(n, p, is_input=True) for n, p in signature.inputs.items()],
                [port_spec(n, p, is_input=False) for n, p in signature.outputs.items()])

    def fingerprint(self, ctx: NodeContext, config: SubflowConfig, inputs: Any) -> str | None:
        return fingerprint(ctx.resolve_path(config.flow)) if config.reuse_results else None

    async def run(self, ctx: NodeContext, config: SubflowConfig, inputs: dict[str, Any]) -> dict[str, Any]:
        target = ctx.resolve_path(config.flow)
        signature = flow_files(target)[target.resolve()]
        return await call_flow(ctx, config.flow, signature, inputs)
