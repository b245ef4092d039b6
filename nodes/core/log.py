"""Log: writes a message to the run log and passes its input on unchanged."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from nodes.core._template import check_template, render_template, template_variables
from runtime.api import CachePolicy, NodeContext, NodeType, summarize_value


class LogConfig(BaseModel):
    message: str = Field(
        default="", title="Message",
        description="What to write; with placeholders on, {{ value }} or a field name such as "
                    "{{ total }} is filled in. Empty writes a short summary of the value.",
        json_schema_extra={"widget": "multiline"})
    level: Literal["debug", "info", "warning", "error"] = Field(default="info", title="Level")
    placeholders: bool = Field(default=True, title="Fill in {{ placeholders }}",
                               description="Off writes the message exactly as typed.")

    @model_validator(mode="after")
    def _compiles(self) -> LogConfig:
        if self.placeholders and self.message:
            try:
                check_template(self.message)
            except ValueError as exc:
                raise ValueError(f"Message: {exc}") from None
        return self


class LogInputs(BaseModel):
    value: Any = Field(default=None, title="Value")


class LogOutputs(BaseModel):
    value: Any = Field(default=None, title="Value")


class Log(NodeType):
    type_id = "core.log"
    title = "Write to log"
    category = "Flow"
    description = ("Writes a message to the run log (to follow a run or explain a result) and "
                   "passes the value wired into it on unchanged.")
    keywords = ("print", "debug", "trace", "message", "note")
    icon = "log"
    cache = CachePolicy.NEVER
    Config = LogConfig
    Inputs = LogInputs
    Outputs = LogOutputs

    async def run(self, ctx: NodeContext, config: LogConfig, inputs: LogInputs) -> LogOutputs:
        value = inputs.value
        if not config.message:
            text = summarize_value(value)
        elif config.placeholders:
            variables = template_variables(value)
            variables["value"] = value
            text = render_template(config.message, variables, field="Message")
        else:
            text = config.message
        getattr(ctx.log, config.level)("%s", text)
        return LogOutputs(value=value)
