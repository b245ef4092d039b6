"""Read text file: reads a whole text file."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from nodes._shared.offload import BYTES_INLINE, offload
from nodes.files._common import (
    PathInput,
    check_encoding,
    decode_text,
    file_fingerprint,
    file_size,
    pick_path,
    read_bytes,
)
from runtime.api import CachePolicy, Capability, NodeContext, NodeType


class ReadTextConfig(BaseModel):
    path: str = Field(default="", title="File", description="The text file (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    encoding: str = Field(default="auto", title="Encoding",
                          description="auto tries UTF-8 then Windows-1252; or e.g. utf-8, cp1252, latin-1")

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        return check_encoding(value, allow_auto=True)


class ReadTextInputs(BaseModel):
    path: PathInput = Field(default=None, title="File", description="Overrides the configured file")


class ReadTextOutputs(BaseModel):
    text: str | None = Field(default=None, title="Text")


class ReadText(NodeType):
    type_id = "files.read_text"
    title = "Read text file"
    category = "Files"
    description = "Reads the whole content of a text file (.txt, .json, .xml, .html …) as text."
    keywords = ("open", "load", "file", "txt", "read")
    icon = "file-text"
    capabilities = frozenset({Capability.FILES_READ})
    cache = CachePolicy.FINGERPRINT
    Config = ReadTextConfig
    Inputs = ReadTextInputs
    Outputs = ReadTextOutputs

    def fingerprint(self, ctx: NodeContext, config: ReadTextConfig, inputs: ReadTextInputs) -> str | None:
        return file_fingerprint(ctx, config.path, inputs.path)

    async def run(self, ctx: NodeContext, config: ReadTextConfig, inputs: ReadTextInputs) -> ReadTextOutputs:
        path = pick_path(ctx, config.path, inputs.path, "File")
        text, encoding = await offload(lambda stop: decode_text(read_bytes(path), config.encoding, path),
                                       size=file_size(path), limit=BYTES_INLINE)
        ctx.log.info("read %d characters from %s (%s)", len(text), path.name, encoding)
        return ReadTextOutputs(text=text)
