"""Rotate PDF pages: turns chosen pages by a quarter, half or three quarters, saved as a new PDF.

pypdf (BSD-3-Clause) sets each page's rotation (nothing is re-rendered) and keeps the rest of
the file (bookmarks, links, form fields); the new file is written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, offload
from nodes.documents._common import (
    DocInput,
    PageSpec,
    page_list,
    parse_pages,
    password_for,
    source_path,
)
from nodes.documents._pypdf import OutputConfig, guarded, open_reader, output_path, save_writer
from runtime.api import CachePolicy, Capability, DocumentRef, NodeContext, NodeType


class PdfRotateConfig(OutputConfig):
    path: str = Field(default="", title="File", description="The PDF file (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    pages: PageSpec = Field(default="all", title="Pages",
                       description="Which pages to turn: all, or e.g. 1-3,7 or 2- (to the end) or last")
    angle: Literal[90, 180, 270] = Field(default=90, title="Turn by (degrees, clockwise)",
                                         description="90: a quarter to the right; 270: a quarter to the left")


class PdfRotateInputs(BaseModel):
    path: DocInput = Field(default=None, title="File", description="Overrides the configured file")


class PdfRotateOutputs(BaseModel):
    document: DocumentRef | None = Field(default=None, title="New PDF")


def _rotate(source: Path, target: Path, config: PdfRotateConfig, password: str | None,
            stop: Stop) -> tuple[DocumentRef, list[int]]:
    from pypdf import PdfWriter

    reader = open_reader(source, password, config.password_credential.strip())
    indexes = parse_pages(config.pages, len(reader.pages), source.name)

    def turn() -> PdfWriter:
        writer = PdfWriter(clone_from=reader)
        for index in indexes:
            stop.check()
            writer.pages[index].rotate(config.angle)
        return writer

    writer = guarded(source, turn)
    return save_writer(writer, target, stop), indexes


class PdfRotate(NodeType):
    type_id = "documents.pdf_rotate"
    title = "Rotate PDF Pages"
    category = "Documents"
    description = ("Turns pages of a PDF the right way up (for example pages that were scanned sideways) "
                   "and saves the result as a new PDF.")
    keywords = ("pdf", "rotate", "turn", "orientation", "landscape", "portrait", "upside down")
    icon = "repeat"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE, Capability.CREDENTIALS})
    cache = CachePolicy.NEVER
    Config = PdfRotateConfig
    Inputs = PdfRotateInputs
    Outputs = PdfRotateOutputs

    async def run(self, ctx: NodeContext, config: PdfRotateConfig,
                  inputs: PdfRotateInputs) -> PdfRotateOutputs:
        source = source_path(ctx, config.path, inputs.path)
        password = password_for(ctx, config.password_credential)
        target = output_path(ctx, config, f"{source.stem}-rotated.pdf")
        ref, indexes = await offload(lambda stop: _rotate(source, target, config, password, stop),
                                     size=1, limit=0)
        ctx.log.info("turned page%s %s of %s by %d° and saved %s", "s" if len(indexes) > 1 else "",
                     page_list(indexes), source.name, config.angle, target)
        return PdfRotateOutputs(document=ref)
