"""Ask the AI: a system and a user message (templates filled from the input values), optional
images, the answer as text — run by the local model, nothing leaves the computer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from nodes.ai._common import ImagesInput, ModelSettings, ask_model, images_from, model_fingerprint
from nodes.core._template import check_template, render_template, template_variables
from runtime.api import CachePolicy, Capability, GenerationRequest, NodeContext, NodeType


class PromptConfig(ModelSettings):
    system: str = Field(default="You are a careful assistant in a finance office. Answer briefly.",
                        title="Instructions (system)", json_schema_extra={"widget": "multiline"})
    user: str = Field(default="{{ data }}", title="Message",
                      description="What to ask; {{ name }} takes a value of the input record",
                      json_schema_extra={"widget": "multiline"})

    @field_validator("system", "user")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return check_template(value)


class PromptInputs(BaseModel):
    values: Any = Field(default=None, title="Values", description="A record (or any value) for the templates")
    images: ImagesInput = Field(default=None, title="Images",
                                description="Pictures or PDF pages the model looks at (a model that reads "
                                            "images is needed)")


class PromptOutputs(BaseModel):
    text: str | None = Field(default=None, title="Answer")


class Prompt(NodeType):
    type_id = "ai.prompt"
    title = "Ask the AI"
    category = "AI"
    description = ("Asks the local AI model a question built from your text and the input values (and "
                   "pictures, if given), and gives its answer. Nothing leaves this computer.")
    keywords = ("ai", "llm", "prompt", "ask", "chat", "gpt", "model", "generate", "write")
    icon = "sparkles"
    capabilities = frozenset({Capability.MODEL})
    cache = CachePolicy.FINGERPRINT
    Config = PromptConfig
    Inputs = PromptInputs
    Outputs = PromptOutputs

    def fingerprint(self, ctx: NodeContext, config: PromptConfig, inputs: PromptInputs) -> str | None:
        return model_fingerprint(ctx, config, inputs.images)

    async def run(self, ctx: NodeContext, config: PromptConfig, inputs: PromptInputs) -> PromptOutputs:
        variables = template_variables(inputs.values)
        messages = []
        if config.system.strip():
            messages.append({"role": "system",
                             "content": render_template(config.system, variables, "Instructions")})
        messages.append({"role": "user", "content": render_template(config.user, variables, "Message")})
        request = GenerationRequest(messages=messages, images=images_from(ctx, inputs.images))
        result = await ask_model(ctx, config, request)
        return PromptOutputs(text=result.text.strip())
