"""JSON parse: turns JSON text into a value (a record, a list, a table, a number…)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from nodes._shared.offload import BYTES_INLINE, Stop, offload
from nodes._shared.values import Text
from runtime.api import NodeContext, NodeError, NodeType, Table


class JsonParseConfig(BaseModel):
    as_table: bool = Field(default=False, title="Make a table",
                           description="The text must be a list of objects; each object becomes a row.")


class JsonParseInputs(BaseModel):
    text: Text = Field(title="JSON text")


class JsonParseOutputs(BaseModel):
    value: Any = Field(default=None, title="Value")


def _line_snippet(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return ""
    source = lines[line - 1]
    start = max(0, column - 30)
    return f" near: {source[start:column + 30].strip()!r}"


class JsonParse(NodeType):
    type_id = "core.json_parse"
    title = "Parse JSON"
    category = "Data"
    description = "Reads JSON text (from a file or a web service) into data other nodes can use."
    keywords = ("json", "decode", "deserialize", "load", "parse")
    icon = "braces"
    Config = JsonParseConfig
    Inputs = JsonParseInputs
    Outputs = JsonParseOutputs

    async def run(self, ctx: NodeContext, config: JsonParseConfig,
                  inputs: JsonParseInputs) -> JsonParseOutputs:
        text = inputs.text.removeprefix("\ufeff")
        if not text.strip():
            raise NodeError("JSON text: the text is empty")
        value = await offload(lambda stop: _parse(text, config.as_table, stop), size=len(text),
                              limit=BYTES_INLINE)
        return JsonParseOutputs(value=value)


def _parse(text: str, as_table: bool, stop: Stop) -> Any:
    """The JSON value (a table with `as_table`), or a NodeError saying where the text is wrong."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NodeError(f"JSON text is not valid JSON: {exc.msg} at line {exc.lineno}, column "
                        f"{exc.colno}{_line_snippet(text, exc.lineno, exc.colno)}") from None
    except RecursionError:
        raise NodeError("JSON text is nested too deeply to read") from None
    if as_table:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise NodeError("Make a table: the JSON is not a list of objects "
                            f"(it is {_kind(value)}); turn the option off to get it as it is")
        stop.check()
        value = Table.from_records(value)
    return value


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list with items that are not objects"
    if isinstance(value, dict):
        return "a single object"
    return f"a single {type(value).__name__} value"
