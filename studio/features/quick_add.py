"""Adding nodes on the canvas: drops from the palette, and the quick-add popup opened with
Tab, by a double-click on empty canvas, or when a connection is dropped on empty canvas
(then only node types with a compatible port are offered, and the new node is wired).

The canvas is hooked from outside through an event filter on each editor's view and
viewport, so FlowView needs no knowledge of the palette or the popup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QDragMoveEvent, QDropEvent, QKeyEvent, QMouseEvent

from runtime.api import PortType, compatible
from studio.canvas.items.node_item import HEADER, MIN_WIDTH, ROW, PortHit
from studio.palette import NODE_TYPE_MIME, category_rank
from studio.quick_add import QuickAddPopup

if TYPE_CHECKING:
    from studio.editor import FlowEditor
    from studio.main_window import MainWindow

__all__ = ["QuickAddController", "fitting_port", "install", "node_origin"]


def _port_type(value: Any) -> PortType:
    try:
        return PortType(str(value))
    except ValueError:
        return PortType.ANY


def fitting_port(spec: dict[str, Any], hit: PortHit) -> tuple[int, int] | None:
    """(row, closeness) of the first port of `spec` that can take the dragged port `hit`
    (an input when an output was dragged, and the reverse); closeness 0 is the same type,
    1 a widening, 2 through `any`. None when no port fits."""
    ports = spec.get("inputs" if hit.is_output else "outputs", [])
    for row, port in enumerate(ports):
        kind = _port_type(port.get("type"))
        ok = compatible(hit.spec.type, kind) if hit.is_output else compatible(kind, hit.spec.type)
        if ok:
            closeness = 0 if kind == hit.spec.type else 2 if PortType.ANY in (kind, hit.spec.type) else 1
            return row, closeness
    return None


def node_origin(scene_pos: QPointF, hit: PortHit | None = None, row: int = 0) -> QPointF:
    """Where a node added at `scene_pos` goes: its header under the point, or, when it is
    wired to a dragged port, its connected port at the point."""
    if hit is None:
        return QPointF(scene_pos.x() - MIN_WIDTH / 2, scene_pos.y() - HEADER / 2)
    y = scene_pos.y() - HEADER - ROW * row - ROW / 2
    return QPointF(scene_pos.x() if hit.is_output else scene_pos.x() - MIN_WIDTH, y)


def _node_type_of(mime: QMimeData | None) -> str:
    if mime is None or not mime.hasFormat(NODE_TYPE_MIME):
        return ""
    return bytes(mime.data(NODE_TYPE_MIME).data()).decode("utf-8", "replace").strip()


class _CanvasHooks(QObject):
    """Event filter on one editor's view and viewport: palette drops, Tab, cursor tracking."""

    def __init__(self, controller: QuickAddController, editor: FlowEditor):
        super().__init__(editor)
        self.controller = controller
        self.editor = editor
        self.cursor: QPoint | None = None  # last mouse position over the viewport
        view = self._view = editor.view
        self._viewport = view.viewport()
        view.setAcceptDrops(True)
        view.viewport().setAcceptDrops(True)
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)

    def cursor_scene_pos(self) -> QPointF:
        """The mouse position on the canvas, or the centre of the view when it is elsewhere."""
        viewport = self.editor.view.viewport()
        point = self.cursor if self.cursor is not None and viewport.rect().contains(self.cursor) \
            else viewport.rect().center()
        return self.editor.view.mapToScene(point)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        view = self._view  # no calls into Qt for events not handled: this runs during teardown too
        kind = event.type()
        if watched is self._viewport:
            if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
                assert isinstance(event, QDragMoveEvent)  # DragEnter derives from DragMove
                if _node_type_of(event.mimeData()):
                    event.setDropAction(Qt.DropAction.CopyAction)
                    event.accept()
                    return True
            elif kind == QEvent.Type.Drop:
                assert isinstance(event, QDropEvent)
                type_id = _node_type_of(event.mimeData())
                if type_id:
                    event.setDropAction(Qt.DropAction.CopyAction)
                    event.accept()
                    scene_pos = view.mapToScene(event.position().toPoint())
                    self.controller.add_node(self.editor, type_id, scene_pos)
                    view.setFocus(Qt.FocusReason.OtherFocusReason)
                    return True
            elif kind == QEvent.Type.MouseMove:
                assert isinstance(event, QMouseEvent)
                self.cursor = event.position().toPoint()
            elif kind == QEvent.Type.Leave:
                self.cursor = None
        if kind == QEvent.Type.KeyPress and (watched is view or watched is self._viewport):
            assert isinstance(event, QKeyEvent)
            plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if event.key() == Qt.Key.Key_Tab and plain and view.scene().focusItem() is None:
                self.controller.open_for(self.editor, self.cursor_scene_pos())
                return True
        return False


class QuickAddController(QObject):
    """Owns the popup and remembers where (and from which port) its choice goes."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.setObjectName("quick-add")
        self.window = window
        self.specs: list[dict[str, Any]] = window.registry.specs()
        self.popup = QuickAddPopup(window)
        self.popup.chosen.connect(self._chosen)
        self._hooks: dict[int, _CanvasHooks] = {}
        self._target: tuple[FlowEditor, QPointF, PortHit | None] | None = None
        window.editor_added.connect(self.attach)
        for editor in window.editors():
            self.attach(editor)
        window.add_action("insert", "Add &node…\tTab", self.open_in_current)

    def attach(self, editor: FlowEditor) -> None:
        """Hook one editor's canvas (drops, Tab, double-click, connection dropped on empty)."""
        if id(editor) in self._hooks:
            return
        self._hooks[id(editor)] = _CanvasHooks(self, editor)
        editor.destroyed.connect(lambda _obj=None, key=id(editor): self._hooks.pop(key, None))
        editor.view.double_clicked_empty.connect(lambda pos, e=editor: self.open_for(e, pos))
        editor.scene.request_quick_add.connect(lambda pos, hit, e=editor: self.open_for(e, pos, hit))

    def open_in_current(self) -> None:
        editor = self.window.current_editor()
        hooks = self._hooks.get(id(editor)) if editor is not None else None
        if editor is not None and hooks is not None:
            self.open_for(editor, hooks.cursor_scene_pos())

    def open_for(self, editor: FlowEditor, scene_pos: QPointF, hit: PortHit | None = None) -> None:
        """Open the popup at `scene_pos`; with `hit`, offer only types that can be wired to it."""
        specs, hint = self.specs, ""

        def prefer(spec: dict[str, Any]) -> int:  # by category, as in the palette
            return category_rank(spec["category"])

        if hit is not None:
            fits = {s["id"]: f for s in self.specs if (f := fitting_port(s, hit)) is not None}
            specs = [s for s in self.specs if s["id"] in fits]
            direction = "from output" if hit.is_output else "to input"
            hint = f"Connect {direction} “{hit.spec.title}” ({hit.spec.type.value})"

            def prefer(spec: dict[str, Any]) -> int:  # the same port type first
                return fits[spec["id"]][1] * 100 + category_rank(spec["category"])
        self._target = (editor, QPointF(scene_pos), hit)
        viewport = editor.view.viewport()
        where = viewport.mapToGlobal(editor.view.mapFromScene(scene_pos)) + QPoint(2, 2)
        self.popup.open_at(where, specs, hint, prefer)

    def add_node(self, editor: FlowEditor, type_id: str, scene_pos: QPointF,
                 hit: PortHit | None = None) -> str | None:
        """Add (and wire, with `hit`) a node of `type_id` placed at `scene_pos`; undoable."""
        spec = next((s for s in self.specs if s["id"] == type_id), None)
        fit = fitting_port(spec, hit) if spec is not None and hit is not None else None
        origin = node_origin(scene_pos, hit, fit[0] if fit else 0)
        return editor.add_node(type_id, origin, connect_from=hit)

    def _chosen(self, type_id: str) -> None:
        target, self._target = self._target, None
        if target is None:
            return
        editor, scene_pos, hit = target
        if editor not in self.window.editors():
            return
        self.add_node(editor, type_id, scene_pos, hit)
        editor.view.setFocus(Qt.FocusReason.PopupFocusReason)


def install(window: MainWindow) -> None:
    """Hook palette drops and the quick-add popup into every editor of `window`."""
    QuickAddController(window)
