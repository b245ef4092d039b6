"""JSON format: writes any value as JSON text."""

from __future__ import annotations

import json
from itertools import islice
from typing import Any

from pydantic import BaseModel, Field

from nodes._shared.offload import ROWS_INLINE, offload
from nodes._shared.values import to_jsonable
from runtime.api import NodeContext, NodeError, NodeType, Table, TableRows


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
        value = inputs.value
        return JsonFormatOutputs(text=await offload(lambda stop: _format(value, config),
                                                    size=_rough_size(value)))


def _format(value: Any, config: JsonFormatConfig) -> str:
    try:
        return json.dumps(value, indent=config.indent or None, sort_keys=config.sort_keys,
                          ensure_ascii=config.ascii_only, allow_nan=False, default=to_jsonable)
    except ValueError as exc:
        if "circular" in str(exc).lower():
            raise NodeError("Value contains itself and cannot be written as JSON") from None
        raise NodeError("Value contains a number that JSON cannot hold (NaN or infinity)") from None
    except TypeError as exc:
        raise NodeError(f"Value: {exc}") from None
    except RecursionError:
        raise NodeError("Value is nested too deeply to write as JSON") from None


def _rough_size(value: Any, enough: int = ROWS_INLINE + 1) -> int:
    """About how many rows' worth the value holds, counted only up to `enough` (so it stays cheap):
    one per list item or record field, one per 128 characters of text."""
    seen, pending = 0, [value]
    while pending and seen < enough:
        item = pending.pop()
        if isinstance(item, Table):
            item = item.rows
        if isinstance(item, str):
            seen += len(item) // 128
        elif isinstance(item, dict):
            seen += len(item)
            pending.extend(islice(item.values(), enough))
        elif isinstance(item, (list, tuple, TableRows)):
            seen += len(item)
            pending.extend(item[:enough])
    return seen
