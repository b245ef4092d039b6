"""Flow output: sets one of the flow's declared outputs (returned to the CLI or parent flow)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from runtime.api import CachePolicy, NodeContext, NodeType, PortEnvironment, PortSpec


class FlowOutputConfig(BaseModel):
    name: str = Field(title="Output name", min_length=1,
                      description="One of the flow's declared outputs",
                      json_schema_extra={"widget": "flow_output"})


class FlowOutputInputs(BaseModel):
    value: Any = Field(title="Value")


class FlowOutput(NodeType):
    type_id = "core.flow_output"
    title = "Flow output"
    category = "Flow"
    description = "Makes the value wired into it one of the flow's outputs."
    keywords = ("result", "return", "output")
    icon = "logout"
    cache = CachePolicy.NEVER
    dynamic_ports = True
    Config = FlowOutputConfig
    Inputs = FlowOutputInputs
    Outputs = None

    def ports(self, config: FlowOutputConfig, env: PortEnvironment) -> tuple[list[PortSpec], list[PortSpec]]:
        declared = env.signature.outputs.get(config.name)
        if declared is None:
            known = ", ".join(sorted(env.signature.outputs)) or "none"
            raise ValueError(f"flow output '{config.name}' is not declared (declared: {known})")
        return [PortSpec("value", config.name, declared.type, required=True,
                         description=declared.description)], []

    async def run(self, ctx: NodeContext, config: FlowOutputConfig, inputs: dict[str, Any]) -> None:
        ctx.flow_outputs[config.name] = inputs.get("value")
