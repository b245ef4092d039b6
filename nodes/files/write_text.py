"""Write text file: writes text to a file, replacing it or adding to its end (atomically)."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from nodes._shared.offload import BYTES_INLINE, Stop, offload
from nodes._shared.values import Text, file_ref
from nodes.files._common import (
    PathInput,
    check_encoding,
    encode_text,
    file_size,
    os_error,
    pick_path,
    prepare_target,
    replace_file,
)
from runtime.api import CachePolicy, Capability, FileRef, NodeContext, NodeType


class WriteTextConfig(BaseModel):
    path: str = Field(default="", title="File", description="Where to write (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    encoding: str = Field(default="utf-8", title="Encoding")
    append: bool = Field(default=False, title="Add to the end",
                         description="Keep what the file holds and add the text after it")
    overwrite: bool = Field(default=True, title="Replace an existing file",
                            description="When off, an existing file is an error (unless adding to the end)")
    create_folders: bool = Field(default=True, title="Create missing folders")

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        return check_encoding(value, allow_auto=False)


class WriteTextInputs(BaseModel):
    text: Text = Field(title="Text")
    path: PathInput = Field(default=None, title="File", description="Overrides the configured file")


class WriteTextOutputs(BaseModel):
    file: FileRef | None = Field(default=None, title="File")


def _without_bom(data: bytes) -> bytes:
    """Encodings such as utf-8-sig and utf-16 start with a marker that belongs only at the file's start."""
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE,
                codecs.BOM_UTF16_BE):
        if data.startswith(bom):
            return data[len(bom):]
    return data


class WriteText(NodeType):
    type_id = "files.write_text"
    title = "Write text file"
    category = "Files"
    description = "Saves text to a file, replacing it or adding to its end."
    keywords = ("save", "file", "txt", "write", "append", "export")
    icon = "file-text"
    capabilities = frozenset({Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = WriteTextConfig
    Inputs = WriteTextInputs
    Outputs = WriteTextOutputs

    async def run(self, ctx: NodeContext, config: WriteTextConfig,
                  inputs: WriteTextInputs) -> WriteTextOutputs:
        path = pick_path(ctx, config.path, inputs.path, "File")
        size = len(inputs.text) + (file_size(path) if config.append else 0)
        added = await offload(lambda stop: _write(path, inputs.text, config, stop), size=size,
                              limit=BYTES_INLINE)
        ctx.log.info("%s %d characters to %s", "added" if added else "wrote", len(inputs.text), path)
        return WriteTextOutputs(file=file_ref(path, "text/plain"))


def _write(path: Path, text: str, config: WriteTextConfig, stop: Stop) -> bool:
    """Encode and (atomically) write or append the text; True when it was added to existing text."""
    data = encode_text(text, config.encoding, path)
    prepare_target(path, create_folders=config.create_folders, overwrite=config.overwrite or config.append)
    existing = b""
    if config.append and os.path.exists(path):
        try:
            existing = path.read_bytes()
        except OSError as exc:
            raise os_error(exc, path, "read") from None
        if existing and not text.startswith("\ufeff"):
            data = _without_bom(data)
    replace_file(path, existing + data, stop)
    return bool(existing)
