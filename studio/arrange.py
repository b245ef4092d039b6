"""Align and distribute: pure geometry over node boxes, returning `MoveNodes` edits (no Qt)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from runtime.api import MoveNodes

__all__ = ["ALIGNMENTS", "Alignment", "Axis", "Box", "align", "distribute"]

Box = tuple[float, float, float, float]
"""A node's box on the canvas: x, y (top-left), width, height."""

Alignment = Literal["left", "right", "top", "bottom", "center_x", "center_y"]
Axis = Literal["horizontal", "vertical"]
ALIGNMENTS: tuple[Alignment, ...] = ("left", "right", "top", "bottom", "center_x", "center_y")


def _moves(boxes: Mapping[str, Box], targets: Mapping[str, tuple[float, float]]) -> MoveNodes | None:
    moves = tuple((nid, round(x, 2), round(y, 2)) for nid, (x, y) in sorted(targets.items())
                  if (round(x, 2), round(y, 2)) != (boxes[nid][0], boxes[nid][1]))
    return MoveNodes(moves) if moves else None


def align(boxes: Mapping[str, Box], how: Alignment) -> MoveNodes | None:
    """Line up two or more boxes on an edge or centre line of their common bounds.

    "center_x" gives them one vertical centre line (same centre x), "center_y" one
    horizontal centre line. None when fewer than two boxes or nothing would move.
    """
    if len(boxes) < 2:
        return None
    left = min(b[0] for b in boxes.values())
    top = min(b[1] for b in boxes.values())
    right = max(b[0] + b[2] for b in boxes.values())
    bottom = max(b[1] + b[3] for b in boxes.values())
    targets: dict[str, tuple[float, float]] = {}
    for nid, (x, y, w, h) in boxes.items():
        if how == "left":
            targets[nid] = (left, y)
        elif how == "right":
            targets[nid] = (right - w, y)
        elif how == "top":
            targets[nid] = (x, top)
        elif how == "bottom":
            targets[nid] = (x, bottom - h)
        elif how == "center_x":
            targets[nid] = ((left + right) / 2 - w / 2, y)
        elif how == "center_y":
            targets[nid] = (x, (top + bottom) / 2 - h / 2)
        else:
            raise ValueError(f"unknown alignment {how!r}")
    return _moves(boxes, targets)


def distribute(boxes: Mapping[str, Box], axis: Axis) -> MoveNodes | None:
    """Space three or more boxes with equal gaps along `axis`; the outermost two stay put.

    Boxes are taken in order of their left (top) edge. When they are wider (taller) than
    the room between the outermost, the gaps become equal negative overlaps.
    """
    if len(boxes) < 3:
        return None
    index, size = (0, 2) if axis == "horizontal" else (1, 3)
    order = sorted(boxes, key=lambda nid: (boxes[nid][index], boxes[nid][1 - index], nid))
    first, last = boxes[order[0]], boxes[order[-1]]
    span = last[index] + last[size] - first[index]
    gap = (span - sum(boxes[nid][size] for nid in order)) / (len(order) - 1)
    targets: dict[str, tuple[float, float]] = {}
    at = first[index]
    for nid in order:
        x, y = boxes[nid][0], boxes[nid][1]
        targets[nid] = (at, y) if axis == "horizontal" else (x, at)
        at += boxes[nid][size] + gap
    targets[order[-1]] = (last[0], last[1])  # no rounding drift on the fixed end
    return _moves(boxes, targets)
