"""The minimap: a small overview of the whole flow in the bottom-right corner of a view.

It draws the document's layout (node boxes in category colours, notes) into a cached
pixmap, rebuilt at most every `THROTTLE_MS` after the document changes, never by
rendering the scene, so it stays cheap for thousands of nodes. The current viewport is
drawn on top on each paint; clicking or dragging in the minimap pans the view there.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen, QPixmap, QShowEvent
from PySide6.QtWidgets import QWidget

from runtime.api import DirtyChanged, Registry
from studio.canvas.view import FlowView
from studio.theme import category_color

__all__ = ["Minimap"]

THROTTLE_MS = 150
INSET = 8.0
DEFAULT_SIZE = (180.0, 60.0)


class Minimap(QWidget):
    """Overlay child of the view's viewport; kept in its bottom-right corner.

    A child of the viewport rather than of the view: an overlapping sibling would stop Qt
    from scrolling the viewport's pixels (every pan would repaint the whole canvas). The
    viewport's scroll moves its children along, so the minimap moves back after each one.
    """

    def __init__(self, view: FlowView, registry: Registry, width: int = 220, height: int = 150,
                 margin: int = 12):
        super().__init__(view.viewport())
        self.setObjectName("minimap")
        self.view = view
        self.scene = view.flow_scene
        self.document = self.scene.document
        self.registry = registry
        self.margin = margin
        self._full_size = (width, height)
        self.setFixedSize(width, height)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move the view")
        self._colors: dict[str, tuple[str, QColor]] = {}
        self._pixmap = QPixmap()
        self._world = QRectF()
        self._scale = 1.0
        self._origin = QPointF()
        self.rebuilds = 0
        self._stale = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(THROTTLE_MS)
        self._timer.timeout.connect(self.rebuild)
        unsubscribe = self.document.subscribe(self._on_event)
        self.destroyed.connect(lambda *_: unsubscribe())
        view.viewport().installEventFilter(self)
        view.horizontalScrollBar().valueChanged.connect(self._follow)
        view.verticalScrollBar().valueChanged.connect(self._follow)
        view.zoom_changed.connect(self.update)
        self.place()
        self.rebuild()

    # ----- following the document and the view ---------------------------------------

    def _on_event(self, event: object) -> None:
        if isinstance(event, DirtyChanged):
            return
        if not self.isVisible():  # a hidden tab or minimap catches up when shown
            self._stale = True
        elif not self._timer.isActive():
            self._timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.rebuild()
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self.place()
        return False

    def _follow(self) -> None:
        self.place()
        self.update()

    def place(self) -> None:
        """Move to the bottom-right corner of the view, at most a fifth of its width and a
        quarter of its height, so it never covers much of a small canvas."""
        viewport = self.view.viewport()
        width = max(120, min(self._full_size[0], viewport.width() // 5))
        height = max(80, min(self._full_size[1], viewport.height() // 4))
        if (width, height) != (self.width(), self.height()):
            self.setFixedSize(width, height)
            self._timer.start()  # redraw the overview at the new size
        self.move(viewport.width() - self.width() - self.margin,
                  viewport.height() - self.height() - self.margin)
        self.raise_()

    def _color(self, type_id: str) -> tuple[str, QColor]:
        found = self._colors.get(type_id)
        if found is None:
            node_type = self.registry.get(type_id)
            color = category_color(node_type.category if node_type else "General")
            found = self._colors[type_id] = (color.name(), color)
        return found

    def rebuild(self) -> None:
        """Redraw the cached picture of the flow (called throttled after document changes)."""
        self._timer.stop()
        self._stale = False
        self.rebuilds += 1
        flow = self.document.flow
        items = self.scene.nodes
        boxes: dict[str, list[tuple[float, float, float, float]]] = {}  # by colour: x, y, w, h
        colors: dict[str, QColor] = {}
        for node_id, inst in flow.nodes.items():
            item = items.get(node_id)
            w, h = (item.width, item.height) if item is not None else DEFAULT_SIZE
            key, color = self._color(inst.type)
            colors[key] = color
            boxes.setdefault(key, []).append((inst.layout.x, inst.layout.y, w, h))
        for note in flow.notes.values():
            color = QColor(note.color)
            color.setAlpha(200)
            key = color.name(QColor.NameFormat.HexArgb)
            colors[key] = color
            boxes.setdefault(key, []).append((note.x, note.y, note.width, note.height))
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(round(self.width() * ratio), round(self.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        every = [b for group in boxes.values() for b in group]
        self._world = QRectF()
        if every:
            left, top = min(b[0] for b in every), min(b[1] for b in every)
            right, bottom = max(b[0] + b[2] for b in every), max(b[1] + b[3] for b in every)
            pad = max(right - left, bottom - top) * 0.04 + 20
            self._world = QRectF(left - pad, top - pad, right - left + 2 * pad, bottom - top + 2 * pad)
            room_w, room_h = self.width() - 2 * INSET, self.height() - 2 * INSET
            s = self._scale = min(room_w / self._world.width(), room_h / self._world.height())
            ox = INSET + (room_w - self._world.width() * s) / 2 - self._world.x() * s
            oy = INSET + (room_h - self._world.height() * s) / 2 - self._world.y() * s
            self._origin = QPointF(ox + self._world.x() * s, oy + self._world.y() * s)
            painter = QPainter(pixmap)
            painter.setPen(Qt.PenStyle.NoPen)
            for key, group in boxes.items():
                painter.setBrush(colors[key])
                painter.drawRects([QRectF(ox + x * s, oy + y * s, max(2.0, w * s), max(1.5, h * s))
                                   for x, y, w, h in group])
            painter.end()
        self._pixmap = pixmap
        self.update()

    # ----- coordinates ---------------------------------------------------------------

    def to_minimap(self, rect: QRectF) -> QRectF:
        s = self._scale
        return QRectF(self._origin.x() + (rect.x() - self._world.x()) * s,
                      self._origin.y() + (rect.y() - self._world.y()) * s,
                      rect.width() * s, rect.height() * s)

    def to_scene(self, point: QPointF) -> QPointF:
        s = self._scale or 1.0
        return QPointF(self._world.x() + (point.x() - self._origin.x()) / s,
                       self._world.y() + (point.y() - self._origin.y()) / s)

    def visible_scene_rect(self) -> QRectF:
        return self.view.mapToScene(self.view.viewport().rect()).boundingRect()

    # ----- painting and panning -----------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        theme = self.scene.theme
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        background = QColor(theme.node_body)
        background.setAlpha(235)
        painter.setPen(QPen(QColor(theme.node_border), 1))
        painter.setBrush(background)
        painter.drawRoundedRect(frame, 6, 6)
        painter.drawPixmap(0, 0, self._pixmap)
        seen_scene = self.visible_scene_rect()
        if not self._world.isEmpty() and not seen_scene.contains(self._world):  # all in view: no frame
            inner = frame.adjusted(2, 2, -2, -2)
            painter.setClipRect(inner)
            seen = self.to_minimap(seen_scene)
            outside = QPainterPath()
            outside.addRect(inner)
            hole = QPainterPath()
            hole.addRect(seen)
            shade = QColor(theme.node_border)
            shade.setAlpha(90)
            painter.fillPath(outside.subtracted(hole), shade)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(theme.selection), 1.5))
            painter.drawRect(seen)
        painter.end()

    def _pan_to(self, pos: QPointF) -> None:
        if not self._world.isEmpty():
            self.view.centerOn(self.to_scene(pos))
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._pan_to(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._pan_to(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        event.accept()
