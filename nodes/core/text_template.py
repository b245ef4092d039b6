"""Text template: fills a Jinja template with the data wired into it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from nodes.core._template import check_template, render_template, template_variables
from runtime.api import NodeContext, NodeType


class TextTemplateConfig(BaseModel):
    template: str = Field(
        default="", title="Template",
        description="Text with placeholders such as {{ name }} or {{ data.total }}; "
                    "{% for row in data %}…{% endfor %} repeats a part for each row.",
        json_schema_extra={"widget": "multiline"})

    @field_validator("template")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return check_template(value)


class TextTemplateInputs(BaseModel):
    data: Any = Field(default=None, title="Data",
                      description="A record, table, list or value the template can use")


class TextTemplateOutputs(BaseModel):
    text: str = Field(default="", title="Text")


class TextTemplate(NodeType):
    type_id = "core.text_template"
    title = "Text template"
    category = "Text"
    description = ("Builds text (an e-mail, a message, a file) from a template with "
                   "placeholders filled from the data wired into it.")
    keywords = ("jinja", "format", "placeholder", "mail merge", "text")
    icon = "text"
    Config = TextTemplateConfig
    Inputs = TextTemplateInputs
    Outputs = TextTemplateOutputs

    async def run(self, ctx: NodeContext, config: TextTemplateConfig,
                  inputs: TextTemplateInputs) -> TextTemplateOutputs:
        text = render_template(config.template, template_variables(inputs.data))
        return TextTemplateOutputs(text=text)
