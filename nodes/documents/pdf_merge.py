"""Merge PDFs: several PDFs become one, in the order given, with a bookmark per file if wanted.

pypdf (BSD-3-Clause) copies the pages as they are (and each file's bookmarks); the new file
is written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, offload
from nodes.documents._common import password_for
from nodes.documents._pypdf import OutputConfig, guarded, open_reader, output_path, save_writer
from runtime.api import (
    CachePolicy,
    Capability,
    DocumentRef,
    FileRef,
    NodeContext,
    NodeError,
    NodeType,
    PortType,
)

FileList = Annotated[list[str | FileRef | DocumentRef] | None, PortType.LIST]


class PdfMergeConfig(OutputConfig):
    paths: list[str] = Field(default_factory=list, title="Files",
                             description="The PDFs to join, in order (relative to the flow's folder)",
                             json_schema_extra={"widget": "files"})
    bookmarks: bool = Field(default=True, title="Bookmark each file",
                            description="Adds a bookmark named after each file at its first page")


class PdfMergeInputs(BaseModel):
    files: FileList = Field(default=None, title="Files",
                            description="Overrides the configured files: a list of paths or PDF references")


class PdfMergeOutputs(BaseModel):
    document: DocumentRef | None = Field(default=None, title="New PDF")


def _merge(sources: list[Path], target: Path, config: PdfMergeConfig, password: str | None,
           stop: Stop) -> DocumentRef:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for source in sources:
        stop.check()
        reader = open_reader(source, password, config.password_credential.strip())
        guarded(source, lambda r=reader, s=source: writer.append(
            r, outline_item=s.stem if config.bookmarks else None, import_outline=True))
    return save_writer(writer, target, stop)


class PdfMerge(NodeType):
    type_id = "documents.pdf_merge"
    title = "Merge PDFs"
    category = "Documents"
    description = ("Joins several PDFs into one, in the order given: for example an invoice with its "
                   "delivery note and order, or all of a month's statements.")
    keywords = ("pdf", "merge", "join", "combine", "append", "concatenate", "bundle")
    icon = "combine"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE, Capability.CREDENTIALS})
    cache = CachePolicy.NEVER
    Config = PdfMergeConfig
    Inputs = PdfMergeInputs
    Outputs = PdfMergeOutputs

    async def run(self, ctx: NodeContext, config: PdfMergeConfig, inputs: PdfMergeInputs) -> PdfMergeOutputs:
        given = inputs.files if inputs.files else config.paths
        raw = [item.path if isinstance(item, (FileRef, DocumentRef)) else item for item in given]
        raw = [str(item).strip() for item in raw if str(item).strip()]
        if not raw:
            raise NodeError("Files: no PDFs given; add them or connect the 'files' input")
        sources = [ctx.resolve_path(item) for item in raw]
        target = output_path(ctx, config, "merged.pdf")
        if target.resolve() in {s.resolve() for s in sources if s.exists()}:
            ctx.log.info("%s is one of the files being joined; it is replaced once the new file is complete",
                         target.name)
        password = password_for(ctx, config.password_credential)
        ref = await offload(lambda stop: _merge(sources, target, config, password, stop), size=1, limit=0)
        ctx.log.info("joined %d files (%d pages) into %s", len(sources), ref.pages or 0, target)
        return PdfMergeOutputs(document=ref)
