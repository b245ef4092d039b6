"""A group on the canvas: a titled translucent frame around its member nodes.

The frame follows its members (the annotation controller calls `refresh`). Only the
title bar takes the mouse: dragging it moves every member (reported once, on release,
to `on_move`), double-clicking it asks to rename (`on_rename`); clicks in the body
reach the canvas, so rubber-band selection works inside a group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from runtime.api import Group
from studio.canvas.items.node_item import NodeItem
from studio.theme import Theme

__all__ = ["GroupItem"]

TITLE = 28.0
PAD = 22.0

_TITLE_FONT = QFont()
_TITLE_FONT.setBold(True)
_TITLE_FONT.setPointSizeF(10)
_TITLE_METRICS = QFontMetricsF(_TITLE_FONT)

MoveCallback = Callable[[str, list[tuple[str, float, float]]], None]


class GroupItem(QGraphicsItem):
    """Paints one group; `set_group` and `set_members` keep it in step with the document."""

    def __init__(self, group_id: str, group: Group, theme: Theme, on_move: MoveCallback,
                 on_rename: Callable[[str], None]):
        super().__init__()
        self.group_id = group_id
        self.theme = theme
        self.on_move = on_move
        self.on_rename = on_rename
        self.members: list[NodeItem] = []
        self._rect = QRectF()
        self._drag_from: QPointF | None = None
        self._starts: dict[str, QPointF] = {}
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setAcceptHoverEvents(True)
        self.setZValue(-10)  # behind notes, edges and nodes
        self.set_group(group)

    def set_group(self, group: Group) -> None:
        self.group = group.model_copy()
        self.setToolTip(f"{group.title or 'Group'}: drag the title to move its {len(group.nodes)} "
                        "steps, double-click to rename")
        self.update()

    def set_members(self, members: Sequence[NodeItem]) -> None:
        self.members = list(members)
        self.refresh()

    def refresh(self) -> None:
        """Fit the frame around the members' current positions (keeps the last frame when empty)."""
        if not self.members:
            self.setVisible(not self._rect.isNull())
            return
        box = QRectF()
        for item in self.members:
            box = box.united(QRectF(item.pos().x(), item.pos().y(), item.width, item.height))
        frame = box.adjusted(-PAD, -PAD - TITLE, PAD, PAD)
        width = max(frame.width(), _TITLE_METRICS.horizontalAdvance(self.group.title) + 2 * PAD)
        frame.setWidth(width)
        if frame != self.frame():
            self.prepareGeometryChange()
            self._rect = QRectF(0, 0, frame.width(), frame.height())
            self.setPos(frame.topLeft())
        self.setVisible(True)

    def frame(self) -> QRectF:
        """The frame in scene coordinates."""
        return self._rect.translated(self.pos())

    def title_rect(self) -> QRectF:
        return QRectF(0, 0, self._rect.width(), TITLE)

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.title_rect())
        return path

    # ----- painting ----------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        color = QColor(self.group.color)
        if not color.isValid():
            color = QColor("#5b8def")
        rect = self._rect
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        body = QColor(color)
        body.setAlpha(44 if self.theme.name == "dark" else 26)
        edge = QColor(color)
        edge.setAlpha(150)
        pen = QPen(QColor(self.theme.selection), 2.5) if self.isSelected() else QPen(edge, 1.5)
        painter.setPen(pen)
        painter.setBrush(body)
        painter.drawRoundedRect(rect, 8, 8)
        painter.save()
        painter.setClipRect(QRectF(0, 0, rect.width(), TITLE))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color.darker(108))
        painter.drawRoundedRect(rect.adjusted(0.75, 0.75, -0.75, -0.75), 7.5, 7.5)
        painter.restore()
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod >= 0.25:
            painter.setFont(_TITLE_FONT)
            painter.setPen(QColor("#ffffff"))
            text = _TITLE_METRICS.elidedText(self.group.title or "Group", Qt.TextElideMode.ElideRight,
                                             rect.width() - 20)
            painter.drawText(QRectF(12, 0, rect.width() - 20, TITLE),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)

    # ----- dragging and renaming ------------------------------------------------------

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        super().hoverMoveEvent(event)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier and self.scene() is not None:
            self.scene().clearSelection()
        self.setSelected(True)
        self._drag_from = event.scenePos()
        self._starts = {item.node_id: item.pos() for item in self.members}
        self.setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag_from is None:
            super().mouseMoveEvent(event)
            return
        delta = event.scenePos() - self._drag_from
        for item in self.members:
            start = self._starts.get(item.node_id)
            if start is not None:
                item.setPos(start + delta)
        self.refresh()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag_from is None:
            super().mouseReleaseEvent(event)
            return
        self._drag_from = None
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        moves = [(item.node_id, round(item.pos().x()), round(item.pos().y())) for item in self.members
                 if item.node_id in self._starts and item.pos() != self._starts[item.node_id]]
        self._starts = {}
        if moves:
            self.on_move(self.group_id, moves)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.on_rename(self.group_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)
