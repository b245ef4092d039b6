"""Read image: a PNG, JPEG or TIFF (a TIFF may hold several pages, as scanners make them) as pages.

Library: Pillow (MIT-CMU). PNG and JPEG files that need no change are passed on as they are;
TIFF pages, other formats and photos taken sideways (EXIF orientation) are saved as upright
PNGs in the run's artifacts folder, which every viewer and the vision model can take. As it
writes files into the run's folder, the node is never cached (a cached result could point at
images that cleaning up old runs has deleted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, offload
from nodes.documents._common import (
    IMAGE_KINDS,
    MEDIA_TYPES,
    DocInput,
    PageSpec,
    artifact_path,
    check_source,
    document_ref,
    parse_pages,
    source_fingerprint,
    source_path,
)
from runtime.api import CachePolicy, Capability, Column, DocumentRef, ImageRef, NodeContext, NodeType, Table

PAGE_COLUMNS = (Column(name="page", type="integer"), Column(name="image", type="any"),
                Column(name="width", type="integer"), Column(name="height", type="integer"),
                Column(name="dpi", type="integer"))


class ImageReadConfig(BaseModel):
    path: str = Field(default="", title="File", description="The image (PNG, JPEG or TIFF), relative to the "
                      "flow's folder", json_schema_extra={"widget": "file"})
    pages: PageSpec = Field(default="all", title="Pages",
                       description="For images with several pages (TIFF): all, or e.g. 1-3,7 or last")


class ImageReadInputs(BaseModel):
    path: DocInput = Field(default=None, title="File", description="Overrides the configured file")


class ImageReadOutputs(BaseModel):
    images: list[ImageRef] | None = Field(default=None, title="Images", description="One image per page")
    pages: Table | None = Field(default=None, title="Pages", description="page, image, width, height, dpi")
    document: DocumentRef | None = Field(default=None, title="Document")
    page_count: int | None = Field(default=None, title="Page count")


def _dpi(image: Any) -> int | None:
    value = image.info.get("dpi")
    try:
        return round(float(value[0])) if value and float(value[0]) > 0 else None
    except (TypeError, ValueError, IndexError):
        return None


def _read(path: Path, kind: str, pages: str, folder: Path, stop: Stop) -> tuple[int, list[dict[str, Any]]]:
    from nodes.documents._images import frame, open_image

    rows: list[dict[str, Any]] = []
    with open_image(path) as image:
        count = getattr(image, "n_frames", 1)
        for index in parse_pages(pages, count, path.name):
            stop.check()
            page = frame(image, index, path)
            dpi = _dpi(image)
            orientation = image.getexif().get(0x0112, 1) if kind == "jpeg" else 1
            if kind in ("png", "jpeg") and count == 1 and orientation in (1, None):
                ref = ImageRef(path=str(path.resolve()), name=path.name, media_type=MEDIA_TYPES[kind],
                               width=page.width, height=page.height)
            else:
                target = artifact_path(folder, f"{path.stem}-page-{index + 1:03d}.png" if count > 1
                                       else f"{path.stem}.png")
                page.save(target, format="PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
                ref = ImageRef(path=str(target.resolve()), name=target.name, media_type="image/png",
                               width=page.width, height=page.height)
            rows.append({"page": index + 1, "image": ref, "width": page.width, "height": page.height,
                         "dpi": dpi})
    return count, rows


class ImageRead(NodeType):
    type_id = "documents.image_read"
    title = "Read Image"
    category = "Documents"
    description = ("Opens a picture or a scan (PNG, JPEG or TIFF, including TIFFs with several pages) and "
                   "passes on each page as an image, for example to read it with OCR or the AI assistant.")
    keywords = ("image", "picture", "photo", "scan", "tiff", "png", "jpeg", "jpg", "pages", "open")
    icon = "image"
    capabilities = frozenset({Capability.FILES_READ})
    cache = CachePolicy.FINGERPRINT  # a cached result is reused only while its image files exist
    Config = ImageReadConfig
    Inputs = ImageReadInputs
    Outputs = ImageReadOutputs

    def fingerprint(self, ctx: NodeContext, config: ImageReadConfig, inputs: ImageReadInputs) -> str | None:
        return source_fingerprint(ctx, config.path, inputs.path)

    async def run(self, ctx: NodeContext, config: ImageReadConfig,
                  inputs: ImageReadInputs) -> ImageReadOutputs:
        path = source_path(ctx, config.path, inputs.path)
        kind = check_source(path, IMAGE_KINDS, "an image (PNG, JPEG or TIFF)")
        folder = ctx.artifacts
        count, rows = await offload(lambda stop: _read(path, kind, config.pages, folder, stop),
                                    size=1, limit=0)
        ctx.log.info("read %d of %d page%s of %s", len(rows), count, "s" if count != 1 else "", path.name)
        document = document_ref(path, "image", count).model_copy(update={"media_type": MEDIA_TYPES[kind]})
        return ImageReadOutputs(images=[r["image"] for r in rows], pages=Table(PAGE_COLUMNS, rows),
                                document=document, page_count=count)
