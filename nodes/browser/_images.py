"""PNG dimensions without an imaging library (the header says them)."""

from __future__ import annotations

import struct
from pathlib import Path

__all__ = ["png_size"]


def png_size(path: Path) -> tuple[int | None, int | None]:
    with open(path, "rb") as handle:
        head = handle.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        return None, None
    width, height = struct.unpack(">II", head[16:24])
    return width, height
