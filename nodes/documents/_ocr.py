"""Offline OCR with RapidOCR on ONNX Runtime (rapidocr-onnxruntime, Apache-2.0).

Why this engine: it is pip-only and its detection, orientation and recognition models (PP-OCRv4,
Apache-2.0) ship inside the wheel, so it reads scans with no download and no network; ONNX
Runtime (MIT) runs them on the CPU. Tesseract would need a system package and language data.
About a second per page on a small machine; it sometimes drops a space between words.

Import this module only from inside a node's `run`: the engine (numpy, OpenCV, ONNX Runtime)
loads on the first page, once per process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from runtime.api import Column, NodeError, Table

__all__ = ["OcrLine", "lines_table", "lines_text", "ocr_image"]

_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()
_RUN_LOCK = threading.Lock()
"""One page at a time: the models already use every core, two at once only compete."""


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One piece of text found on an image: its text, confidence (0-1) and box in pixels."""

    text: str
    confidence: float
    left: int
    top: int
    right: int
    bottom: int


def _engine() -> Any:
    """The OCR engine, loaded once per process (loading the models takes ~0.3 s)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            import logging

            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:  # pragma: no cover - a broken install
                raise NodeError(f"OCR is not available: {exc}; reinstall Loomwork") from None
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            _ENGINE = RapidOCR()
        return _ENGINE


def ocr_image(image: Any, min_confidence: float = 0.5) -> list[OcrLine]:
    """The text pieces found on a PIL image, top to bottom then left to right."""
    import numpy as np

    pixels = np.asarray(image.convert("RGB"))[:, :, ::-1].copy()  # the engine wants BGR
    engine = _engine()
    with _RUN_LOCK:
        found, _ = engine(pixels, text_score=min(max(min_confidence, 0.0), 1.0))
    lines = []
    for box, text, score in found or []:
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        if not str(text).strip():
            continue
        lines.append(OcrLine(str(text).strip(), round(float(score), 4), round(min(xs)), round(min(ys)),
                             round(max(xs)), round(max(ys))))
    return _reading_order(lines)


def _rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Pieces grouped into visual rows: a piece joins a row when it overlaps it vertically by half."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda item: (item.top + item.bottom) / 2):
        middle = (line.top + line.bottom) / 2
        if rows:
            last = rows[-1]
            top = sum(i.top for i in last) / len(last)
            bottom = sum(i.bottom for i in last) / len(last)
            if top <= middle <= bottom:
                last.append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda item: item.left) for row in rows]


def _reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    return [line for row in _rows(lines) for line in row]


def lines_text(lines: list[OcrLine]) -> str:
    """The pieces as text: one line per visual row, pieces on a row separated by spaces."""
    return "\n".join(" ".join(item.text for item in row) for row in _rows(lines))


LINE_COLUMNS = (
    Column(name="page", type="integer"),
    Column(name="line", type="integer"),
    Column(name="text", type="text"),
    Column(name="confidence", type="number"),
    Column(name="left", type="integer"),
    Column(name="top", type="integer"),
    Column(name="right", type="integer"),
    Column(name="bottom", type="integer"),
)


def lines_table(pages: list[tuple[int, list[OcrLine]]]) -> Table:
    """A table of the pieces of text found, with 1-based page, position (pixels) and confidence."""
    rows = []
    for page, lines in pages:
        for number, item in enumerate(lines, 1):
            rows.append({"page": page, "line": number, "text": item.text, "confidence": item.confidence,
                         "left": item.left, "top": item.top, "right": item.right, "bottom": item.bottom})
    return Table(LINE_COLUMNS, rows)
