"""OCR: reads the text of images and scanned PDFs on this computer, with positions and confidence.

Engine: rapidocr-onnxruntime (Apache-2.0), whose models ship inside the package, so it runs
offline with nothing to download; see `_ocr` for why. PDF pages are drawn with PDFium
(pypdfium2) at the chosen resolution first; images are read with Pillow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, offload
from nodes.documents._common import (
    IMAGE_KINDS,
    DocInput,
    PageSpec,
    check_source,
    parse_pages,
    password_for,
    source_fingerprint,
    source_path,
)
from nodes.documents.pdf_read import progress_reporter
from runtime.api import CachePolicy, Capability, NodeContext, NodeType, Table


class OcrConfig(BaseModel):
    path: str = Field(default="", title="File", description="An image (PNG, JPEG, TIFF) or a PDF, relative "
                      "to the flow's folder", json_schema_extra={"widget": "file"})
    pages: PageSpec = Field(default="all", title="Pages",
                       description="For PDFs and TIFFs with several pages: all, or e.g. 1-3,7 or last")
    dpi: int = Field(default=200, ge=72, le=600, title="PDF resolution (dpi)",
                     description="How finely PDF pages are drawn before reading them")
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0, title="Minimum confidence",
                                  description="Text recognised with less confidence (0 to 1) is left out")
    password_credential: str = Field(
        default="", title="Password credential",
        description="For password-protected PDFs: the name of a saved credential holding the password",
        json_schema_extra={"widget": "credential"})


class OcrInputs(BaseModel):
    path: DocInput = Field(default=None, title="File", description="Overrides the configured file: a path, "
                           "an image or a document")


class OcrOutputs(BaseModel):
    text: str | None = Field(default=None, title="Text", description="Pages separated by a blank line")
    lines: Table | None = Field(default=None, title="Lines",
                                description="Each piece of text found: page, line, text, confidence and its "
                                            "box in pixels (left, top, right, bottom)")
    page_count: int | None = Field(default=None, title="Pages read")


def _pages(path: Path, kind: str, config: OcrConfig, password: str | None, stop: Stop,
           report: Any) -> list[tuple[int, Any]]:
    """OCR each chosen page: [(page number, lines)]."""
    from nodes.documents._ocr import ocr_image

    done: list[tuple[int, Any]] = []
    if kind == "pdf":
        from nodes.documents._pdfium import PDFIUM_LOCK, open_pdf, render_page

        with open_pdf(path, password, config.password_credential.strip()) as doc:
            with PDFIUM_LOCK:
                indexes = parse_pages(config.pages, len(doc), path.name)
            for n, index in enumerate(indexes):
                stop.check()
                report(n / len(indexes), f"page {index + 1}")
                with PDFIUM_LOCK:
                    page = doc[index]
                    try:
                        image = render_page(page, config.dpi, grayscale=True)
                    finally:
                        page.close()
                done.append((index + 1, ocr_image(image, config.min_confidence)))
        return done
    from nodes.documents._images import frame, open_image

    with open_image(path) as image:
        indexes = parse_pages(config.pages, getattr(image, "n_frames", 1), path.name)
        for n, index in enumerate(indexes):
            stop.check()
            report(n / len(indexes), f"page {index + 1}")
            done.append((index + 1, ocr_image(frame(image, index, path), config.min_confidence)))
    return done


class Ocr(NodeType):
    type_id = "documents.ocr"
    title = "Read Text in Image (OCR)"
    category = "Documents"
    description = ("Reads the text in a scan, a photo of a receipt or a scanned PDF, on this computer "
                   "(nothing is sent anywhere). Gives the text and, for each line, where it is on the page "
                   "and how sure the reading is.")
    keywords = ("ocr", "scan", "text recognition", "image", "receipt", "photo", "read text", "tiff")
    icon = "file-scan"
    capabilities = frozenset({Capability.FILES_READ, Capability.CREDENTIALS})
    cache = CachePolicy.FINGERPRINT
    Config = OcrConfig
    Inputs = OcrInputs
    Outputs = OcrOutputs

    def fingerprint(self, ctx: NodeContext, config: OcrConfig, inputs: OcrInputs) -> str | None:
        return source_fingerprint(ctx, config.path, inputs.path)

    async def run(self, ctx: NodeContext, config: OcrConfig, inputs: OcrInputs) -> OcrOutputs:
        from nodes.documents._ocr import lines_table, lines_text

        path = source_path(ctx, config.path, inputs.path)
        kind = check_source(path, IMAGE_KINDS | {"pdf"}, "an image (PNG, JPEG or TIFF) or a PDF")
        password = password_for(ctx, config.password_credential) if kind == "pdf" else None
        report = progress_reporter(ctx)
        pages = await offload(lambda stop: _pages(path, kind, config, password, stop, report),
                              size=1, limit=0)
        found = sum(len(lines) for _, lines in pages)
        ctx.log.info("recognised %d pieces of text on %d page%s of %s", found, len(pages),
                     "s" if len(pages) != 1 else "", path.name)
        if not found:
            ctx.log.warning("no text recognised in %s", path.name)
        return OcrOutputs(text="\n\n".join(lines_text(lines) for _, lines in pages), lines=lines_table(pages),
                          page_count=len(pages))
