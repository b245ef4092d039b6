"""Ask about a document: the pages of a PDF (rendered to pictures) or an image, and a question;
the multimodal model looks at them and answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from nodes.ai._common import ImagesInput, ModelSettings, ask_model, images_from, model_fingerprint
from nodes.core._template import check_template, render_template, template_variables
from nodes.documents._common import PageSpec
from runtime.api import CachePolicy, Capability, GenerationRequest, NodeContext, NodeError, NodeType


class AskDocumentConfig(ModelSettings):
    question: str = Field(default="What is the total amount due on this invoice?", title="Question",
                          description="{{ name }} takes a value of the Values input",
                          json_schema_extra={"widget": "multiline"})
    pages: PageSpec = Field(default="1", title="Pages (PDF)", description="e.g. 1, 1-3 or all")
    dpi: int = Field(default=110, ge=36, le=300, title="Picture detail (dpi)",
                     description="Higher reads small print better but is slower")

    @field_validator("question")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return check_template(value)


class AskDocumentInputs(BaseModel):
    document: ImagesInput = Field(default=None, title="Document", description="A PDF, a scan or a screenshot")
    values: Any = Field(default=None, title="Values")


class AskDocumentOutputs(BaseModel):
    answer: str | None = Field(default=None, title="Answer")


class AskDocument(NodeType):
    type_id = "ai.ask_document"
    title = "Ask about a document"
    category = "AI"
    description = ("Shows the pages of a PDF, a scan or a screenshot to the local AI model and asks your "
                   "question about them (needs a model that reads images).")
    keywords = ("ai", "vision", "image", "document", "question", "pdf", "scan", "screenshot", "multimodal")
    icon = "file-scan"
    capabilities = frozenset({Capability.MODEL, Capability.FILES_READ})
    cache = CachePolicy.FINGERPRINT
    Config = AskDocumentConfig
    Inputs = AskDocumentInputs
    Outputs = AskDocumentOutputs

    def fingerprint(self, ctx: NodeContext, config: AskDocumentConfig,
                    inputs: AskDocumentInputs) -> str | None:
        return model_fingerprint(ctx, config, inputs.document)

    async def run(self, ctx: NodeContext, config: AskDocumentConfig,
                  inputs: AskDocumentInputs) -> AskDocumentOutputs:
        if inputs.document is None:
            raise NodeError("Document: connect a PDF, an image or a screenshot")
        images = images_from(ctx, inputs.document, config.pages, config.dpi)
        question = render_template(config.question, template_variables(inputs.values), "Question")
        request = GenerationRequest(messages=[{"role": "user", "content": question}], images=images)
        result = await ask_model(ctx, config, request)
        return AskDocumentOutputs(answer=result.text.strip())
