"""A sticky note on the canvas: a soft coloured card with word-wrapped text.

Movable (the annotation controller turns a drag into one `UpdateNote`), resizable by its
corner grip, edited in place on double-click (Ctrl+Enter or clicking elsewhere commits,
Escape cancels). The item never writes the document: it reports changes to `on_edit`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPen, QTextCursor, QTextOption
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsTextItem,
    QMenu,
    QStyleOptionGraphicsItem,
    QWidget,
)
from shiboken6 import isValid

from runtime.api import Note
from studio.theme import Theme

__all__ = ["NOTE_COLORS", "NoteItem"]

PAD = 10.0
STRIP = 6.0
GRIP = 14.0
MIN_WIDTH, MIN_HEIGHT = 80.0, 50.0
NOTE_COLORS: dict[str, str] = {
    "Yellow": "#fff3a8", "Green": "#d3f5c6", "Blue": "#cfe6ff", "Pink": "#ffd6e4", "Violet": "#e6dcff",
    "Grey": "#e7e9ee",
}
_WRAP = QTextOption()
_WRAP.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)

EditCallback = Callable[[str, dict[str, Any]], None]


def _font(italic: bool = False) -> QFont:
    """The application's font at note size (resolved fully, so the in-place editor matches)."""
    font = QFont(QGuiApplication.font())
    font.setPointSizeF(10)
    font.setItalic(italic)
    return font


class NoteItem(QGraphicsItem):
    """Paints one note; `set_note` shows the document's state, `on_edit(id, fields)` asks for changes."""

    def __init__(self, note_id: str, note: Note, theme: Theme, on_edit: EditCallback):
        super().__init__()
        self.note_id = note_id
        self.theme = theme
        self.on_edit = on_edit
        self._editor: QGraphicsTextItem | None = None
        self._resizing = False
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(-2)  # above group frames, below edges and nodes
        self.set_note(note)

    # ----- state -------------------------------------------------------------------

    def set_note(self, note: Note) -> None:
        """Show `note` (a copy of the document's)."""
        self.prepareGeometryChange()
        self.note = note.model_copy()
        self.width, self.height = max(MIN_WIDTH, note.width), max(MIN_HEIGHT, note.height)
        self.setPos(note.x, note.y)
        self.setToolTip("Double-click to edit; drag the corner to resize")
        if self._editor is not None:
            self._editor.setTextWidth(self.width - 2 * PAD + 8)
        self.update()

    @property
    def editing(self) -> bool:
        return self._editor is not None

    def boundingRect(self) -> QRectF:
        return QRectF(-1, -1, self.width + 5, self.height + 6)

    def _card(self) -> QRectF:
        return QRectF(0, 0, self.width, self.height)

    def _grip(self) -> QRectF:
        return QRectF(self.width - GRIP, self.height - GRIP, GRIP, GRIP)

    # ----- painting ----------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        color = QColor(self.note.color)
        if not color.isValid():
            color = QColor(NOTE_COLORS["Yellow"])
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        card = self._card()
        if lod < 0.3:
            painter.fillRect(card, color)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 28))
        painter.drawRoundedRect(card.translated(2, 3), 5, 5)
        border = QPen(QColor(self.theme.selection), 2) if self.isSelected() else QPen(color.darker(125), 1)
        painter.setPen(border)
        painter.setBrush(color)
        painter.drawRoundedRect(card, 5, 5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color.darker(112))
        painter.drawRoundedRect(QRectF(0.5, 0.5, self.width - 1, STRIP + 4), 5, 5)
        painter.setBrush(color)
        painter.drawRect(QRectF(0.5, STRIP, self.width - 1, 5))
        if self._editor is None and lod >= 0.35:
            text_rect = QRectF(PAD, PAD + STRIP / 2, self.width - 2 * PAD, self.height - 2 * PAD - STRIP / 2)
            painter.save()
            painter.setClipRect(text_rect)
            if self.note.text:
                painter.setFont(_font())
                painter.setPen(QColor(self.theme.note_text))
                painter.drawText(text_rect, self.note.text, _WRAP)
            else:
                painter.setFont(_font(italic=True))
                painter.setPen(QColor(0, 0, 0, 110))
                painter.drawText(text_rect, "Double-click to write a note", _WRAP)
            painter.restore()
        grip_pen = QPen(color.darker(150), 1.2)
        painter.setPen(grip_pen)
        w, h = self.width, self.height
        for step in (4.0, 8.0, 12.0):
            painter.drawLine(QPointF(w - step, h - 2), QPointF(w - 2, h - step))

    # ----- resizing and editing ------------------------------------------------------

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        over_grip = self._grip().contains(event.pos())
        self.setCursor(Qt.CursorShape.SizeFDiagCursor if over_grip else Qt.CursorShape.ArrowCursor)
        super().hoverMoveEvent(event)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._grip().contains(event.pos()):
            self._resizing = True
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._resizing:
            self.prepareGeometryChange()
            self.width = max(MIN_WIDTH, event.pos().x() + GRIP / 2)
            self.height = max(MIN_HEIGHT, event.pos().y() + GRIP / 2)
            self.update()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._resizing:
            self._resizing = False
            size = {"width": round(self.width), "height": round(self.height)}
            if (size["width"], size["height"]) != (self.note.width, self.note.height):
                self.on_edit(self.note_id, size)
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self._grip().contains(event.pos()):
            self.start_editing()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        menu = QMenu()
        for name, value in NOTE_COLORS.items():
            action = menu.addAction(name)
            action.setData(value)
        menu.addSeparator()
        edit = menu.addAction("Edit text")
        chosen = menu.exec(event.screenPos())
        if chosen is edit:
            self.start_editing()
        elif chosen is not None and chosen.data() and chosen.data() != self.note.color:
            self.on_edit(self.note_id, {"color": chosen.data()})

    def start_editing(self) -> QGraphicsTextItem:
        """Edit the text in place; returns the editor (a child text item with focus)."""
        if self._editor is not None:
            return self._editor
        editor = QGraphicsTextItem(self)
        editor.setFont(_font())
        editor.setDefaultTextColor(QColor(self.theme.note_text))
        editor.setPlainText(self.note.text)
        editor.setTextWidth(self.width - 2 * PAD + 8)
        editor.setPos(PAD - 4, PAD + STRIP / 2 - 4)
        editor.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        editor.installSceneEventFilter(self)
        self._editor = editor
        editor.setFocus(Qt.FocusReason.MouseFocusReason)
        cursor = editor.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        editor.setTextCursor(cursor)
        self.update()
        return editor

    def finish_editing(self, commit: bool = True) -> None:
        """Close the editor; with `commit`, report the new text (one `UpdateNote`)."""
        editor = self._editor
        if editor is None:
            return
        self._editor = None
        text = editor.toPlainText()
        editor.hide()
        QTimer.singleShot(0, lambda: _discard(editor))
        self.update()
        if commit and text != self.note.text:
            self.on_edit(self.note_id, {"text": text})

    def sceneEventFilter(self, watched: QGraphicsItem, event: QEvent) -> bool:
        if watched is not self._editor:
            return False
        if event.type() == QEvent.Type.KeyPress:
            key, mods = event.key(), event.modifiers()
            if key == Qt.Key.Key_Escape:
                self.finish_editing(commit=False)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods & Qt.KeyboardModifier.ControlModifier:
                self.finish_editing(commit=True)
                return True
        elif event.type() == QEvent.Type.FocusOut:
            self.finish_editing(commit=True)
        return False


def _discard(editor: QGraphicsTextItem) -> None:
    if not isValid(editor):  # went with its note
        return
    scene = editor.scene()
    editor.setParentItem(None)
    if scene is not None and editor.scene() is scene:
        scene.removeItem(editor)
    editor.deleteLater()
