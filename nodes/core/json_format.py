"""JSON format: writes any value as JSON text."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from nodes.core._common import to_jsonable
from runtime.api import NodeContext, NodeError, NodeType


class JsonFormatConfig(BaseModel):
    indent: int = Field(default=2, ge=0, le=8, title="Indent",
                        description="Spaces per level; 0 writes everything on one line.")
    sort_keys: bool = Field(default=False, title="Sort keys")
    ascii_only: bool = Field(default=False, title="Escape non-ASCII characters",
                             description="Write é as \\u00e9 (for systems that only take ASCII)")


class JsonFormatInputs(BaseModel):
    value: Any = Field(title="Value")


class JsonFormatOutputs(BaseModel):
    text: str = Field(default="", title="JSON text")


class JsonFormat(NodeType):
    type_id = "core.json_format"
    title = "Format JSON"
    category = "Data"
    description = "Writes a value (a record, list or table) as JSON text, for a file or a web service."
    keywords = ("json", "encode", "serialize", "stringify", "dump")
    icon = "braces"
    Config = JsonFormatConfig
    Inputs = JsonFormatInputs
    Outputs = JsonFormatOutputs

    async def run(self, ctx: NodeContext, config: JsonFormatConfig,
                  inputs: JsonFormatInputs) -> JsonFormatOutputs:
        try:
            text = json.dumps(inputs.value, indent=config.indent or None, sort_keys=config.sort_keys,
                              ensure_ascii=config.ascii_only, allow_nan=False, default=to_jsonable)
        except ValueError as exc:
            if "circular" in str(exc).lower():
                raise NodeError("Value contains itself and cannot be written as JSON") from None
            raise NodeError("Value contains a number that JSON cannot hold (NaN or infinity)") from None
        except TypeError as exc:
            raise NodeError(f"Value: {exc}") from None
        return JsonFormatOutputs(text=text)
