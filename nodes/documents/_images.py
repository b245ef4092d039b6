"""Opening images (PNG, JPEG, TIFF with several pages, GIF, BMP, WebP) with Pillow (MIT-CMU).

Pillow itself is imported inside the functions, when a node runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runtime.api import NodeError

__all__ = ["frame", "open_image"]


@contextmanager
def open_image(path: Path) -> Iterator[Any]:
    """The opened image (closed on exit); unreadable, damaged and oversized files name the file."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise _error(exc, path) from None
    except OSError as exc:
        raise NodeError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        yield image
    finally:
        image.close()


def _error(exc: Exception, path: Path) -> NodeError:
    from PIL import Image, UnidentifiedImageError

    if isinstance(exc, Image.DecompressionBombError):
        return NodeError(f"cannot read {path}: the image is too large to open safely ({exc})")
    if isinstance(exc, UnidentifiedImageError):
        return NodeError(f"cannot read {path}: the image is damaged or in a format that cannot be read")
    return NodeError(f"cannot read {path}: the image is damaged ({exc})")


def frame(image: Any, index: int, path: Path) -> Any:
    """Page `index` (0-based) of the image, loaded, turned upright (EXIF orientation), as RGB or L."""
    from PIL import Image, ImageOps

    try:
        image.seek(index)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
            page = ImageOps.exif_transpose(image)
    except (EOFError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise _error(exc, path) from None
    if page.mode not in ("RGB", "L"):
        if page.mode in ("RGBA", "LA", "P", "PA") or "transparency" in page.info:
            rgba = page.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")  # transparent parts become paper-white
            flat.paste(rgba, mask=rgba.getchannel("A"))
            page = flat
        else:
            page = page.convert("RGB")
    return page
