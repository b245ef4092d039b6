"""How a node fared in a run, and how that is drawn on the node: an outline in the state's
colour and a pill at the right of the title bar (left of the pinned icon), never over the
title. A failed (or crashed) node gets a filled red badge and a red band under its title
bar, so that it stays unmistakable when it is selected and at low zoom."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

__all__ = ["PILL_H", "RUN_COLORS", "RUN_SYMBOLS", "RunMark", "paint_run_mark", "pill_label", "pill_width"]

RUN_COLORS = {"PENDING": "#9ca3af", "RUNNING": "#2563eb", "COMPLETED": "#16a34a", "FAILED": "#dc2626",
              "SKIPPED": "#a3a3a3", "CANCELLED": "#c026d3", "CRASHED": "#7f1d1d", "PAUSED": "#f59e0b"}
RUN_SYMBOLS = {"PENDING": "·", "RUNNING": "▶", "COMPLETED": "✓", "FAILED": "✕", "SKIPPED": "↷",
               "CANCELLED": "■", "CRASHED": "!", "PAUSED": "❚❚"}
ALARM = ("FAILED", "CRASHED")
PILL_H = 16.0

_PILL_FONT = QFont()
_PILL_FONT.setPointSizeF(8.5)
_BOLD_FONT = QFont(_PILL_FONT)
_BOLD_FONT.setBold(True)


@dataclass(frozen=True, slots=True)
class RunMark:
    """How a node fared in the current (or an opened past) run: view state only."""

    state: str
    cached: bool = False
    progress: float | None = None
    message: str = ""
    pinned: bool = False
    """Its pinned data was used (it did not run)."""
    evidence: tuple[tuple[str, str], ...] = ()
    """What a failed step attached to show why (label → file path or address): a browser
    step's screenshot, page HTML and address."""


def pill_label(mark: RunMark) -> str:
    if mark.state == "COMPLETED" and mark.pinned:
        return "pinned"
    if mark.state == "COMPLETED" and mark.cached:
        return "cached"
    if mark.state in ALARM:
        return f"{RUN_SYMBOLS[mark.state]} {mark.state.lower()}"
    return RUN_SYMBOLS.get(mark.state, "")


def pill_width(mark: RunMark | None) -> float:
    """How wide the pill of `mark` is (0 without a mark)."""
    if mark is None:
        return 0.0
    return 20.0 if len(pill_label(mark)) <= 2 else 50.0


def paint_run_mark(painter: QPainter, mark: RunMark, rect: QRectF, header: float, right: float,
                   selection: QColor | None, lod: float) -> None:
    """Draw `mark` on a node of `rect` whose title bar is `header` high; the pill ends at
    x = `right`. `selection`: the selection colour when the node is selected (drawn as a
    second outline outside the run outline). Outlines keep about 2 screen pixels down to
    about 40 % zoom and stay within 9 units of the node (its bounding rectangle)."""
    color = QColor(RUN_COLORS.get(mark.state, "#9ca3af"))
    alarm = mark.state in ALARM
    width = min(6.0, max(3.0 if alarm else 2.5, (2.5 if alarm else 2.0) / max(lod, 0.05)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(color, width))
    grow = width / 2
    painter.drawRoundedRect(rect.adjusted(-grow, -grow, grow, grow), 6 + grow, 6 + grow)
    if selection is not None:
        outer = min(3.5, max(2.0, 1.6 / max(lod, 0.05)))
        grow += width / 2 + outer / 2 + 1
        painter.setPen(QPen(selection, outer))
        painter.drawRoundedRect(rect.adjusted(-grow, -grow, grow, grow), 6 + grow, 6 + grow)
    if alarm:  # a red band under the title bar: visible even when the pill is too small to read
        painter.fillRect(QRectF(rect.left() + 0.5, header - 3, rect.width() - 1, 3), color)
    label = pill_label(mark)
    pill_w = pill_width(mark)
    pill = QRectF(right - pill_w, (header - PILL_H) / 2, pill_w, PILL_H)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color if alarm else QColor("#ffffff"))
    painter.drawRoundedRect(pill, PILL_H / 2, PILL_H / 2)
    painter.setPen(QColor("#ffffff") if alarm else color)
    painter.setFont(_BOLD_FONT if alarm else _PILL_FONT)
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)
    if mark.state == "RUNNING" and mark.progress is not None:
        painter.fillRect(QRectF(0, header - 3, rect.width() * mark.progress, 3), QColor("#ffffff"))
