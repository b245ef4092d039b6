"""Classify: the model picks one label from your list (constrained to exactly those labels)."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from nodes.ai._common import ImagesInput, ModelSettings, ask_model, images_from, model_fingerprint
from runtime.api import (
    CachePolicy,
    Capability,
    Constraint,
    GenerationRequest,
    NodeContext,
    NodeError,
    NodeType,
)


class ClassifyConfig(ModelSettings):
    labels: list[str] = Field(default_factory=lambda: ["invoice", "credit note", "reminder", "other"],
                              title="Labels", description="The answer is exactly one of these")
    instructions: str = Field(default="Which kind of document is this?", title="Question",
                              json_schema_extra={"widget": "multiline"})
    max_tokens: int = Field(default=32, ge=1, le=512, title="At most tokens")

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: list[str]) -> list[str]:
        labels = [v.strip() for v in value if v.strip()]
        if len(labels) < 2:
            raise ValueError("give at least two labels to choose from")
        if len(set(labels)) != len(labels):
            raise ValueError("a label is listed twice")
        return labels


class ClassifyInputs(BaseModel):
    text: str | None = Field(default=None, title="Text")
    images: ImagesInput = Field(default=None, title="Images")


class ClassifyOutputs(BaseModel):
    label: str | None = Field(default=None, title="Label")


class Classify(NodeType):
    type_id = "ai.classify"
    title = "Classify"
    category = "AI"
    description = ("Sorts a text or document into one of your labels (invoice, reminder, …) with the "
                   "local AI model; the answer is always one of the labels.")
    keywords = ("ai", "classify", "category", "label", "sort", "route", "triage", "llm")
    icon = "list-checks"
    capabilities = frozenset({Capability.MODEL})
    cache = CachePolicy.FINGERPRINT
    Config = ClassifyConfig
    Inputs = ClassifyInputs
    Outputs = ClassifyOutputs

    def fingerprint(self, ctx: NodeContext, config: ClassifyConfig, inputs: ClassifyInputs) -> str | None:
        return model_fingerprint(ctx, config, inputs.images)

    async def run(self, ctx: NodeContext, config: ClassifyConfig, inputs: ClassifyInputs) -> ClassifyOutputs:
        if not (inputs.text or "").strip() and not inputs.images:
            raise NodeError("connect the Text (or Images) to classify")
        options = ", ".join(config.labels)
        content = f"{config.instructions}\nAnswer with one of: {options}."
        if inputs.text:
            content += f"\n\nText:\n{inputs.text}"
        pattern = "(" + "|".join(re.escape(label) for label in config.labels) + ")"
        request = GenerationRequest(messages=[{"role": "user", "content": content}],
                                    images=images_from(ctx, inputs.images),
                                    constraint=Constraint("regex", pattern))
        result = await ask_model(ctx, config, request)
        label = result.text.strip()
        if label not in config.labels:
            raise NodeError(f"the model answered '{label[:80]}', which is not one of the labels")
        return ClassifyOutputs(label=label)
