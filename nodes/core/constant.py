"""Constant: a fixed value (text, number, true/false or JSON) typed by its config."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from runtime.api import NodeContext, NodeType, PortEnvironment, PortSpec, PortType, Table

_KINDS = {"text": PortType.TEXT, "number": PortType.NUMBER, "integer": PortType.INTEGER,
          "boolean": PortType.BOOLEAN, "record": PortType.RECORD, "list": PortType.LIST,
          "table": PortType.TABLE}


class ConstantConfig(BaseModel):
    kind: Literal["text", "number", "integer", "boolean", "record", "list", "table"] = Field(
        default="text", title="Type")
    value: Any = Field(default="", title="Value", json_schema_extra={"widget": "json_or_text"})

    @model_validator(mode="after")
    def _value_matches_kind(self) -> ConstantConfig:
        v, kind = self.value, self.kind
        ok = {
            "text": isinstance(v, str),
            "number": isinstance(v, (int, float)) and not isinstance(v, bool),
            "integer": isinstance(v, int) and not isinstance(v, bool),
            "boolean": isinstance(v, bool),
            "record": isinstance(v, dict),
            "list": isinstance(v, list),
            "table": isinstance(v, list) and all(isinstance(r, dict) for r in v),
        }[kind]
        if not ok:
            raise ValueError(f"value {v!r} is not a valid {kind}")
        return self


class ConstantOutputs(BaseModel):
    value: Any = Field(default=None, title="Value")


class Constant(NodeType):
    type_id = "core.constant"
    title = "Constant"
    category = "Data"
    description = "A fixed value: text, a number, true/false, a JSON object or list, or a small table."
    keywords = ("value", "literal", "fixed")
    icon = "pin"
    dynamic_ports = True
    Config = ConstantConfig
    Inputs = None
    Outputs = ConstantOutputs

    def ports(self, config: ConstantConfig, env: PortEnvironment) -> tuple[list[PortSpec], list[PortSpec]]:
        return [], [PortSpec("value", "Value", _KINDS[config.kind])]

    async def run(self, ctx: NodeContext, config: ConstantConfig, inputs: Any) -> dict[str, Any]:
        value = config.value
        if config.kind == "table":
            value = Table.from_records(value)
        elif config.kind == "number":
            value = float(value)
        return {"value": value}
