"""Extract fields: the user lists the fields (name, type, description, required); the model
fills them from a text or a picture under a JSON-schema constraint, so its answer always
parses, and the record is validated before it is passed on."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, create_model, field_validator

from nodes.ai._common import ImagesInput, ModelSettings, ask_model, images_from, model_fingerprint
from nodes.documents._common import PageSpec
from runtime.api import (
    CachePolicy,
    Capability,
    Constraint,
    GenerationRequest,
    NodeContext,
    NodeError,
    NodeType,
)

FieldType = Literal["text", "number", "integer", "boolean", "date"]
_PY: dict[str, Any] = {"text": str, "number": float, "integer": int, "boolean": bool, "date": dt.date}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ]{0,63}$")


class FieldSpec(BaseModel):
    name: str = Field(title="Field")
    type: FieldType = Field(default="text", title="Type")
    description: str = Field(default="", title="What it is", description="e.g. 'the invoice number, INV-…'")
    required: bool = Field(default=True, title="Required")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("use letters, digits, spaces and '_' (starting with a letter)")
        return value


class ExtractFieldsConfig(ModelSettings):
    fields: list[FieldSpec] = Field(default_factory=lambda: [FieldSpec(name="invoice_number"),
                                                             FieldSpec(name="total", type="number")],
                                    title="Fields")
    instructions: str = Field(default="Extract the fields from the document. Use null when a field is "
                                      "not in it.", title="Instructions",
                              json_schema_extra={"widget": "multiline"})
    pages: PageSpec = Field(default="all", title="Pages (PDF)", description="e.g. 1 or 1-2; all: every page")

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: list[FieldSpec]) -> list[FieldSpec]:
        if not value:
            raise ValueError("define at least one field")
        names = [f.name for f in value]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"two fields are called {', '.join(doubled)}")
        return value


class ExtractFieldsInputs(BaseModel):
    text: str | None = Field(default=None, title="Text", description="The document's text")
    images: ImagesInput = Field(default=None, title="Images", description="Or its pictures / PDF pages")


class ExtractFieldsOutputs(BaseModel):
    record: dict[str, Any] | None = Field(default=None, title="Record")


_DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_BOUND = 1e12
TEXT_LIMIT = 300


def record_schema(fields: list[FieldSpec]) -> dict[str, Any]:
    """The JSON schema the model's answer is held to. Every value is bounded (text length,
    number range and decimals, date shape), so even a weak model finishes a valid record;
    optional fields may be null but are always present."""
    properties: dict[str, Any] = {}
    for spec in fields:
        if spec.type == "text":
            schema: dict[str, Any] = {"type": "string", "maxLength": TEXT_LIMIT}
        elif spec.type == "number":
            schema = {"type": "number", "multipleOf": 0.0001, "minimum": -_BOUND, "maximum": _BOUND}
        elif spec.type == "integer":
            schema = {"type": "integer", "minimum": -_BOUND, "maximum": _BOUND}
        elif spec.type == "boolean":
            schema = {"type": "boolean"}
        else:
            schema = {"type": "string", "pattern": _DATE}
        if spec.description:
            schema["description"] = spec.description
        properties[spec.name] = schema if spec.required else {"anyOf": [schema, {"type": "null"}]}
    return {"x-guidance": {"whitespace_flexible": False}, "type": "object", "properties": properties,
            "required": [f.name for f in fields], "additionalProperties": False}


def record_model(fields: list[FieldSpec]) -> type[BaseModel]:
    """The pydantic model of the record: its JSON schema constrains the model's output."""
    definitions: dict[str, Any] = {}
    for spec in fields:
        kind = _PY[spec.type]
        annotation = kind if spec.required else kind | None
        definitions[spec.name] = (annotation, Field(default=... if spec.required else None,
                                                    description=spec.description or None))
    return create_model("ExtractedRecord", **definitions)


class ExtractFields(NodeType):
    type_id = "ai.extract_fields"
    title = "Extract fields"
    category = "AI"
    description = ("Reads a document (its text, or pictures of its pages) with the local AI model and "
                   "fills in the fields you list — invoice number, date, total… — as a checked record.")
    keywords = ("ai", "extract", "fields", "invoice", "parse", "document", "ocr", "record", "llm")
    icon = "scan-search"
    capabilities = frozenset({Capability.MODEL})
    cache = CachePolicy.FINGERPRINT
    Config = ExtractFieldsConfig
    Inputs = ExtractFieldsInputs
    Outputs = ExtractFieldsOutputs

    def fingerprint(self, ctx: NodeContext, config: ExtractFieldsConfig,
                    inputs: ExtractFieldsInputs) -> str | None:
        return model_fingerprint(ctx, config, inputs.images)

    async def run(self, ctx: NodeContext, config: ExtractFieldsConfig,
                  inputs: ExtractFieldsInputs) -> ExtractFieldsOutputs:
        if not (inputs.text or "").strip() and not inputs.images:
            raise NodeError("the document is empty: no text and no images to read the fields from "
                            "(a scanned PDF has no text layer — connect its pages as Images, or read it "
                            "with OCR first)")
        model = record_model(config.fields)
        schema = record_schema(config.fields)
        listed = "\n".join(f"- {f.name} ({f.type}{', required' if f.required else ''})"
                           f"{': ' + f.description if f.description else ''}" for f in config.fields)
        content = f"{config.instructions}\nFields:\n{listed}"
        if inputs.text:
            content += f"\n\nDocument:\n{inputs.text}"
        request = GenerationRequest(
            messages=[{"role": "system", "content": "You extract data from business documents as JSON."},
                      {"role": "user", "content": content}],
            images=images_from(ctx, inputs.images, config.pages) if inputs.images is not None else [],
            constraint=Constraint("json_schema", schema))
        result = await ask_model(ctx, config, request)
        if result.finish_reason == "length":
            raise NodeError(f"the answer was cut off at {config.max_tokens} tokens before the record was "
                            "complete; raise 'At most tokens'")
        try:
            record = model.model_validate(json.loads(result.text))
        except (ValueError, ValidationError) as exc:
            detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise NodeError(f"the model's answer is not a valid record ({detail}); "
                            f"answer was: {result.text[:200]}") from None
        return ExtractFieldsOutputs(record=record.model_dump(mode="json"))
