"""The canvas view: zoom to cursor, pan (middle button or space + drag), grid, fit."""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

from studio.canvas.scene import FlowScene

__all__ = ["FlowView"]

MIN_ZOOM, MAX_ZOOM = 0.1, 3.0
_NUDGE = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
GRID = 20


class FlowView(QGraphicsView):
    """Shows a FlowScene. Emits `double_clicked_empty` (scene pos) for the quick-add popup."""

    double_clicked_empty = Signal(object)
    zoom_changed = Signal(float)

    def __init__(self, scene: FlowScene, parent: QWidget | None = None):
        super().__init__(scene, parent)
        self.flow_scene = scene
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)  # cached nodes stay legible
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState
                                  | QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSceneRect(QRectF(-50_000, -50_000, 100_000, 100_000))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._panning = False
        self._pan_from = QPointF()
        self._space = False

    # ----- zoom and pan ------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        factor = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        scale = factor / self.zoom
        if anchor is not None:
            before = self.mapToScene(anchor.toPoint())
            self.scale(scale, scale)
            after = self.mapToScene(anchor.toPoint())
            delta = after - before
            self.translate(delta.x(), delta.y())
        else:
            self.scale(scale, scale)
        self.zoom_changed.emit(self.zoom)
        self.flow_scene.set_zoom(self.zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom * math.pow(1.15, steps), event.position())
        event.accept()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * 1.2)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / 1.2)

    def fit_all(self, margin: float = 40) -> None:
        """Show every item (or the origin when the flow is empty), at most at 100 %."""
        rect = self.flow_scene.itemsBoundingRect()
        if rect.isNull():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        rect = rect.adjusted(-margin, -margin, margin, margin)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1.0:
            self.set_zoom(1.0)
            self.centerOn(rect.center())
        elif self.zoom < MIN_ZOOM:
            self.set_zoom(MIN_ZOOM)
            self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom)
        self.flow_scene.set_zoom(self.zoom)

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the content by (dx, dy) pixels (the scroll bars are hidden, not gone)."""
        horizontal, vertical = self.horizontalScrollBar(), self.verticalScrollBar()
        horizontal.setValue(horizontal.value() - round(dx))
        vertical.setValue(vertical.value() - round(dy))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
                self._space and event.button() == Qt.MouseButton.LeftButton):
            self._panning = True
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._panning:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.pan_by(delta.x(), delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._panning and event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._panning = False
            cursor = Qt.CursorShape.OpenHandCursor if self._space else Qt.CursorShape.ArrowCursor
            self.viewport().setCursor(cursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.itemAt(event.position().toPoint()) is None:
            self.double_clicked_empty.emit(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        editing = self.scene() is not None and self.scene().focusItem() is not None
        if not editing and event.key() in _NUDGE:
            dx, dy = _NUDGE[event.key()]
            step = 1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else GRID
            if self.flow_scene.nudge_selection(dx * step, dy * step):
                event.accept()
                return
        if not editing and event.key() == Qt.Key.Key_Escape:
            self.flow_scene.clearSelection()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and not editing:
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
            return
        super().keyReleaseEvent(event)

    # ----- grid ----------------------------------------------------------------------

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        """A two-level grid (every 20 and 100 units), drawn with one call per level."""
        theme = self.flow_scene.theme
        painter.fillRect(rect, QColor(theme.canvas))
        zoom = self.zoom
        step = GRID if zoom >= 0.5 else GRID * 5
        if zoom < 0.2:
            step = GRID * 25  # far out: only a sparse grid, never a grey wash
        major_every = GRID * 5 if zoom >= 0.2 else GRID * 25
        minor_lines: list[QLineF] = []
        major_lines: list[QLineF] = []
        top, bottom, left, right = rect.top(), rect.bottom(), rect.left(), rect.right()
        x = math.floor(left / step) * step
        while x < right:
            (major_lines if round(x) % major_every == 0 else minor_lines).append(QLineF(x, top, x, bottom))
            x += step
        y = math.floor(top / step) * step
        while y < bottom:
            (major_lines if round(y) % major_every == 0 else minor_lines).append(QLineF(left, y, right, y))
            y += step
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if minor_lines:
            painter.setPen(QPen(QColor(theme.grid_minor), 0))
            painter.drawLines(minor_lines)
        if major_lines:
            painter.setPen(QPen(QColor(theme.grid_major), 0))
            painter.drawLines(major_lines)
