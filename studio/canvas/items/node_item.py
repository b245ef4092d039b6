"""A node on the canvas: title bar in its category colour, typed ports on both sides."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QStaticText
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from runtime.api import PortSpec
from studio.canvas.items.run_mark import RUN_COLORS, RunMark, paint_run_mark, pill_width
from studio.icons import category_icon_name
from studio.icons import pixmap as icon_pixmap
from studio.theme import Theme, category_color, port_color

if TYPE_CHECKING:
    from studio.canvas.items.edge_item import EdgeItem

__all__ = ["PROBLEM_COLORS", "RUN_COLORS", "NodeItem", "NodeLook", "PortHit", "RunMark"]

HEADER = 30.0
ROW = 22.0
PAD = 8.0
PORT_R = 5.0
MIN_WIDTH = 180.0
FAR_LOD = 0.3
ICON = 16.0  # the type's icon at the header's left
ICON_SPACE = ICON + 6
PIN = 14.0  # the pinned icon at the header's right
PILL_ROOM = 50.0  # the widest run pill ("cached", "✕ failed"): the title never goes under it
PROBLEM_COLORS = {"error": "#e0565b", "warning": "#e39b17"}
"""Outline colours of nodes with validation problems (see `NodeItem.set_problems`)."""


@dataclass(slots=True)
class NodeLook:
    """What a node shows: derived from the document and the registry by the scene."""

    title: str
    type_title: str
    category: str
    inputs: list[PortSpec] = field(default_factory=list)
    outputs: list[PortSpec] = field(default_factory=list)
    missing: bool = False
    problem: str | None = None
    disabled: bool = False
    pinned: bool = False
    icon: str = ""  # a studio.icons name; "" shows the category's icon


@dataclass(frozen=True, slots=True)
class PortHit:
    """A port under the mouse."""

    node_id: str
    port_id: str
    is_output: bool
    spec: PortSpec


_TITLE_FONT = QFont()
_TITLE_FONT.setBold(True)
_TITLE_FONT.setPointSizeF(9.5)
_PORT_FONT = QFont()
_PORT_FONT.setPointSizeF(8.5)
_TITLE_METRICS = QFontMetricsF(_TITLE_FONT)
_PORT_METRICS = QFontMetricsF(_PORT_FONT)


class NodeItem(QGraphicsItem):
    """Paints one node; the scene keeps it in step with the document (never the reverse)."""

    def __init__(self, node_id: str, look: NodeLook, theme: Theme):
        super().__init__()
        self.node_id = node_id
        self.theme = theme
        self.edges: set[EdgeItem] = set()
        self.highlight_ports: dict[tuple[str, bool], bool] = {}
        self.run: RunMark | None = None
        self.breakpoint = False
        self._texts: tuple[QStaticText, list[QStaticText]] | None = None
        self.problem_severity: str | None = None  # "error" / "warning" from the problems checker
        self.problem_messages: tuple[str, ...] = ()
        self._look_tip = ""
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.set_look(look)

    def set_cache_mode(self, mode: QGraphicsItem.CacheMode) -> None:
        """How the node is cached: in item coordinates (fastest; the scene uses it up to 100 %
        zoom on ordinary screens) or in device coordinates (crisp at any zoom and DPI)."""
        if mode == QGraphicsItem.CacheMode.ItemCoordinateCache:
            rect = self.boundingRect()  # at the item's own size: Qt does not scale it back
            self.setCacheMode(mode, QSize(math.ceil(rect.width()), math.ceil(rect.height())))
        else:
            self.setCacheMode(mode)

    # ----- geometry ----------------------------------------------------------------

    def set_look(self, look: NodeLook) -> None:
        """Show new content (title, ports, problem); relayout and repaint."""
        self.prepareGeometryChange()
        self.look = look
        widest_in = max((_PORT_METRICS.horizontalAdvance(p.title) for p in look.inputs), default=0)
        widest_out = max((_PORT_METRICS.horizontalAdvance(p.title) for p in look.outputs), default=0)
        header_room = 10 + ICON_SPACE + 6 + PILL_ROOM + 6 + (PIN + 4 if look.pinned else 0)
        self.width = max(MIN_WIDTH, _TITLE_METRICS.horizontalAdvance(look.title) + header_room,
                         widest_in + widest_out + 48)
        rows = max(len(look.inputs), len(look.outputs), 1)
        self.height = HEADER + rows * ROW + PAD
        self._texts = None  # laid out on first paint
        self._in_index = {p.id: i for i, p in enumerate(look.inputs)}
        self._out_index = {p.id: i for i, p in enumerate(look.outputs)}
        tip = f"{look.title}\n{look.type_title} · {look.category}"
        if look.problem:
            tip += f"\n⚠ {look.problem}"
        self._look_tip = tip
        self._update_tooltip()
        if self.cacheMode() == QGraphicsItem.CacheMode.ItemCoordinateCache:
            self.set_cache_mode(self.cacheMode())  # the cache pixmap follows the new size
        self.update()
        for edge in list(self.edges):
            edge.update_path()

    def set_problems(self, severity: str | None, messages: Sequence[str] = ()) -> None:
        """Mark the node with validation problems ("error", "warning" or None) and list them
        in its tooltip; repaints only when something changed."""
        messages = tuple(messages)
        if severity == self.problem_severity and messages == self.problem_messages:
            return
        self.problem_severity = severity
        self.problem_messages = messages
        self._update_tooltip()
        self.update()

    def _update_tooltip(self) -> None:
        """The look's lines, then the problems; a run message after a blank line is kept."""
        lines = [self._look_tip]
        lines += [f"{'✖' if self.problem_severity == 'error' else '⚠'} {m}" for m in self.problem_messages]
        run = self.toolTip().partition("\n\n")[2]
        self.setToolTip("\n".join(lines) + (f"\n\n{run}" if run else ""))

    def _problem_pen(self, width: float) -> QPen:
        pen = QPen(QColor(PROBLEM_COLORS.get(self.problem_severity or "", PROBLEM_COLORS["error"])), width)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        return pen

    def _static_texts(self) -> tuple[QStaticText, list[QStaticText]]:
        if self._texts is None:
            look = self.look
            title = QStaticText(_TITLE_METRICS.elidedText(look.title, Qt.TextElideMode.ElideRight,
                                                          self._title_room()))
            title.prepare(font=_TITLE_FONT)
            ports = [QStaticText(p.title) for p in (*look.inputs, *look.outputs)]
            for text in ports:
                text.prepare(font=_PORT_FONT)
            self._texts = (title, ports)
        return self._texts

    def _title_room(self) -> float:
        """How wide the title may be: up to the run pill (or the pin, or the right edge)."""
        pill = pill_width(self.run)
        return self._pill_right() - (pill + 6 if pill else 0) - 10 - ICON_SPACE + 1

    def _pill_right(self) -> float:
        """Where the run pill ends: left of the pinned icon, if any."""
        return self.width - 6 - (PIN + 4 if self.look.pinned else 0)

    def boundingRect(self) -> QRectF:
        grow = 9.0  # room for a run outline with the selection outline around it
        return QRectF(-grow, -grow, self.width + 2 * grow, self.height + 2 * grow)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(-PORT_R, 0, self.width + 2 * PORT_R, self.height), 6, 6)
        return path

    def input_pos(self, port_id: str) -> QPointF:
        """Where an edge ends on input `port_id` (scene coordinates)."""
        index = self._in_index.get(port_id, 0)
        return self.mapToScene(QPointF(0, HEADER + ROW * index + ROW / 2))

    def output_pos(self, port_id: str) -> QPointF:
        index = self._out_index.get(port_id, 0)
        return self.mapToScene(QPointF(self.width, HEADER + ROW * index + ROW / 2))

    def has_port(self, port_id: str, is_output: bool) -> bool:
        return port_id in (self._out_index if is_output else self._in_index)

    def port_spec(self, port_id: str, is_output: bool) -> PortSpec | None:
        ports = self.look.outputs if is_output else self.look.inputs
        return next((p for p in ports if p.id == port_id), None)

    def port_at(self, scene_pos: QPointF, radius: float = 9.0) -> PortHit | None:
        """The port whose circle (or label row edge) is under `scene_pos`."""
        local = self.mapFromScene(scene_pos)
        if local.y() < HEADER or local.y() > self.height:
            return None
        row = int((local.y() - HEADER) // ROW)
        if abs(local.x()) <= radius and row < len(self.look.inputs):
            spec = self.look.inputs[row]
            return PortHit(self.node_id, spec.id, False, spec)
        if abs(local.x() - self.width) <= radius and row < len(self.look.outputs):
            spec = self.look.outputs[row]
            return PortHit(self.node_id, spec.id, True, spec)
        return None

    # ----- behaviour ---------------------------------------------------------------

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.update_path()
        return super().itemChange(change, value)

    # ----- painting ----------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self.theme
        look = self.look
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        rect = QRectF(0, 0, self.width, self.height)
        header_color = QColor("#9ca3af") if look.missing else category_color(look.category)
        selected = self.isSelected()
        if lod < FAR_LOD:  # far away: a coloured block is all that can be seen
            painter.fillRect(rect, header_color if not selected else QColor(theme.selection))
            if self.run is not None and self.run.state in ("FAILED", "CRASHED"):  # a red lower half
                alarm = QColor(RUN_COLORS[self.run.state])
                painter.fillRect(rect.adjusted(0, rect.height() / 2, 0, 0), alarm)
            if self.problem_severity is not None:  # an inset frame about 2.5 pixels wide
                width = min(2.5 / max(lod, 0.01), self.height / 3)
                painter.setPen(self._problem_pen(width))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect.adjusted(width / 2, width / 2, -width / 2, -width / 2))
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        outlined = selected and self.run is None  # with a run mark, the selection is drawn outside it
        border = QPen(QColor(theme.selection), 2.5) if outlined else QPen(QColor(theme.node_border), 1)
        if look.problem and not selected:
            border = QPen(QColor("#e0565b"), 1.5)
        if look.missing:
            border.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(border)
        body = QColor(theme.node_body)
        if look.disabled:
            body.setAlpha(140)
        painter.setBrush(body)
        painter.drawRoundedRect(rect, 6, 6)
        if self.problem_severity is not None:  # a halo just outside the border
            painter.setPen(self._problem_pen(2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-3, -3, 3, 3), 8.5, 8.5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(header_color)
        painter.drawRoundedRect(QRectF(0.5, 0.5, self.width - 1, HEADER), 6, 6)
        painter.fillRect(QRectF(0.5, HEADER / 2, self.width - 1, HEADER / 2 + 0.5), header_color)
        painter.setFont(_TITLE_FONT)
        painter.setPen(QColor("#ffffff"))
        scale = max(1.0, round(lod * painter.device().devicePixelRatioF() * 2) / 2)  # crisp when zoomed
        painter.drawPixmap(QPointF(9, (HEADER - ICON) / 2), icon_pixmap(
            look.icon or category_icon_name(look.category), int(ICON), "#ffffff", scale))
        painter.drawStaticText(QPointF(10 + ICON_SPACE, (HEADER - _TITLE_METRICS.height()) / 2),
                               self._static_texts()[0])
        if look.pinned:
            painter.drawPixmap(QPointF(self.width - 6 - PIN, (HEADER - PIN) / 2),
                               icon_pixmap("pin", int(PIN), "#ffffff", scale))
        if self.run is not None:
            paint_run_mark(painter, self.run, rect, HEADER, self._pill_right(),
                           QColor(theme.selection) if selected else None, lod)
        if self.breakpoint:
            painter.setPen(QPen(QColor("#ffffff"), 1.5))
            painter.setBrush(QColor("#dc2626"))
            painter.drawEllipse(QPointF(0, 0), 6, 6)
        if lod < 0.55:
            self._paint_port_dots(painter)
            return
        painter.setFont(_PORT_FONT)
        text_pen = QPen(QColor(theme.port_text))
        for index in range(len(look.inputs)):
            y = HEADER + ROW * index
            painter.setPen(text_pen)
            painter.drawStaticText(QPointF(PORT_R + 6, y + (ROW - _PORT_METRICS.height()) / 2),
                                   self._static_texts()[1][index])
        offset = len(look.inputs)
        for index, spec in enumerate(look.outputs):
            y = HEADER + ROW * index
            text = self._static_texts()[1][offset + index]
            width = _PORT_METRICS.horizontalAdvance(spec.title)
            painter.setPen(text_pen)
            painter.drawStaticText(QPointF(self.width - PORT_R - 6 - width,
                                           y + (ROW - _PORT_METRICS.height()) / 2), text)
        self._paint_port_dots(painter)

    def set_run(self, mark: RunMark | None) -> None:
        """Show a run state (None clears it)."""
        if mark != self.run:
            if pill_width(mark) != pill_width(self.run):
                self._texts = None  # the title makes room for the pill
            self.run = mark
            self.setToolTip(self.toolTip().split("\n\n")[0] + (f"\n\n{mark.message}" if mark and mark.message
                                                              else ""))
            self.update()

    def _paint_port_dots(self, painter: QPainter) -> None:
        for is_output, ports in ((False, self.look.inputs), (True, self.look.outputs)):
            x = self.width if is_output else 0.0
            for index, spec in enumerate(ports):
                center = QPointF(x, HEADER + ROW * index + ROW / 2)
                mark = self.highlight_ports.get((spec.id, is_output))
                color = port_color(spec.type.value)
                if mark is False:
                    color = QColor(color)
                    color.setAlpha(60)
                painter.setPen(QPen(QColor(self.theme.node_body), 1.5))
                painter.setBrush(QBrush(color))
                radius = PORT_R + (2 if mark else 0)
                painter.drawEllipse(center, radius, radius)
                if spec.required and not is_output:
                    painter.setBrush(QColor(self.theme.node_body))
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.drawEllipse(center, 1.6, 1.6)
