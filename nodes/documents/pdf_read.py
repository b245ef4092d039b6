"""Read PDF: the text of each page (or of chosen pages), the file's details and a document reference.

Engine: PDFium through pypdfium2 (Apache-2.0 / BSD-3-Clause), Chrome's PDF engine: fast and
tolerant of damaged files. Pages without a text layer (scans) are read by offline OCR
(rapidocr-onnxruntime, Apache-2.0, models inside the package) when `ocr` allows it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, offload
from nodes.documents._common import (
    DocInput,
    PageSpec,
    check_source,
    document_ref,
    page_list,
    parse_pages,
    password_for,
    source_fingerprint,
    source_path,
)
from runtime.api import CachePolicy, Capability, Column, DocumentRef, NodeContext, NodeType, Table

PAGE_COLUMNS = (Column(name="page", type="integer"), Column(name="text", type="text"),
                Column(name="chars", type="integer"), Column(name="ocr", type="boolean"))


class PdfReadConfig(BaseModel):
    path: str = Field(default="", title="File", description="The PDF file (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    pages: PageSpec = Field(default="all", title="Pages",
                       description="Which pages: all, or e.g. 1-3,7 or 2- (to the end) or last")
    layout: bool = Field(default=False, title="Keep the page layout",
                         description="Off: text in reading order, one column after the other. On: text "
                                     "placed as it looks on the page, so that columns stay side by side "
                                     "and amounts stay in line with their labels.")
    ocr: Literal["auto", "always", "never"] = Field(
        default="auto", title="Read scanned pages (OCR)",
        description="auto: pages that have no text (scans, photos) are read by text recognition; "
                    "always: every page is; never: pages without text stay empty")
    ocr_dpi: int = Field(default=200, ge=72, le=600, title="OCR resolution (dpi)",
                         description="Higher reads small print better but takes longer")
    password_credential: str = Field(
        default="", title="Password credential",
        description="For password-protected files: the name of a saved credential holding the password",
        json_schema_extra={"widget": "credential"})


class PdfReadInputs(BaseModel):
    path: DocInput = Field(default=None, title="File", description="Overrides the configured file")


class PdfReadOutputs(BaseModel):
    text: str | None = Field(default=None, title="Text",
                             description="All pages read, separated by a blank line")
    pages: Table | None = Field(default=None, title="Pages",
                                description="One row per page: page, text, chars, ocr")
    document: DocumentRef | None = Field(default=None, title="Document")
    metadata: dict[str, Any] | None = Field(default=None, title="Details",
                                            description="Title, author, producer, dates, page count")
    page_count: int | None = Field(default=None, title="Page count",
                                   description="How many pages the file has (not just those read)")


@dataclass
class _Read:
    count: int
    info: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)


def _read(path: Path, config: PdfReadConfig, password: str | None, stop: Stop,
          report: Callable[[float, str], None]) -> _Read:
    """Open the PDF and read the chosen pages; pure (no ctx), so it runs in a worker thread."""
    from nodes.documents._pdfium import PDFIUM_LOCK, metadata, open_pdf, page_text, render_page

    with open_pdf(path, password, config.password_credential.strip()) as doc:
        with PDFIUM_LOCK:
            count = len(doc)
            info = metadata(doc)
            info["page_count"] = count
            version = doc.get_version()
            info["pdf_version"] = f"{version // 10}.{version % 10}" if version else ""
            info["encrypted"] = bool(password) or _encrypted(doc)
        indexes = parse_pages(config.pages, count, path.name)
        done = _Read(count, info)
        for n, index in enumerate(indexes):
            stop.check()
            image = None
            with PDFIUM_LOCK:
                text = "" if config.ocr == "always" else page_text(doc, index, config.layout)
                if config.ocr == "always" or (config.ocr == "auto" and not text.strip()):
                    page = doc[index]
                    try:
                        image = render_page(page, config.ocr_dpi, grayscale=True)
                    finally:
                        page.close()
            if image is not None:
                from nodes.documents._ocr import lines_text, ocr_image

                report(n / len(indexes), f"recognising text on page {index + 1}")
                stop.check()
                text = lines_text(ocr_image(image))
                done.ocr_pages.append(index)
            done.rows.append({"page": index + 1, "text": text, "chars": len(text),
                              "ocr": image is not None})
    return done


def _encrypted(doc: Any) -> bool:
    import pypdfium2.raw as pdfium_c

    return pdfium_c.FPDF_GetSecurityHandlerRevision(doc.raw) != -1


def progress_reporter(ctx: NodeContext) -> Callable[[float, str], None]:
    """A thread-safe way for worker-thread code to update the node's progress."""
    loop = asyncio.get_running_loop()

    def report(fraction: float, message: str) -> None:
        with contextlib.suppress(RuntimeError):  # a cancelled node's thread may outlive its loop
            loop.call_soon_threadsafe(ctx.progress, fraction, message)

    return report


class PdfRead(NodeType):
    type_id = "documents.pdf_read"
    title = "Read PDF"
    category = "Documents"
    description = ("Reads the text of a PDF (an invoice, a statement, a contract), page by page, with "
                   "the file's details such as title, author and dates. Scanned pages are read by "
                   "text recognition on this computer; nothing is sent anywhere.")
    keywords = ("pdf", "text", "extract", "invoice", "statement", "scan", "ocr", "pages", "read")
    icon = "file-text"
    capabilities = frozenset({Capability.FILES_READ, Capability.CREDENTIALS})
    cache = CachePolicy.FINGERPRINT
    Config = PdfReadConfig
    Inputs = PdfReadInputs
    Outputs = PdfReadOutputs

    def fingerprint(self, ctx: NodeContext, config: PdfReadConfig, inputs: PdfReadInputs) -> str | None:
        return source_fingerprint(ctx, config.path, inputs.path)

    async def run(self, ctx: NodeContext, config: PdfReadConfig, inputs: PdfReadInputs) -> PdfReadOutputs:
        path = source_path(ctx, config.path, inputs.path)
        check_source(path, {"pdf"}, "a PDF file")
        password = password_for(ctx, config.password_credential)
        report = progress_reporter(ctx)
        done = await offload(lambda stop: _read(path, config, password, stop, report), size=1, limit=0)
        if done.ocr_pages:
            reason = "as asked" if config.ocr == "always" else "they have no text layer"
            ctx.log.info("read pages %s of %s by text recognition (%s)", page_list(done.ocr_pages),
                         path.name, reason)
        empty = [r["page"] - 1 for r in done.rows if not r["text"].strip()]
        if empty:
            hint = " (turn on 'Read scanned pages' to read them)" if config.ocr == "never" else ""
            ctx.log.warning("no text on page%s %s of %s%s", "s" if len(empty) > 1 else "",
                            page_list(empty), path.name, hint)
        ctx.log.info("read %d of %d pages of %s", len(done.rows), done.count, path.name)
        text = "\n\n".join(r["text"] for r in done.rows)
        return PdfReadOutputs(text=text, pages=Table(PAGE_COLUMNS, done.rows),
                              document=document_ref(path, "pdf", done.count), metadata=done.info,
                              page_count=done.count)
