"""A connection on the canvas: a bezier curve from an output port to an input port."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from runtime.api import Edge
from studio.theme import Theme, port_color

if TYPE_CHECKING:
    from studio.canvas.items.node_item import NodeItem

__all__ = ["EdgeItem", "bezier"]


def bezier(start: QPointF, end: QPointF) -> QPainterPath:
    """The curve used for edges: horizontal tangents at both ends."""
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class EdgeItem(QGraphicsPathItem):
    """Follows its two nodes; selectable so that it can be deleted."""

    def __init__(self, edge: Edge, source: NodeItem, target: NodeItem, theme: Theme):
        super().__init__()
        self.edge = edge
        self.source = source
        self.target = target
        self.theme = theme
        self.label: str = ""
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setZValue(-1)
        spec = source.port_spec(edge.source_port, True)
        self.color = port_color(spec.type.value) if spec is not None else QColor(theme.edge)
        self._pen = QPen(self.color, 2.0)
        self._pen.setCosmetic(True)  # 2 screen pixels at any zoom, and much cheaper to stroke
        self._pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.setPen(self._pen)
        source.edges.add(self)
        target.edges.add(self)
        self.update_path()

    def detach(self) -> None:
        self.source.edges.discard(self)
        self.target.edges.discard(self)

    def update_path(self) -> None:
        self.setPath(bezier(self.source.output_pos(self.edge.source_port),
                            self.target.input_pos(self.edge.target_port)))

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.3)
        pen = QPen(self._pen)
        if self.isSelected():
            pen.setColor(QColor(self.theme.selection))
            pen.setWidthF(3.5)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.label and lod > 0.5:
            mid = self.path().pointAtPercent(0.5)
            painter.setPen(QColor(self.theme.port_text))
            painter.drawText(mid + QPointF(4, -4), self.label)
