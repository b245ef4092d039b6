"""What the AI steps share: reaching the model service, the settings every step has, images
from document and image values, streaming into the run, metrics into history, caching only
in deterministic mode."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field

from nodes.documents._common import parse_pages
from nodes.documents._pdfium import PDFIUM_LOCK, open_pdf, render_page
from runtime.api import (
    MODEL_SERVICE,
    DocumentRef,
    FileRef,
    GenerationRequest,
    GenerationResult,
    ImageRef,
    LanguageModel,
    ModelUnavailable,
    NodeContext,
    NodeError,
    PortType,
)

__all__ = ["ImagesInput", "ModelSettings", "ask_model", "images_from", "model_fingerprint", "model_of"]

_STREAM_EVERY_S = 0.1
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"}

ImagesInput = Annotated[ImageRef | DocumentRef | FileRef | str | list[ImageRef | DocumentRef | FileRef | str]
                        | None, PortType.ANY]
"""Pictures for the model: image or document values, or file paths (PDF pages are rendered)."""


class ModelSettings(BaseModel):
    """How the model is asked (every AI step has these)."""

    model: str = Field(default="", title="Model",
                       description="A model id (loomwork models list); empty: the default model")
    deterministic: bool = Field(
        default=True, title="Same answer every time",
        description="Greedy decoding with a fixed seed: the same input gives the same answer, so the "
                    "result can be cached and a run replayed. Off: more varied answers, never cached.")
    temperature: float = Field(default=0.7, ge=0, le=2, title="Temperature",
                               description="Only when 'Same answer every time' is off")
    max_tokens: int = Field(default=512, ge=1, le=32_768, title="At most tokens")


def model_of(ctx: NodeContext) -> LanguageModel:
    service = ctx.services.get(MODEL_SERVICE)
    if service is None:
        raise NodeError("no AI model service is installed in this program (the 'models' package); "
                        "reinstall Loomwork")
    return service


def model_fingerprint(ctx: NodeContext, settings: ModelSettings, files: Any = None) -> str | None:
    """Cache key part: the model that would answer and the files it would look at (path,
    size, modification time); None (never cached) unless deterministic."""
    if not settings.deterministic:
        return None
    service = ctx.services.get(MODEL_SERVICE)
    if service is None:
        return None
    try:
        described = service.describe()
    except Exception:
        return None
    parts = [f"{settings.model or described.get('model')}"]
    items = files if isinstance(files, list) else [files] if files is not None else []
    for item in items:
        path = Path(item.path) if isinstance(item, (ImageRef, DocumentRef, FileRef)) \
            else ctx.resolve_path(str(item))
        try:
            stat = path.stat()
        except OSError:
            return None  # a missing file: the step runs (and says so)
        parts.append(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def images_from(ctx: NodeContext, value: Any, pages: str = "all", dpi: int = 110) -> list[str]:
    """Image files for `value`: images as they are, PDF pages rendered into the step's folder."""
    items = value if isinstance(value, list) else [value] if value is not None else []
    paths: list[str] = []
    for number, item in enumerate(items, 1):
        path = Path(item.path) if isinstance(item, (ImageRef, DocumentRef, FileRef)) \
            else ctx.resolve_path(str(item))
        if not path.is_file():
            raise NodeError(f"Images: {path} does not exist")
        if path.suffix.lower() in _IMAGE_SUFFIXES:
            paths.append(str(path))
        elif path.suffix.lower() == ".pdf":
            paths += _render_pdf(ctx, path, pages, dpi, number)
        else:
            raise NodeError(f"Images: {path.name} is neither an image nor a PDF")
    return paths


def _render_pdf(ctx: NodeContext, path: Path, pages: str, dpi: int, number: int) -> list[str]:
    """The chosen pages as PNG files in the step's folder (the documents pack's PDFium helpers:
    one process-wide lock, clear errors naming the file)."""
    out = []
    with open_pdf(path, None) as document, PDFIUM_LOCK:
        for index in parse_pages(pages, len(document), path.name):
            target = ctx.artifacts / f"{number}-{path.stem}-page{index + 1}.png"  # two invoice.pdf: two names
            render_page(document[index], dpi).save(target)
            out.append(str(target))
    return out


async def ask_model(ctx: NodeContext, settings: ModelSettings,
                    request: GenerationRequest) -> GenerationResult:
    """Ask the model, streaming the answer into the run as progress, and record the metrics."""
    request.model = settings.model or None
    request.max_tokens = settings.max_tokens
    request.deterministic = settings.deterministic
    request.temperature = 0.0 if settings.deterministic else settings.temperature
    service = model_of(ctx)
    shown: list[str] = []
    last = [0.0]

    def streamed(piece: str) -> None:
        shown.append(piece)
        now = time.monotonic()
        if now - last[0] >= _STREAM_EVERY_S:
            last[0] = now
            text = "".join(shown)
            ctx.progress(None, text[-200:])

    try:
        result = await service.generate(request, on_token=streamed)
    except ModelUnavailable as exc:
        raise NodeError(str(exc)) from None
    ctx.record(result.metrics())
    notice = result.settings.get("provider_notice")
    if notice:
        ctx.log.warning("%s", notice)
    decode_s = result.tokens_out / result.tokens_per_s if result.tokens_per_s else 0.0
    ctx.log.info("%s answered in %.1f s (%d tokens in, %d out, %.0f tok/s)", result.model,
                 result.ttft_ms / 1000 + decode_s, result.tokens_in, result.tokens_out, result.tokens_per_s)
    if result.finish_reason == "length":
        ctx.log.warning("the answer was cut off at %d tokens; raise 'At most tokens' for longer answers",
                        settings.max_tokens)
    return result
