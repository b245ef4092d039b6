"""Render PDF pages to images: one PNG per page in the run's artifacts folder.

Engine: PDFium through pypdfium2 (Apache-2.0 / BSD-3-Clause); Pillow (MIT-CMU) writes the PNGs.
The images feed the vision model, previews and OCR. The node writes files (into the run's own
folder), so it is never cached: a cached result could point at images that cleaning up old runs
has since deleted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, offload
from nodes.documents._common import (
    DocInput,
    PageSpec,
    artifact_path,
    check_source,
    parse_pages,
    password_for,
    source_fingerprint,
    source_path,
)
from nodes.documents.pdf_read import progress_reporter
from runtime.api import CachePolicy, Capability, Column, ImageRef, NodeContext, NodeType, Table

IMAGE_COLUMNS = (Column(name="page", type="integer"), Column(name="image", type="any"),
                 Column(name="width", type="integer"), Column(name="height", type="integer"))


class PdfRenderConfig(BaseModel):
    path: str = Field(default="", title="File", description="The PDF file (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    pages: PageSpec = Field(default="all", title="Pages",
                       description="Which pages: all, or e.g. 1-3,7 or 2- (to the end) or last")
    dpi: int = Field(default=150, ge=36, le=600, title="Resolution (dpi)",
                     description="150 suits reading on screen and AI models; 300 suits printing and OCR")
    grayscale: bool = Field(default=False, title="Grey scale", description="Smaller files, no colour")
    password_credential: str = Field(
        default="", title="Password credential",
        description="For password-protected files: the name of a saved credential holding the password",
        json_schema_extra={"widget": "credential"})


class PdfRenderInputs(BaseModel):
    path: DocInput = Field(default=None, title="File", description="Overrides the configured file")


class PdfRenderOutputs(BaseModel):
    images: list[ImageRef] | None = Field(default=None, title="Images", description="One PNG per page")
    pages: Table | None = Field(default=None, title="Pages", description="page, image, width, height")


def _render(path: Path, config: PdfRenderConfig, password: str | None, folder: Path, stop: Stop,
            report: Any) -> list[tuple[int, ImageRef]]:
    from nodes.documents._pdfium import PDFIUM_LOCK, open_pdf, render_page

    done: list[tuple[int, ImageRef]] = []
    with open_pdf(path, password, config.password_credential.strip()) as doc:
        with PDFIUM_LOCK:
            doc.init_forms()
            count = len(doc)
        indexes = parse_pages(config.pages, count, path.name)
        for n, index in enumerate(indexes):
            stop.check()
            report(n / len(indexes), f"page {index + 1}")
            with PDFIUM_LOCK:
                page = doc[index]
                try:
                    image = render_page(page, config.dpi, grayscale=config.grayscale)
                finally:
                    page.close()
            target = artifact_path(folder, f"{path.stem}-page-{index + 1:03d}.png")
            image.save(target, format="PNG", dpi=(config.dpi, config.dpi))
            done.append((index + 1, ImageRef(path=str(target.resolve()), name=target.name,
                                             media_type="image/png", width=image.width,
                                             height=image.height)))
    return done


class PdfRender(NodeType):
    type_id = "documents.pdf_render"
    title = "PDF Pages to Images"
    category = "Documents"
    description = ("Turns pages of a PDF into pictures (PNG), for example to show a page, to let the AI "
                   "assistant look at it, or to attach it to an e-mail.")
    keywords = ("pdf", "image", "png", "render", "picture", "preview", "page", "convert", "vision")
    icon = "image"
    capabilities = frozenset({Capability.FILES_READ, Capability.CREDENTIALS})
    cache = CachePolicy.FINGERPRINT  # a cached result is reused only while its image files exist
    Config = PdfRenderConfig
    Inputs = PdfRenderInputs
    Outputs = PdfRenderOutputs

    def fingerprint(self, ctx: NodeContext, config: PdfRenderConfig, inputs: PdfRenderInputs) -> str | None:
        return source_fingerprint(ctx, config.path, inputs.path)

    async def run(self, ctx: NodeContext, config: PdfRenderConfig,
                  inputs: PdfRenderInputs) -> PdfRenderOutputs:
        path = source_path(ctx, config.path, inputs.path)
        check_source(path, {"pdf"}, "a PDF file")
        password = password_for(ctx, config.password_credential)
        folder = ctx.artifacts
        report = progress_reporter(ctx)
        done = await offload(lambda stop: _render(path, config, password, folder, stop, report),
                             size=1, limit=0)
        ctx.log.info("rendered %d page%s of %s at %d dpi", len(done), "s" if len(done) != 1 else "",
                     path.name, config.dpi)
        rows = [{"page": page, "image": ref, "width": ref.width, "height": ref.height} for page, ref in done]
        return PdfRenderOutputs(images=[ref for _, ref in done], pages=Table(IMAGE_COLUMNS, rows))
