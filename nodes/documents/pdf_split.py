"""Split PDF: one PDF becomes several, every N pages or by page ranges.

pypdf (BSD-3-Clause) copies the pages as they are; each part is written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from nodes._shared.offload import Stop, offload
from nodes.documents._common import (
    DocInput,
    artifact_path,
    check_page_spec,
    parse_pages,
    password_for,
    source_path,
)
from nodes.documents._pypdf import OutputConfig, guarded, open_reader, save_writer
from nodes.files._common import prepare_target
from runtime.api import CachePolicy, Capability, Column, DocumentRef, NodeContext, NodeError, NodeType, Table

PART_COLUMNS = (Column(name="part", type="integer"), Column(name="document", type="any"),
                Column(name="file", type="text"), Column(name="pages", type="text"),
                Column(name="page_count", type="integer"))


class PdfSplitConfig(OutputConfig):
    path: str = Field(default="", title="File", description="The PDF file (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    mode: Literal["every", "ranges"] = Field(default="every", title="Split",
                                             description="every: a new file every N pages; ranges: one "
                                                         "file per range")
    every: int = Field(default=1, ge=1, title="Pages per file",
                       description="For 'every': 1 gives one file per page")
    ranges: str = Field(default="", title="Ranges",
                        description="For 'ranges': each range becomes one file, e.g. 1-3,4-6,7- (three "
                                    "files). Use ';' to put several ranges in one file: 1-2,5; 3-4")
    output: str = Field(default="", title="Folder",
                        description="Where the parts go (relative to the flow's folder). Empty: this run's "
                                    "work folder, to pass on to other nodes.",
                        json_schema_extra={"widget": "folder"})
    name: str = Field(default="{name}-part{part}.pdf", title="File names",
                      description="{name}: the original name without .pdf; {part}: 1, 2, …; {first} and "
                                  "{last}: its first and last page")

    @field_validator("ranges")
    @classmethod
    def _ranges(cls, value: str) -> str:
        for group in _groups(value):
            check_page_spec(group)
        return value.strip()

    @model_validator(mode="after")
    def _needs_ranges(self) -> PdfSplitConfig:
        if self.mode == "ranges" and not _groups(self.ranges):
            raise ValueError("splitting by ranges needs ranges, e.g. 1-3,4-6,7-")
        try:
            self.name.format(name="x", part=1, first=1, last=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError("file names may use {name}, {part}, {first} and {last} only "
                             f"({type(exc).__name__}: {exc})") from None
        if not self.name.lower().endswith(".pdf") or "/" in self.name or "\\" in self.name:
            raise ValueError("file names must end in .pdf and contain no folder")
        return self


class PdfSplitInputs(BaseModel):
    path: DocInput = Field(default=None, title="File", description="Overrides the configured file")


class PdfSplitOutputs(BaseModel):
    documents: list[DocumentRef] | None = Field(default=None, title="New PDFs")
    parts: Table | None = Field(default=None, title="Parts",
                                description="part, document, file, pages, page_count")


def _groups(ranges: str) -> list[str]:
    separator = ";" if ";" in ranges else ","
    return [g.strip() for g in ranges.split(separator) if g.strip()]


def _plan(config: PdfSplitConfig, count: int, name: str) -> list[list[int]]:
    if config.mode == "every":
        step = config.every
        return [list(range(start, min(start + step, count))) for start in range(0, count, step)]
    return [parse_pages(group, count, name) for group in _groups(config.ranges)]


def _split(source: Path, folder: Path, work_folder: bool, config: PdfSplitConfig, password: str | None,
           stop: Stop) -> list[dict[str, object]]:
    """Write the parts into `folder`: the run's `work_folder` (names made unique) or the user's."""
    from pypdf import PdfWriter

    reader = open_reader(source, password, config.password_credential.strip())
    plan = _plan(config, len(reader.pages), source.name)
    rows: list[dict[str, object]] = []
    for part, indexes in enumerate(plan, 1):
        stop.check()
        name = config.name.format(name=source.stem, part=part, first=indexes[0] + 1, last=indexes[-1] + 1)
        if work_folder:
            target = artifact_path(folder, name)
        else:
            target = folder / name
            prepare_target(target, create_folders=config.create_folders, overwrite=config.overwrite)
        writer = PdfWriter()
        guarded(source, lambda w=writer, ix=indexes: [w.add_page(reader.pages[i]) for i in ix])
        ref = save_writer(writer, target, stop)
        first, last = indexes[0] + 1, indexes[-1] + 1
        shown = str(first) if len(indexes) == 1 else f"{first}-{last}" if last - first + 1 == len(indexes) \
            else ",".join(str(i + 1) for i in indexes)
        rows.append({"part": part, "document": ref, "file": ref.path, "pages": shown,
                     "page_count": len(indexes)})
    return rows


class PdfSplit(NodeType):
    type_id = "documents.pdf_split"
    title = "Split PDF"
    category = "Documents"
    description = ("Cuts one PDF into several, for example a scanned batch of invoices into one file per "
                   "invoice (every N pages), or a report into chapters (page ranges).")
    keywords = ("pdf", "split", "separate", "pages", "cut", "burst", "divide")
    icon = "split"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE, Capability.CREDENTIALS})
    cache = CachePolicy.NEVER
    Config = PdfSplitConfig
    Inputs = PdfSplitInputs
    Outputs = PdfSplitOutputs

    async def run(self, ctx: NodeContext, config: PdfSplitConfig, inputs: PdfSplitInputs) -> PdfSplitOutputs:
        source = source_path(ctx, config.path, inputs.path)
        password = password_for(ctx, config.password_credential)
        work_folder = not config.output.strip()
        folder = ctx.artifacts if work_folder else ctx.resolve_path(config.output.strip())
        if folder.exists() and not folder.is_dir():
            raise NodeError(f"'Folder' must be a folder, but {folder} is a file")
        rows = await offload(lambda stop: _split(source, folder, work_folder, config, password, stop),
                             size=1, limit=0)
        where = "the run's work folder" if work_folder else folder
        ctx.log.info("split %s into %d file%s in %s", source.name, len(rows), "s" if len(rows) != 1 else "",
                     where)
        return PdfSplitOutputs(documents=[r["document"] for r in rows], parts=Table(PART_COLUMNS, rows))
