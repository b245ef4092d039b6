"""Flow input: hands one of the flow's declared inputs to the nodes wired after it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from runtime.api import (
    CachePolicy,
    NodeContext,
    NodeType,
    PortEnvironment,
    PortSpec,
    dumps_values,
)


class FlowInputConfig(BaseModel):
    name: str = Field(title="Input name", min_length=1,
                      description="One of the flow's declared inputs",
                      json_schema_extra={"widget": "flow_input"})


class FlowInputOutputs(BaseModel):
    value: Any = Field(default=None, title="Value")


class FlowInput(NodeType):
    type_id = "core.flow_input"
    title = "Flow input"
    category = "Flow"
    description = "The value given for one of the flow's inputs (from the CLI, a schedule or a parent flow)."
    keywords = ("parameter", "argument", "input")
    icon = "login"
    cache = CachePolicy.NEVER  # cheap; its output key is the value's content
    dynamic_ports = True
    Config = FlowInputConfig
    Inputs = None
    Outputs = FlowInputOutputs

    def ports(self, config: FlowInputConfig, env: PortEnvironment) -> tuple[list[PortSpec], list[PortSpec]]:
        declared = env.signature.inputs.get(config.name)
        if declared is None:
            known = ", ".join(sorted(env.signature.inputs)) or "none"
            raise ValueError(f"flow input '{config.name}' is not declared (declared: {known})")
        return [], [PortSpec("value", config.name, declared.type, description=declared.description)]

    def fingerprint(self, ctx: NodeContext, config: FlowInputConfig, inputs: Any) -> str:
        return dumps_values({"value": ctx.flow_inputs.get(config.name)})

    async def run(self, ctx: NodeContext, config: FlowInputConfig, inputs: Any) -> dict[str, Any]:
        return {"value": ctx.flow_inputs.get(config.name)}
