"""A connection on the canvas: a bezier curve from an output port to an input port."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from runtime.api import Edge
from studio.theme import Theme, port_color

if TYPE_CHECKING:
    from studio.canvas.items.node_item import NodeItem

__all__ = ["EdgeItem", "bezier"]

_LABEL_FONT = QFont()
_LABEL_FONT.setPointSizeF(8)
_LABEL_METRICS = QFontMetricsF(_LABEL_FONT)


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

    def set_label(self, text: str) -> None:
        """Show `text` (how many items passed) on a chip in the middle of the curve."""
        if text != self.label:
            self.prepareGeometryChange()
            self.label = text
            self.update()

    def label_rect(self) -> QRectF:
        """Where the label's chip is drawn: centred on the curve's middle."""
        if not self.label:
            return QRectF()
        path = self.path()
        mid = path.pointAtPercent(0.5)
        width = _LABEL_METRICS.horizontalAdvance(self.label) + 10
        height = _LABEL_METRICS.height() + 2
        span = abs(path.currentPosition().x() - path.elementAt(0).x)
        top = mid.y() - height / 2 if span > width + 24 else mid.y() - height - 3  # short: above the ports
        return QRectF(mid.x() - width / 2, top, width, height)

    def boundingRect(self) -> QRectF:
        return super().boundingRect().united(self.label_rect())

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
            chip = self.label_rect()
            painter.setPen(QPen(self.color, 1))
            painter.setBrush(QColor(self.theme.node_body))
            painter.drawRoundedRect(chip, chip.height() / 2, chip.height() / 2)
            painter.setFont(_LABEL_FONT)
            painter.setPen(QColor(self.theme.port_text))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, self.label)
