"""Summarize: a short summary of a text, as sentences or bullet points."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from nodes.ai._common import ModelSettings, ask_model, model_fingerprint
from runtime.api import CachePolicy, Capability, GenerationRequest, NodeContext, NodeError, NodeType

_LENGTH = {"one sentence": "in one sentence", "short": "in at most three sentences",
           "detailed": "in one or two paragraphs"}


class SummarizeConfig(ModelSettings):
    length: Literal["one sentence", "short", "detailed"] = Field(default="short", title="Length")
    form: Literal["sentences", "bullet points"] = Field(default="sentences", title="As")
    focus: str = Field(default="", title="Focus on", description="e.g. amounts and due dates (optional)")


class SummarizeInputs(BaseModel):
    text: str | None = Field(default=None, title="Text")


class SummarizeOutputs(BaseModel):
    summary: str | None = Field(default=None, title="Summary")


class Summarize(NodeType):
    type_id = "ai.summarize"
    title = "Summarize"
    category = "AI"
    description = ("Writes a short summary of a text (an e-mail, a contract, a report) with the local "
                   "AI model.")
    keywords = ("ai", "summarize", "summary", "shorten", "tl;dr", "digest", "llm")
    icon = "letter-text"
    capabilities = frozenset({Capability.MODEL})
    cache = CachePolicy.FINGERPRINT
    Config = SummarizeConfig
    Inputs = SummarizeInputs
    Outputs = SummarizeOutputs

    def fingerprint(self, ctx: NodeContext, config: SummarizeConfig, inputs: SummarizeInputs) -> str | None:
        return model_fingerprint(ctx, config)

    async def run(self, ctx: NodeContext, config: SummarizeConfig,
                  inputs: SummarizeInputs) -> SummarizeOutputs:
        if not inputs.text or not inputs.text.strip():
            raise NodeError("Text: there is nothing to summarize")
        ask = f"Summarize the text below {_LENGTH[config.length]}"
        ask += ", as bullet points" if config.form == "bullet points" else ""
        ask += f", focusing on {config.focus}" if config.focus else ""
        request = GenerationRequest(messages=[{"role": "user", "content": f"{ask}.\n\n{inputs.text}"}])
        result = await ask_model(ctx, config, request)
        return SummarizeOutputs(summary=result.text.strip())
