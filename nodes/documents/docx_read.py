"""Read Word document: paragraphs with their heading levels, tables as Tables, and the properties.

Library: python-docx (MIT), the standard reader of .docx files; it reads the document's XML
directly (no Word or LibreOffice needed). Old .doc files and password-protected documents are
recognised and refused with a message saying what to do.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from nodes._shared.offload import BYTES_INLINE, Stop, offload
from nodes.documents._common import DocInput, check_source, document_ref, source_fingerprint, source_path
from nodes.files._common import file_size
from runtime.api import CachePolicy, Capability, Column, DocumentRef, NodeContext, NodeError, NodeType, Table

BLOCK_COLUMNS = (Column(name="block", type="integer"), Column(name="kind", type="text"),
                 Column(name="level", type="integer"), Column(name="style", type="text"),
                 Column(name="text", type="text"), Column(name="table", type="integer"))
_HEADING = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


class DocxReadConfig(BaseModel):
    path: str = Field(default="", title="File", description="The Word document (.docx), relative to the "
                      "flow's folder", json_schema_extra={"widget": "file"})
    header: bool = Field(default=True, title="Tables: first row has column names")
    keep_empty: bool = Field(default=False, title="Keep empty paragraphs",
                             description="Off: blank lines between paragraphs are left out of 'Blocks'")


class DocxReadInputs(BaseModel):
    path: DocInput = Field(default=None, title="File", description="Overrides the configured file")


class DocxReadOutputs(BaseModel):
    text: str | None = Field(default=None, title="Text",
                             description="All paragraphs, one per line; table rows with cells "
                                         "separated by tabs")
    blocks: Table | None = Field(default=None, title="Blocks",
                                 description="Paragraphs, headings and tables in order: block, kind "
                                             "(title, heading, paragraph, list item, table), level, "
                                             "style, text")
    tables: list[Table] | None = Field(default=None, title="Tables")
    table: Table | None = Field(default=None, title="First table")
    properties: dict[str, Any] | None = Field(default=None, title="Properties",
                                              description="Title, author, subject, keywords, dates, …")
    document: DocumentRef | None = Field(default=None, title="Document")


def _style_chain(paragraph: Any) -> list[Any]:
    chain, style = [], paragraph.style
    while style is not None and len(chain) < 20:
        chain.append(style)
        style = style.base_style
    return chain


def _outline_level(element: Any) -> int | None:
    from docx.oxml.ns import qn

    ppr = element.find(qn("w:pPr"))
    found = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if found is None:
        return None
    value = found.get(qn("w:val"))
    return int(value) + 1 if value is not None and value.isdigit() and int(value) < 9 else None


def _kind(paragraph: Any) -> tuple[str, int | None]:
    """("title" | "heading" | "list item" | "paragraph", heading level)."""
    from docx.oxml.ns import qn

    chain = _style_chain(paragraph)
    direct = _outline_level(paragraph._p)
    if direct is not None:
        return "heading", direct
    for style in chain:
        name = (style.name or "").strip()
        if name.lower() == "title":
            return "title", None
        match = _HEADING.match(name)
        if match:
            return "heading", int(match.group(1))
        level = _outline_level(style.element)
        if level is not None:
            return "heading", level
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.find(qn("w:numPr")) is not None:
        return "list item", None
    for style in chain:
        ppr = style.element.find(qn("w:pPr"))
        if (ppr is not None and ppr.find(qn("w:numPr")) is not None) or (style.name or "").startswith("List"):
            return "list item", None
    return "paragraph", None


def _table(table: Any, header: bool) -> Table:
    grid = [[" ".join(cell.text.split()) for cell in row.cells] for row in table.rows]
    width = max((len(r) for r in grid), default=0)
    top = grid.pop(0) if header and grid else []
    names: list[str] = []
    for i in range(width):
        base = top[i] if i < len(top) and top[i] else f"column_{i + 1}"
        name, n = base, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    rows = [dict(zip(names, r + [""] * (width - len(r)), strict=True)) for r in grid]
    return Table([Column(name=n, type="text") for n in names], rows)


def _utc(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _pages(path: Path) -> int | None:
    """The page count Word stored at the last save (docProps/app.xml), if any."""
    try:
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("docProps/app.xml").decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile):
        return None
    match = re.search(r"<(?:\w+:)?Pages>(\d+)</", xml)
    return int(match.group(1)) if match else None


def _read(path: Path, config: DocxReadConfig, stop: Stop) -> dict[str, Any]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable
    from lxml.etree import LxmlError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, LxmlError) as exc:
        reason = str(exc) if isinstance(exc, ValueError) else "its parts cannot be read"
        raise NodeError(f"cannot read {path}: the file is damaged or is not a Word document "
                        f"({reason})") from None
    blocks: list[dict[str, Any]] = []
    tables: list[Table] = []
    lines: list[str] = []
    for item in document.iter_inner_content():
        stop.check()
        if isinstance(item, DocxTable):
            tables.append(_table(item, config.header))
            blocks.append({"block": len(blocks) + 1, "kind": "table", "level": None, "style":
                           item.style.name if item.style is not None else "", "text": f"table {len(tables)}",
                           "table": len(tables)})
            lines.extend("\t".join(" ".join(c.text.split()) for c in row.cells) for row in item.rows)
            continue
        text = item.text
        lines.append(text)
        if not text.strip() and not config.keep_empty:
            continue
        kind, level = _kind(item)
        style = item.style.name if item.style is not None else ""
        blocks.append({"block": len(blocks) + 1, "kind": kind, "level": level, "style": style, "text": text,
                       "table": None})
    props = document.core_properties
    properties = {name: _utc(getattr(props, name)) for name in (
        "title", "author", "subject", "keywords", "category", "comments", "last_modified_by", "revision",
        "created", "modified", "language", "content_status")}
    return {"blocks": blocks, "tables": tables, "text": "\n".join(lines), "properties": properties}


class DocxRead(NodeType):
    type_id = "documents.docx_read"
    title = "Read Word Document"
    category = "Documents"
    description = ("Reads a Word document (.docx): its paragraphs and headings in order, its tables as "
                   "tables, and its properties such as title and author.")
    keywords = ("word", "docx", "document", "read", "paragraphs", "headings", "tables", "contract", "letter")
    icon = "file-text"
    capabilities = frozenset({Capability.FILES_READ})
    cache = CachePolicy.FINGERPRINT
    Config = DocxReadConfig
    Inputs = DocxReadInputs
    Outputs = DocxReadOutputs

    def fingerprint(self, ctx: NodeContext, config: DocxReadConfig, inputs: DocxReadInputs) -> str | None:
        return source_fingerprint(ctx, config.path, inputs.path)

    async def run(self, ctx: NodeContext, config: DocxReadConfig, inputs: DocxReadInputs) -> DocxReadOutputs:
        path = source_path(ctx, config.path, inputs.path)
        check_source(path, {"docx"}, "a Word document (.docx)")
        done = await offload(lambda stop: _read(path, config, stop), size=file_size(path), limit=BYTES_INLINE)
        pages = _pages(path)
        properties = {**done["properties"], "pages": pages}
        blocks = done["blocks"]
        ctx.log.info("read %d paragraphs and %d tables from %s", sum(b["kind"] != "table" for b in blocks),
                     len(done["tables"]), path.name)
        return DocxReadOutputs(text=done["text"], blocks=Table(BLOCK_COLUMNS, blocks), tables=done["tables"],
                               table=done["tables"][0] if done["tables"] else None, properties=properties,
                               document=document_ref(path, "docx", pages))
