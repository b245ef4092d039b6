"""Image values: a zoomable view (wheel zoom, fit, 1:1); double-click opens the system viewer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImageReader, QMouseEvent, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from runtime.api import DocumentRef, FileRef, ImageRef
from studio.outputs.format import human_size
from studio.outputs.opener import Opener, open_path, show_in_folder
from studio.outputs.style import muted_label

__all__ = ["ImageView", "ImageViewer"]

_MIN_ZOOM, _MAX_ZOOM, _STEP = 0.02, 32.0, 1.25


def _checker(light: bool) -> QBrush:
    """A soft checkerboard, so transparent parts of an image show as such."""
    a, b = (QColor("#f3f4f6"), QColor("#e5e7eb")) if light else (QColor("#2a2e35"), QColor("#32363e"))
    tile = QPixmap(16, 16)
    tile.fill(a)
    painter = QPainter(tile)
    painter.fillRect(0, 0, 8, 8, b)
    painter.fillRect(8, 8, 8, 8, b)
    painter.end()
    return QBrush(tile)


class ImageView(QGraphicsView):
    """One pixmap. Fits the view (never enlarging) until the wheel or `set_zoom` changes it."""

    zoom_changed = Signal(float)
    double_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._item)
        self._fit = True
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setBackgroundBrush(_checker(self.palette().base().color().lightness() >= 128))

    def set_pixmap(self, pixmap: QPixmap) -> None:
        self._item.setPixmap(pixmap)
        self.scene().setSceneRect(QRectF(pixmap.rect()))
        self.fit()

    def pixmap(self) -> QPixmap:
        return self._item.pixmap()

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, zoom: float) -> None:
        self._fit = False
        self._apply(zoom)

    def fit(self) -> None:
        """Show the whole image, scaled down if needed (small images stay at 100 %)."""
        self._fit = True
        size = self._item.pixmap().size()
        if size.isEmpty():
            self._apply(1.0)
            return
        view = self.viewport().rect().adjusted(4, 4, -4, -4)
        self._apply(min(1.0, view.width() / size.width(), view.height() / size.height()))

    def _apply(self, zoom: float) -> None:
        zoom = max(_MIN_ZOOM, min(_MAX_ZOOM, zoom))
        self.resetTransform()
        self.scale(zoom, zoom)
        self.zoom_changed.emit(zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom(self.zoom() * _STEP**steps)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.double_clicked.emit()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        if self._fit:
            self.fit()


class ImageViewer(QWidget):
    """A caption (name, pixel size, file size, zoom), the image, and Fit / 100 % / Open buttons."""

    def __init__(self, parent: QWidget | None = None, opener: Opener = open_path) -> None:
        super().__init__(parent)
        self.opener = opener
        self.path = ""
        self.caption = muted_label("", self)
        self.zoom_label = muted_label("", self)
        self.view = ImageView(self)
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self.view.double_clicked.connect(self.open)
        self.view.setToolTip("Scroll to zoom, drag to pan, double-click to open")
        buttons = []
        for text, slot in (("Fit", self.view.fit), ("100 %", lambda: self.view.set_zoom(1.0)),
                           ("Open", self.open), ("Show in folder", self.show_in_folder)):
            button = QPushButton(text, self)
            button.clicked.connect(slot)
            buttons.append(button)
        self.fit_button, self.actual_button, self.open_button, self.folder_button = buttons
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.caption, 1)
        bar.addWidget(self.zoom_label)
        for button in buttons:
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    def set_image(self, ref: ImageRef | FileRef | DocumentRef) -> None:
        self.path = ref.path
        reader = QImageReader(ref.path)
        reader.setAutoTransform(True)
        image = reader.read()
        name = ref.name or Path(ref.path).name
        if image.isNull():
            self.view.set_pixmap(QPixmap())
            self.caption.setText(f"{name} — cannot show this image ({reader.errorString()})")
        else:
            self.view.set_pixmap(QPixmap.fromImage(image))
            parts = [name, f"{image.width():,} × {image.height():,} px"]
            try:
                parts.append(human_size(Path(ref.path).stat().st_size))
            except OSError:
                pass
            self.caption.setText("  ·  ".join(parts))
        exists = Path(ref.path).exists()
        self.open_button.setEnabled(exists)
        self.folder_button.setEnabled(Path(ref.path).parent.exists())

    def open(self) -> None:
        if self.path:
            self.opener(self.path)

    def show_in_folder(self) -> None:
        if self.path:
            show_in_folder(self.path, self.opener)
