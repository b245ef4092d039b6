"""Extract PDF pages: chosen pages of a PDF, in the order given, saved as a new PDF.

pypdf (BSD-3-Clause) copies the pages as they are (no re-rendering); the new file is written
atomically. See `_pypdf` for why pypdf.
"""

from __future__ import annotations

from pathlib import Path

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


class PdfExtractConfig(OutputConfig):
    path: str = Field(default="", title="File", description="The PDF file (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    pages: PageSpec = Field(default="1", title="Pages",
                       description="Which pages, in the order wanted: e.g. 1-3,7 or 2- (to the end) or "
                                   "last; 3,1,2 puts page 3 first")


class PdfExtractInputs(BaseModel):
    path: DocInput = Field(default=None, title="File", description="Overrides the configured file")


class PdfExtractOutputs(BaseModel):
    document: DocumentRef | None = Field(default=None, title="New PDF")


def _extract(source: Path, target: Path, config: PdfExtractConfig, password: str | None,
             stop: Stop) -> tuple[DocumentRef, list[int]]:
    from pypdf import PdfWriter

    reader = open_reader(source, password, config.password_credential.strip())
    indexes = parse_pages(config.pages, len(reader.pages), source.name)
    writer = PdfWriter()

    def copy() -> None:
        for index in indexes:
            stop.check()
            writer.add_page(reader.pages[index])

    guarded(source, copy)
    return save_writer(writer, target, stop), indexes


class PdfExtract(NodeType):
    type_id = "documents.pdf_extract"
    title = "Extract PDF Pages"
    category = "Documents"
    description = ("Saves chosen pages of a PDF as a new PDF, for example only the first page of each "
                   "invoice, or the pages in another order. The original file is not changed.")
    keywords = ("pdf", "extract", "pages", "select", "reorder", "copy pages", "new pdf")
    icon = "file-down"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE, Capability.CREDENTIALS})
    cache = CachePolicy.NEVER
    Config = PdfExtractConfig
    Inputs = PdfExtractInputs
    Outputs = PdfExtractOutputs

    async def run(self, ctx: NodeContext, config: PdfExtractConfig,
                  inputs: PdfExtractInputs) -> PdfExtractOutputs:
        source = source_path(ctx, config.path, inputs.path)
        password = password_for(ctx, config.password_credential)
        target = output_path(ctx, config, f"{source.stem}-pages.pdf")
        ref, indexes = await offload(lambda stop: _extract(source, target, config, password, stop),
                                     size=1, limit=0)
        ctx.log.info("saved page%s %s of %s as %s", "s" if len(indexes) > 1 else "", page_list(indexes),
                     source.name, target)
        return PdfExtractOutputs(document=ref)
